"""Quiz start, answer save and submit in-process: SQL statements and CPU ms per request.

Seeds a throw-away database as ``benchmarks/quiz_spike.py`` does (learners one quiz away
from completing Manajemen Proyek), builds the app with the production settings, signs
``--learners`` learners in through the Flask test client and, learner by learner,
starts the final quiz, saves the answers once and submits them (which completes the
course and issues the certificate). Prints the median statements, CPU milliseconds of
this process and wall milliseconds (the database's work included) per request of each
kind, and the statements of the last learner with ``--show``.

With ``--broker`` jobs go to that Redis as in production (nobody runs them: the submit
only records the certificate job and sends its id), else they run inline in the request.

    .venv/bin/python benchmarks/quiz_profile.py [--database-url postgresql+psycopg://…]
    .venv/bin/python benchmarks/quiz_profile.py --profile submit [--database-url …]
    .venv/bin/python benchmarks/quiz_profile.py --broker redis://127.0.0.1:6379/10 \
        --profile submit --dump submit.prof   # then: python -m pstats submit.prof
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.pages import production_app, throwaway_database  # noqa: E402 - ROOT on path
from benchmarks.quiz_spike import PASSWORD, seed  # noqa: E402

QUIET = {"BEGIN", "COMMIT", "ROLLBACK"}  # transaction control, as the budget tests count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--profile", default="", help="cProfile this request: start|save|submit")
    parser.add_argument("--show", action="store_true", help="print the last learner's SQL")
    parser.add_argument(
        "--broker", default="", help="Redis URL the jobs are sent to (default: run inline)"
    )
    parser.add_argument("--dump", default="", help="write the --profile's stats to this file")
    args = parser.parse_args()
    if args.dump and not args.profile:
        parser.error("--dump writes the profile: name the request with --profile")

    with throwaway_database(args.database_url, "quizprof") as (url, database):
        seeded = seed(url, args.learners)
        figures, shown = measure(url, seeded, args)

    print()
    print(
        f"{database}; {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores; {args.learners} learners, medians; "
        f"jobs {'sent to ' + args.broker if args.broker else 'inline'}"
    )
    if args.show:
        for name, statements in shown.items():
            print(f"\n-- {name}: {len(statements)} statements")
            for statement in statements:
                print("   ", " ".join(statement.split())[:160])
        print()
    print("| request | statements | CPU ms | wall ms |")
    print("|---|---:|---:|---:|")
    for name, (counts, times, walls) in figures.items():
        print(
            f"| {name} | {statistics.median(counts):g} | {statistics.median(times):.1f} "
            f"| {statistics.median(walls):.1f} |"
        )


def measure(url: str, seeded: dict[str, Any], args: Any) -> tuple[dict[str, Any], Any]:
    from sqlalchemy import event

    from elearn.extensions import db
    from elearn.jobs.binding import current_jobs

    app = production_app(url, broker=args.broker)
    quiz, answers = seeded["quiz"], seeded["answers"]
    clients = [_signed_in(app, nip, quiz) for nip in seeded["nips"]]
    statements: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.split()[0].upper() not in QUIET:
            statements.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
    figures: dict[str, tuple[list[int], list[float], list[float]]] = {
        name: ([], [], []) for name in ("start", "save", "submit (completes)")
    }
    shown: dict[str, list[str]] = {}
    profiler = cProfile.Profile(time.process_time)  # CPU, not waits on the database

    def timed(name: str, post: Callable[..., Any], url: str, form: dict[str, Any]) -> Any:
        statements.clear()
        profiling = args.profile and name.startswith(args.profile)
        if profiling:
            profiler.enable()
        began, began_wall = time.process_time(), time.perf_counter()
        response = post(url, data=form)
        took = (time.process_time() - began) * 1000
        wall = (time.perf_counter() - began_wall) * 1000
        if profiling:
            profiler.disable()
        assert response.status_code == 302, (name, response.status_code)
        figures[name][0].append(len(statements))
        figures[name][1].append(took)
        figures[name][2].append(wall)
        shown[name] = list(statements)
        return response

    for client, token in clients:
        form = {"csrf_token": token}
        started = timed("start", client.post, f"{quiz}/attempts", form)
        attempt = started.headers["Location"]
        timed("save", client.post, attempt, {**form, **answers, "action": "save"})
        timed("submit (completes)", client.post, attempt, {**form, **answers, "action": "submit"})
        assert "Selamat" in client.get(attempt).get_data(True), "the course did not complete"
    if args.broker:  # their jobs went with the throw-away database
        current_jobs(app).queue.broker.flush_all()  # type: ignore[attr-defined]
    if args.dump:
        profiler.dump_stats(args.dump)
    if args.profile:
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(50)
        stats.sort_stats("tottime").print_stats(30)
    return figures, shown


def _signed_in(app: Any, nip: str, quiz: str) -> tuple[Any, str]:
    """A test client signed in as ``nip``, and its CSRF token (from the quiz page)."""
    client = app.test_client()
    page = client.get("/login").get_data(True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    client.post(
        "/login",
        data=urlencode({"login": nip, "password": PASSWORD, "csrf_token": token.group(1)}),
        content_type="application/x-www-form-urlencoded",
    )
    page = client.get(quiz).get_data(True)
    assert "/logout" in page, f"{nip} could not sign in"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, f"no CSRF token on {quiz}"
    return client, token.group(1)


if __name__ == "__main__":
    main()
