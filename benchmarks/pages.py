"""Learner pages under load, against a bare Flask "hello" on the same gunicorn settings.

Seeds a temporary database (a SQLite file; with ``--database-url``, a throw-away
schema in that PostgreSQL database, dropped at the end) with the demo accounts and
sample courses, enrols every demo learner and gives one a certificate. Then, for each
gunicorn configuration (``gthread`` 2 workers x 4 threads as in the README, and
``sync`` 2 workers), it starts the bare Flask app and eLearn side by side, signs the
learners in through the login form, and runs interleaved rounds of a closed-loop load
generator (one keep-alive connection per learner, each in its own process) against
the bare app, against bare Flask reading one row from the same database (the floor of a
page that reads its database), and against each page. Figures are medians over the rounds;
the machine is shared, so rounds are interleaved rather than run back to back.

    .venv/bin/python benchmarks/pages.py [--rounds 3] [--seconds 4] [--connections 8]
    .venv/bin/python benchmarks/pages.py --database-url postgresql+psycopg://postgres@127.0.0.1/x
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

hello_app = Flask(__name__)


@hello_app.route("/")
def hello() -> str:
    return "Hello, World!"


# The floor a page that reads its database cannot go below: bare Flask reading one row per
# request from the benchmark's database, with the app's pool settings (PostgreSQL: a
# pre-ping on each checkout). Its engine is made in each worker, on first request.
ONE_ROW_URL = "BENCH_ONE_ROW_URL"
one_row_app = Flask("one_row")


@one_row_app.route("/")
def one_row() -> str:
    from sqlalchemy import create_engine, text

    engine = one_row_app.extensions.get("engine")
    if engine is None:
        import config  # the app's pool options (elearn.database drops the ping on SQLite)

        url = os.environ[ONE_ROW_URL]
        options = {} if url.startswith("sqlite") else config.Config.SQLALCHEMY_ENGINE_OPTIONS
        engine = one_row_app.extensions["engine"] = create_engine(url, **options)
    with engine.connect() as connection:
        return f"Hello, {connection.execute(text('SELECT 1')).scalar_one()}!"


GUNICORN_CONFIGS = {
    "gthread 2x4": ["--worker-class", "gthread", "-w", "2", "--threads", "4"],
    "sync 2": ["--worker-class", "sync", "-w", "2"],
}
PAGES = ("module", "quiz landing", "catalog", "/me", "verify")
FLOOR = "bare Flask + 1 row"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _with_schema(url: str, schema: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}{urlencode({'options': f'-csearch_path={schema}'})}"


@contextmanager
def demo_app(database_url: str) -> Iterator[Any]:
    """Yield an app on ``database_url`` with the schema and demo data, inside its context."""
    from config import TestConfig
    from elearn import create_app
    from elearn.demo.cli import demo_command
    from elearn.extensions import db

    config = type("Bench", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url})
    app = create_app(config)
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(demo_command)
        assert result.exit_code == 0, result.output
        yield app
        db.session.remove()
        db.engine.dispose()


def production_app(database_url: str, broker: str = "") -> Any:
    """The app with production settings on ``database_url``, a throw-away key, plain-HTTP cookies.

    config.py reads the environment when first imported; these override what a bench must.
    ``broker``: the Redis URL jobs are sent to, as in production; "" runs them inline.
    """
    import config
    from elearn import create_app

    overrides = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "benchmark-secret-key",  # noqa: S106 - a throw-away app
        "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        # Named here, not read from REDIS_URL: a bench's figures must not depend on the shell.
        "JOB_BROKER_URL": broker,
    }
    return create_app(type("Production", (config.Config,), overrides))


def seed(database_url: str) -> dict[str, Any]:
    """Create the schema and demo data; enrol every learner; issue one certificate."""
    from sqlalchemy import select

    from elearn.certificates.issuance import issue_certificate
    from elearn.demo.cli import ACCOUNTS
    from elearn.extensions import db
    from elearn.learning.enrollment import enroll
    from elearn.models import Course, User
    from elearn.settings import current_settings

    with demo_app(database_url):
        course = db.session.scalar(select(Course).where(Course.slug == "manajemen-proyek"))
        assert course is not None and course.published_version is not None
        version = course.published_version
        module = next(i for i in version.items if i.kind == "module")
        quiz = next(i for i in version.items if i.kind == "quiz")
        nips = [a.nip for a in ACCOUNTS]
        for nip in nips:
            user = db.session.scalar(select(User).where(User.nip == nip))
            assert user is not None
            enroll(user, course)
        # The last learner completed another course, so the verify page has a certificate.
        other = db.session.scalar(select(Course).where(Course.slug == "kepemimpinan"))
        assert other is not None
        user = db.session.scalar(select(User).where(User.nip == nips[-1]))
        assert user is not None
        enrollment = enroll(user, other)
        from elearn import clock

        enrollment.completed_at = clock.now()
        certificate = issue_certificate(enrollment, current_settings())
        assert certificate is not None
        db.session.commit()
        paths = {
            "module": f"/learn/{course.slug}/{module.name}",
            "quiz landing": f"/learn/{course.slug}/{quiz.name}",
            "catalog": "/courses/",
            "/me": "/me",
            "verify": f"/certificates/{certificate.code}",
        }
    return {"nips": nips, "paths": paths}


def start_server(target: str, options: list[str], port: int, env: dict[str, str]) -> Any:
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        *options,
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        target,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{target} did not start on port {port}")


def stop_server(process: Any) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def sign_in(port: int, nip: str, password: str) -> str:
    """Sign in through the login form; return the Cookie header to send."""
    cookies: dict[str, str] = {}

    def request(method: str, path: str, body: str | None = None) -> str:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key] = rest.split(";", 1)[0]
        text = response.read().decode()
        connection.close()
        return text

    page = request("GET", "/login")
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token on /login"
    form = urlencode({"login": nip, "password": password, "csrf_token": match.group(1)})
    request("POST", "/login", form)
    assert "/logout" in request("GET", "/me"), f"{nip} could not sign in"
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _client(port: int, path: str, cookie: str, seconds: float, start: float) -> list[float]:
    """One closed-loop connection: request, wait for the answer, repeat until time is up."""
    headers = {"Cookie": cookie, "Accept-Encoding": "gzip"} if cookie else {}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies: list[float] = []
    while time.time() < start:
        time.sleep(0.001)
    end = start + seconds
    while True:
        began = time.perf_counter()
        if time.time() >= end:
            break
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        latencies.append(time.perf_counter() - began)
    connection.close()
    return latencies


def load(pool: Any, port: int, path: str, cookies: list[str], seconds: float) -> dict[str, float]:
    start = time.time() + 0.3
    jobs = [(port, path, cookie, seconds, start) for cookie in cookies]
    results = pool.starmap(_client, jobs)
    latencies = sorted(x for r in results for x in r)
    return {
        "rps": len(latencies) / seconds,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def run_config(
    name: str, options: list[str], app_env: dict[str, str], seeded: dict[str, Any], args: Any
) -> dict[str, dict[str, float]]:
    hello_port, app_port = _free_port(), _free_port()
    one_row_port = _free_port()
    hello = start_server("benchmarks.pages:hello_app", options, hello_port, dict(os.environ))
    one_row_env = dict(os.environ, **{ONE_ROW_URL: app_env["DATABASE_URL"]})
    one_row_server = start_server(
        "benchmarks.pages:one_row_app", options, one_row_port, one_row_env
    )
    server = start_server("wsgi:app", options, app_port, app_env)
    samples: dict[str, list[dict[str, float]]] = {"bare Flask": [], FLOOR: []}
    samples.update({page: [] for page in PAGES})
    try:
        nips = seeded["nips"][: args.connections]
        cookies = [sign_in(app_port, nip, "demo-elearn-2026") for nip in nips]
        with multiprocessing.Pool(args.connections) as pool:
            for page in PAGES:  # warm caches and connections once
                load(pool, app_port, seeded["paths"][page], cookies, 0.5)
            for round_number in range(args.rounds):
                samples["bare Flask"].append(
                    load(pool, hello_port, "/", [""] * len(cookies), args.seconds)
                )
                samples[FLOOR].append(
                    load(pool, one_row_port, "/", [""] * len(cookies), args.seconds)
                )
                for page in PAGES:
                    samples[page].append(
                        load(pool, app_port, seeded["paths"][page], cookies, args.seconds)
                    )
                print(f"  {name}: round {round_number + 1}/{args.rounds} done", flush=True)
    finally:
        stop_server(server)
        stop_server(one_row_server)
        stop_server(hello)
    return {
        target: {key: statistics.median(s[key] for s in rounds) for key in ("rps", "p50", "p99")}
        for target, rounds in samples.items()
    }


@contextmanager
def throwaway_database(database_url: str, name: str) -> Iterator[tuple[str, str]]:
    """Yield (URL, label) of an empty database: a SQLite file, or a PostgreSQL schema.

    The schema is created in ``database_url`` and dropped afterwards, so a benchmark
    never touches the tables already there.
    """
    with tempfile.TemporaryDirectory(prefix=f"elearn-{name}-") as tmp:
        if not database_url:
            yield f"sqlite:///{Path(tmp) / f'{name}.sqlite'}", "SQLite (file, WAL)"
            return
        from sqlalchemy import create_engine

        schema = f"{name}_bench_{os.getpid()}"
        admin = create_engine(database_url)
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        try:
            yield _with_schema(database_url, schema), "PostgreSQL"
        finally:
            with admin.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()


def server_environment(url: str) -> dict[str, str]:
    """The environment of a throw-away production-mode server on ``url``."""
    return dict(
        os.environ,
        ELEARN_ENV="production",
        SECRET_KEY="benchmark-secret-key",  # noqa: S106 - a throw-away server
        DATABASE_URL=url,
        SESSION_COOKIE_SECURE="0",
        RATELIMIT_ENABLED="0",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0, help="per page per round")
    parser.add_argument("--connections", type=int, default=8, help="at most 8 (demo learners)")
    parser.add_argument("--configs", default=",".join(GUNICORN_CONFIGS))
    args = parser.parse_args()

    with throwaway_database(args.database_url, "pages") as (url, database):
        seeded = seed(url)
        app_env = server_environment(url)
        figures = {}
        for name in args.configs.split(","):
            figures[name] = run_config(name, GUNICORN_CONFIGS[name], app_env, seeded, args)

    print()
    print(f"{database}; {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} cores; {args.connections} keep-alive connections, "
          f"{args.rounds} rounds x {args.seconds:g} s per page, medians")  # fmt: skip
    for name, table in figures.items():
        bare = table["bare Flask"]["rps"]
        print(f"\ngunicorn {name}")
        print("| page | req/s | p50 ms | p99 ms | of bare Flask |")
        print("|---|---:|---:|---:|---:|")
        for target, row in table.items():
            share = f"1/{bare / row['rps']:.1f}" if target != "bare Flask" else "1"
            print(
                f"| {target} | {row['rps']:,.0f} | {row['p50']:.1f} | {row['p99']:.1f} | {share} |"
            )


if __name__ == "__main__":
    main()
