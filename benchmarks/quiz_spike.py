"""The quiz spike: 100 learners start, then submit, the same final quiz within one second.

Seeds a throw-away database (a SQLite file; with ``--database-url``, a schema in that
PostgreSQL database, dropped at the end) with the sample courses and ``2 x --learners``
learners who have read every module and passed every quiz of Manajemen Proyek but the
last, so each submit completes the course and issues a certificate. Serves eLearn on
gunicorn (gthread 2 workers x 4 threads, as in the README), signs everyone in through
the form, then measures, each request on its own keep-alive connection:

- spike start: ``--learners`` POSTs that start the quiz, spread evenly over one second;
- spike submit: the same learners submit their answers, spread over one second;
- steady submits: the other ``--learners`` submit at ``--steady-rate`` per second.

Afterwards it checks that every acknowledged submit is stored and that every learner
holds exactly one certificate with a distinct number. Figures are printed last.

    .venv/bin/python benchmarks/quiz_spike.py [--learners 100]
    .venv/bin/python benchmarks/quiz_spike.py --database-url postgresql+psycopg://postgres@127.0.0.1/x
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.pages import (  # noqa: E402 - needs ROOT on the path
    _free_port,
    demo_app,
    server_environment,
    sign_in,
    start_server,
    stop_server,
    throwaway_database,
)

SLUG = "manajemen-proyek"
GTHREAD = ["--worker-class", "gthread", "-w", "2", "--threads", "4"]
PASSWORD = "kata-sandi-bench-2026"  # noqa: S105 - throw-away accounts


def matching_fields(quiz: dict[str, Any]) -> dict[str, object]:
    """The right option for every prompt of the quiz's matching questions.

    tests.learning.helpers.answer_form leaves them out; a submit with a question unanswered
    goes to a confirmation page instead of being graded, so the load answers every one.
    """
    return {
        f"q-{question['key']}-{index}": pair["answer"]
        for question in quiz["questions"]
        if question["kind"] == "matching"
        for index, pair in enumerate(question["pairs"])
        if pair["prompt_html"]  # a pair without a prompt is a distractor answer
    }


def seed(database_url: str, count: int) -> dict[str, Any]:
    """Demo courses plus ``count`` learners one quiz away from completing Manajemen Proyek."""
    from sqlalchemy import select

    from elearn.accounts.passwords import hash_password
    from elearn.extensions import db
    from elearn.learning.enrollment import enroll
    from elearn.learning.progress import mark_quiz_passed
    from elearn.models import Course, ItemKind, Role, RoleGrant, Unit, User
    from tests.learning.helpers import answer_form

    with demo_app(database_url):
        course = db.session.scalar(select(Course).where(Course.slug == SLUG))
        unit = db.session.scalar(select(Unit).where(Unit.code == "palu-kominfo"))
        assert course is not None and course.published_version is not None and unit is not None
        version = course.published_version
        final = [i for i in version.items if i.kind == ItemKind.QUIZ][-1]
        password_hash = hash_password(PASSWORD)
        nips = [f"19900101201501{1 + n % 2}{n // 2 + 1:03d}" for n in range(count)]
        for n, nip in enumerate(nips):
            user = User(
                nip=nip,
                full_name=f"Peserta Uji {n + 1}",
                unit_id=unit.id,
                password_hash=password_hash,
            )
            user.role_grants.append(RoleGrant(role=Role.LEARNER))
            db.session.add(user)
            db.session.flush()
            enrollment = enroll(user, course)
            for item in version.items:
                if item.id != final.id:
                    mark_quiz_passed(enrollment, item, enrollment.enrolled_at)
        db.session.commit()
        answers = answer_form(version, final.name, correct=True)
        answers.update(matching_fields(final.quiz or {}))
    return {"nips": nips, "quiz": f"/learn/{SLUG}/{final.name}", "answers": answers}


class Session:
    """One signed-in learner: cookie and CSRF token.

    Each request opens its own connection: between the phases a learner is idle
    longer than gunicorn's keep-alive, and a new loopback connection costs ~0.1 ms.
    """

    def __init__(self, port: int, nip: str, quiz: str) -> None:
        self.port = port
        self.cookie = sign_in(port, nip, PASSWORD)
        page = self.request("GET", quiz)[1]
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert match, f"no CSRF token on {quiz}"
        self.token = match.group(1)
        self.attempt = ""

    def request(self, method: str, path: str, form: Any = None) -> tuple[int, str, str]:
        headers = {"Cookie": self.cookie}
        body = None
        if form is not None:
            body = urlencode({"csrf_token": self.token, **form}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            return response.status, text, response.getheader("Location", "")
        finally:
            connection.close()


def spread(sessions: list[Session], per_second: float, act: Callable[[Session], int]) -> Any:
    """Run ``act`` for each session, the starts spaced evenly at ``per_second``."""
    latencies: list[float] = []
    failures: list[str] = []
    start = time.monotonic() + 0.5

    def run(index: int, session: Session) -> None:
        time.sleep(max(0.0, start + index / per_second - time.monotonic()))
        began = time.perf_counter()
        try:
            status = act(session)
        except Exception as exc:  # noqa: BLE001 - counted as a failure
            failures.append(f"{type(exc).__name__}: {exc}")
            return
        latencies.append(time.perf_counter() - began)
        if status not in (200, 302):
            failures.append(f"HTTP {status}")

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "n": len(latencies),
        "errors": len(failures),
        "p50": latencies[len(latencies) // 2] * 1000 if latencies else 0.0,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
        if latencies
        else 0.0,
        "max": latencies[-1] * 1000 if latencies else 0.0,
        "failures": failures[:3],
    }


class WaitSampler:
    """What the PostgreSQL backends of the spike wait on, sampled every 20 ms.

    The mean number of backends running (no wait), waiting for a row lock, for the WAL
    (its write lock or its flush), or for anything else: which of CPU, locks and WAL
    flushes the submits queue behind.
    """

    QUERY = (
        "SELECT CASE WHEN wait_event IS NULL THEN 'running'"
        " WHEN wait_event_type = 'Lock' THEN 'row/tx lock'"
        " WHEN wait_event IN ('WALWrite', 'WALSync', 'WALInsert') THEN 'WAL'"
        " ELSE 'other' END, count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()"
        " GROUP BY 1"
    )

    def __init__(self, url: str) -> None:
        self.url = url
        self.samples: list[dict[str, int]] = []
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> WaitSampler:
        if self.url:
            self.thread = threading.Thread(target=self._sample)
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()

    def _sample(self) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        with engine.connect() as connection:
            while not self.stop.is_set():
                rows = connection.execute(text(self.QUERY)).all()
                connection.commit()
                self.samples.append({kind: int(n) for kind, n in rows})
                time.sleep(0.02)
        engine.dispose()

    def summary(self) -> str:
        if not self.samples:
            return ""
        kinds = ("running", "row/tx lock", "WAL", "other")
        means = {k: sum(s.get(k, 0) for s in self.samples) / len(self.samples) for k in kinds}
        return "mean active backends " + ", ".join(f"{k} {v:.1f}" for k, v in means.items())


# The deployment gives the workers CPUWeight=20 against the web's 100 (docs/deploy.md). Off
# systemd, a session's autogroup nice is the same knob (the scheduler shares the cores
# between sessions by it, as between cgroups by CPUWeight; a process's own nice only counts
# within its session): nice 7 is a weight of 215 against 1,024, about 20 against 100.
WORKER_AUTOGROUP_NICE = 7


def start_worker(environment: dict[str, str], autogroup_nice: int) -> Any:
    """``flask jobs worker`` on the server's settings, in a session (and process group) of
    its own, whose share of the cores is set as the deployment sets it."""
    command = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "jobs", "worker", "--threads", "2"]
    worker = subprocess.Popen(command, cwd=ROOT, env=environment, start_new_session=True)
    try:
        Path(f"/proc/{worker.pid}/autogroup").write_text(str(autogroup_nice))
    except OSError as exc:  # a kernel without autogroups: the worker competes as an equal
        print(f"worker's CPU weight left as it is: {exc}", flush=True)
    return worker


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Which processes do a spike's work, by their command line (PostgreSQL's server and
# backends name themselves "postgres: …"; this benchmark's own line names the URL).
ROLES = {"web": b"gunicorn", "worker": b" jobs worker ", "PostgreSQL": b"postgres"}


def cpu_by_role() -> dict[str, dict[int, float]]:
    """CPU seconds so far of every process of each role, by pid.

    The spike's p99 is a queue's length near saturation, which this shared machine moves by
    a factor of three from minute to minute; the CPU each part spent on the same 100 submits
    is the steadier figure to compare trees by.
    """
    found: dict[str, dict[int, float]] = {role: {} for role in ROLES}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            for role, marker in ROLES.items():
                if command.startswith(marker) if role == "PostgreSQL" else marker in command:
                    found[role][int(entry.name)] = _cpu_seconds(int(entry.name))
                    break
        except OSError:  # the process ended meanwhile
            continue
    return found


def cpu_spent(before: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU seconds each role spent since ``before`` (processes started since count whole)."""
    return {
        role: sum(cpu - before[role].get(pid, 0.0) for pid, cpu in pids.items())
        for role, pids in cpu_by_role().items()
    }


def seconds_by_role(spent: dict[str, float]) -> str:
    return ", ".join(f"{role} {seconds:.2f} s" for role, seconds in spent.items())


def wait_for_certificates(database_url: str, expected: int, worker: Any) -> dict[str, float]:
    """Seconds until the worker has issued every certificate (at most 300), and its CPU."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    began = time.monotonic()
    try:
        with engine.connect() as connection:
            while time.monotonic() - began < 300:
                count = connection.scalar(text("SELECT count(*) FROM certificate"))
                connection.commit()
                if int(count or 0) >= expected:
                    break
                time.sleep(0.1)
    finally:
        engine.dispose()
    return {"seconds": time.monotonic() - began, "cpu": _cpu_seconds(worker.pid)}


def check(database_url: str) -> dict[str, int]:
    """Stored submissions and certificates after the run."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        figures = {
            "submitted attempts": connection.scalar(
                text("SELECT count(*) FROM quiz_attempt WHERE submitted_at IS NOT NULL")
            ),
            "certificates": connection.scalar(text("SELECT count(*) FROM certificate")),
            "distinct numbers": connection.scalar(
                text("SELECT count(DISTINCT number) FROM certificate")
            ),
        }
    engine.dispose()
    return {key: int(value or 0) for key, value in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--learners", type=int, default=100, help="in the spike (and steady)")
    parser.add_argument("--steady-rate", type=float, default=10.0, help="steady submits per s")
    parser.add_argument(
        "--broker",
        default="",
        help="Redis URL of a database of its own, emptied first: jobs (certificates) run on "
        "one `flask jobs worker` (default: inline)",
    )
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=WORKER_AUTOGROUP_NICE,
        help="the worker session's autogroup nice (default 7, as CPUWeight=20; 0: as the web)",
    )
    args = parser.parse_args()

    worker_figures: dict[str, float] = {}
    with throwaway_database(args.database_url, "spike") as (url, database):
        seeded = seed(url, 2 * args.learners)
        port = _free_port()
        environment = server_environment(url)
        worker = None
        if args.broker:
            # The broker's database is the benchmark's: messages an earlier run left there
            # (delayed PDF jobs, a worker stopped with work queued) name jobs of a schema
            # since dropped, and would run this run's jobs of the same ids early.
            redis.Redis.from_url(args.broker).flushdb()
            environment["JOB_BROKER_URL"] = args.broker
            worker = start_worker(environment, args.worker_nice)
        server = start_server("wsgi:app", GTHREAD, port, environment)
        try:
            args.sample_url = url if url.startswith("postgresql") else ""
            args.worker_pid = worker.pid if worker is not None else 0
            figures = run(port, seeded, args)
            if worker is not None:
                worker_figures = wait_for_certificates(url, 2 * args.learners, worker)
                worker_figures["cpu"] -= args.worker_cpu_before
        finally:
            stop_server(server)
            if worker is not None:
                stop_server(worker)
        stored = check(url)

    print()
    print(
        f"{database}; gunicorn gthread 2x4; {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores; {args.learners} learners "
        f"per spike, steady {args.steady_rate:g}/s"
    )
    if args.broker:
        print(
            f"jobs on one worker ({args.broker}, autogroup nice {args.worker_nice}): "
            "every certificate issued "
            f"{worker_figures.get('seconds', float('nan')):.1f} s after the last submit; "
            f"worker CPU during the run {worker_figures.get('cpu', float('nan')):.1f} s"
        )
    print("| what | requests | errors | p50 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, row in figures.items():
        print(
            f"| {name} | {row['n']} | {row['errors']} | {row['p50']:.0f} | {row['p99']:.0f} "
            f"| {row['max']:.0f} |"
        )
        for failure in row["failures"]:
            print(f"  e.g. {failure}")
        if row.get("cpu"):
            print(f"  CPU spent on it: {row['cpu']}")
        if row.get("waits"):
            print(f"  sampled during it: {row['waits']}")
    expected = 2 * args.learners
    for name, value in stored.items():
        verdict = "ok" if value == expected else f"MISMATCH (expected {expected})"
        print(f"{name}: {value} {verdict}")


def run(port: int, seeded: dict[str, Any], args: Any) -> dict[str, Any]:
    quiz, answers = seeded["quiz"], seeded["answers"]
    print(f"signing in {len(seeded['nips'])} learners ...", flush=True)
    sessions: list[Session] = []
    lock = threading.Lock()

    def open_session(nip: str) -> None:
        session = Session(port, nip, quiz)
        with lock:
            sessions.append(session)

    for offset in range(0, len(seeded["nips"]), 10):
        batch = [
            threading.Thread(target=open_session, args=(nip,))
            for nip in seeded["nips"][offset : offset + 10]
        ]
        for thread in batch:
            thread.start()
        for thread in batch:
            thread.join()
    spike, steady = sessions[: args.learners], sessions[args.learners :]

    def start(session: Session) -> int:
        status, _, location = session.request("POST", f"{quiz}/attempts", {})
        session.attempt = location
        return status

    def submit(session: Session) -> int:
        form = {**answers, "action": "submit"}
        status, _, _ = session.request("POST", session.attempt, form)
        return status

    # The worker's CPU from here on (its start-up, app import included, is left out).
    args.worker_cpu_before = _cpu_seconds(args.worker_pid) if args.worker_pid else 0.0
    figures = {"spike: start quiz": spread(spike, args.learners, start)}
    cpu_before = cpu_by_role()
    with WaitSampler(args.sample_url) as waits:
        figures["spike: submit"] = spread(spike, args.learners, submit)
    figures["spike: submit"]["cpu"] = seconds_by_role(cpu_spent(cpu_before))
    figures["spike: submit"]["waits"] = waits.summary()
    for session in steady:  # not measured: these attempts are opened beforehand
        start(session)
    figures["steady submits"] = spread(steady, args.steady_rate, submit)
    return figures


if __name__ == "__main__":
    main()
