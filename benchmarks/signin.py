"""Measure sign-in latency through the real /login form under gunicorn.

Starts the app as README's production command does (gthread, 2 workers x 4 threads) on a
temporary SQLite database holding N users, signs in 100 of them at concurrency 10 (each: GET the
form for its CSRF token, then the timed POST), and measures a bare Flask "hello" under the same
gunicorn settings in the same run, so a busy machine shows up in both figures.

Target: sign-in p99 under 250 ms at 10 concurrent sign-ins on 2 cores.
Run: .venv/bin/python benchmarks/signin.py [--users 120] [--signins 100] [--concurrency 10]
     .venv/bin/python benchmarks/signin.py --compare   # argon2id alone, OWASP's settings
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "kata-sandi-benchmark-2026"  # noqa: S105 - a throw-away benchmark account
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
GUNICORN = [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "-w", "2"]
GUNICORN += ["--threads", "4", "--log-level", "warning"]


def hello_app():  # type: ignore[no-untyped-def]
    """A bare Flask app: the floor any request pays under this gunicorn setup."""
    from flask import Flask

    app = Flask("hello")
    app.add_url_rule("/", "hello", lambda: "hello")
    return app


def nip(number: int) -> str:
    """A distinct 18-digit login for benchmark user ``number``."""
    return f"19900101{number:010d}"


def seed(database_url: str, users: int) -> str:
    """Create the schema and ``users`` accounts; return the argon2 parameters used."""
    sys.path.insert(0, str(ROOT))
    from config import Config
    from elearn import create_app
    from elearn.accounts.passwords import hash_password
    from elearn.extensions import db
    from elearn.models import Unit, UnitKind, User

    config = type("Seed", (Config,), {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"})
    app = create_app(config)
    with app.app_context():
        db.create_all()
        unit = Unit(code="bench", name="Benchmark", kind=UnitKind.INSTANSI)
        db.session.add(unit)
        db.session.flush()
        # One hash for all: seeding 100 argon2 hashes would only slow the set-up.
        password_hash = hash_password(PASSWORD)
        for number in range(users):
            db.session.add(
                User(nip=nip(number), full_name=f"Peserta {number}", unit_id=unit.id,
                     password_hash=password_hash)
            )  # fmt: skip
        db.session.commit()
        db.engine.dispose()
    return password_hash.split("$")[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(
    target: str, env: dict[str, str], pythonpath: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """Start gunicorn serving ``target``; return the process and its base URL once it answers."""
    port = free_port()
    command = [*GUNICORN, "--chdir", str(ROOT), "--pythonpath", str(pythonpath)]
    process = subprocess.Popen([*command, "-b", f"127.0.0.1:{port}", target], env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/", timeout=2):  # noqa: S310 - our own server
                return process, base
        except urllib.error.HTTPError:
            return process, base  # it answers (a redirect to /login counts)
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"{target} did not start within 60 s")


FAILED: list[int] = []  # statuses of sign-ins that did not redirect (e.g. 500: database locked)


def workers_cpu_seconds(master: int) -> float:
    """User + system CPU seconds used so far by gunicorn's workers (children of ``master``)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # fields[1] is the parent's pid
            total += int(fields[11]) + int(fields[12])
    return total / ticks


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def sign_in(base: str, number: int) -> float:
    """Sign user ``number`` in through the form; return the POST's seconds."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(base + "/login", timeout=60).read().decode()
    token = TOKEN.search(page)
    assert token, "no CSRF token on /login"
    form = {"login": nip(number), "password": PASSWORD, "csrf_token": token.group(1)}
    body = urllib.parse.urlencode(form).encode()
    started = time.perf_counter()
    try:
        opener.open(base + "/login", data=body, timeout=60)
        status = 200
    except urllib.error.HTTPError as answer:
        status = answer.code
    elapsed = time.perf_counter() - started
    if status != 302:
        FAILED.append(status)
    return elapsed


def hello(base: str, _: int) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(base + "/", timeout=60) as answer:  # noqa: S310 - our own server
        answer.read()
    return time.perf_counter() - started


def run(work, base: str, numbers: range, concurrency: int) -> list[float]:  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(concurrency) as pool:
        return sorted(pool.map(lambda number: work(base, number), numbers))


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, round(fraction * len(sorted_values) + 0.4999))
    return sorted_values[min(rank, len(sorted_values)) - 1]


# OWASP password storage cheat sheet: argon2id settings of equal strength (m KiB, t, p),
# and argon2-cffi's default (RFC 9106's low-memory profile), which we used before.
OWASP_SETTINGS = [(47104, 1, 1), (19456, 2, 1), (12288, 3, 1), (9216, 4, 1), (7168, 5, 1)]
CFFI_DEFAULT = (65536, 3, 4)


def compare(concurrency: int) -> None:
    """Print argon2id's verify cost per setting: CPU, alone, and ``concurrency`` at once."""
    from argon2 import PasswordHasher

    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    header = f"{'m, t, p':>18} {'CPU':>9} {'alone p50':>10} {'x' + str(concurrency) + ' p50':>9}"
    print(f"{header} {'p99':>9}")
    for memory, rounds, lanes in [*OWASP_SETTINGS, CFFI_DEFAULT]:
        hasher = PasswordHasher(time_cost=rounds, memory_cost=memory, parallelism=lanes)
        stored = hasher.hash(PASSWORD)

        def verify(_: str, __: int) -> float:
            started = time.perf_counter()
            hasher.verify(stored, PASSWORD)  # noqa: B023 - used within this iteration
            return time.perf_counter() - started

        cpu_started = time.process_time()  # every thread's CPU, the lanes' included
        alone = sorted(verify("", number) for number in range(10))
        cpu = (time.process_time() - cpu_started) / 10
        together = run(verify, "", range(50), concurrency)
        figures = [cpu, percentile(alone, 0.5), percentile(together, 0.5)]
        figures.append(percentile(together, 0.99))
        shown = " ".join(f"{value * 1000:>7.1f}ms" for value in figures)
        print(f"{memory // 1024:>5} MiB, t={rounds}, p={lanes} {shown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=120)
    parser.add_argument("--signins", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--compare", action="store_true", help="argon2id settings only")
    args = parser.parse_args()
    if args.compare:
        compare(args.concurrency)
        return
    warm = args.concurrency * 2
    assert args.users >= args.signins + warm, "--users must cover the sign-ins and a warm-up"

    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{tmp}/signin.sqlite"
        parameters = seed(database_url, args.users)
        env = {**os.environ, "ELEARN_ENV": "production", "SECRET_KEY": "benchmark-secret",
               "DATABASE_URL": database_url, "SESSION_COOKIE_SECURE": "0"}  # fmt: skip
        env.pop("REDIS_URL", None)
        results: dict[str, list[float]] = {}
        for name, target, pythonpath, work, numbers in (
            ("hello", "signin:hello_app()", ROOT / "benchmarks", hello, range(args.signins)),
            ("sign-in", "wsgi:app", ROOT, sign_in, range(warm, warm + args.signins)),
        ):
            process, base = start(target, env, pythonpath)
            try:
                run(work, base, range(warm), args.concurrency)  # both workers loaded and warm
                started, cpu = time.perf_counter(), workers_cpu_seconds(process.pid)
                results[name] = run(work, base, numbers, args.concurrency)
                results[name + " wall"] = [time.perf_counter() - started]
                results[name + " cpu"] = [workers_cpu_seconds(process.pid) - cpu]
            finally:
                process.terminate()
                process.wait(timeout=30)

    load = os.getloadavg()[0]
    print(f"argon2 {parameters}; {os.cpu_count()} cores, load average {load:.2f}")
    print(f"{'':8} {'requests':>8} {'wall':>8} {'p50':>9} {'p99':>9} {'server CPU each':>16}")
    for name in ("hello", "sign-in"):
        values = results[name]
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        wall = results[name + " wall"][0]
        cpu = results[name + " cpu"][0] / len(values) * 1000
        print(
            f"{name:8} {len(values):>8} {wall:>7.2f}s {p50 * 1000:>7.1f}ms {p99 * 1000:>7.1f}ms"
            f" {cpu:>14.1f}ms"
        )
    if FAILED:
        print(f"sign-ins that did not redirect: {len(FAILED)} (statuses {sorted(set(FAILED))})")
    ratio50 = percentile(results["sign-in"], 0.5) / percentile(results["hello"], 0.5)
    ratio99 = percentile(results["sign-in"], 0.99) / percentile(results["hello"], 0.99)
    print(f"sign-in / hello: p50 x{ratio50:.1f}, p99 x{ratio99:.1f}")


if __name__ == "__main__":
    main()
