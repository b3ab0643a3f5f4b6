"""Certificates issued by several workers at once, all taking the year's counter row.

Every course certificate of a year takes its number from one counter row, locked from the
upsert to the commit: in a December rush the job workers queue on that row, so how long
an issuing transaction holds it bounds how many certificates a deployment issues per second,
whatever the number of workers. Seeds a throw-away schema of the PostgreSQL database with
``--learners`` who have completed Manajemen Proyek (no certificate yet), then starts
``--workers`` processes that each settle their share of the completions one by one, as
the owed-certificate jobs do (``settle_completions``: the certificate, its PDF's job, the
learner's programs), with ``PUBLIC_BASE_URL`` set as a deployment sets it and jobs sent to
``--broker`` (nothing consumes them). Prints certificates per second, each settle's latency
and what the backends waited on, last.

    .venv/bin/python benchmarks/certificate_rush.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_bench \\
        --broker redis://127.0.0.1:6379/9
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.pages import production_app, throwaway_database  # noqa: E402
from benchmarks.quiz_spike import (  # noqa: E402
    WaitSampler,
    check,
    cpu_by_role,
    cpu_spent,
    seed,
)


def complete_all(url: str) -> list[int]:
    """Mark every enrolment completed (the web's part of a rush); their ids."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        ids = connection.scalars(
            text("UPDATE enrollment SET completed_at = now() RETURNING id")
        ).all()
    engine.dispose()
    return sorted(int(i) for i in ids)


def settle_share(url: str, broker: str, ids: list[int], start: Any, out: Any) -> None:
    """One worker process: build the app, wait at the ``start`` barrier with the others, then
    settle each completion in ``ids``; put the latencies and the process's CPU for them."""
    from elearn.certificates.owed_job import settle_completions
    from elearn.settings import current_settings

    app = production_app(url, broker)
    latencies = []
    with app.app_context():
        settings = current_settings()
        start.wait()
        cpu = time.process_time()
        for enrollment_id in ids:
            began = time.perf_counter()
            settle_completions([enrollment_id], settings)
            latencies.append(time.perf_counter() - began)
        cpu = time.process_time() - cpu
    out.put((latencies, cpu))


def rush(url: str, broker: str, ids: list[int], workers: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")  # each worker imports the app afresh
    start, out = context.Barrier(workers + 1), context.Queue()
    processes = [
        context.Process(target=settle_share, args=(url, broker, ids[w::workers], start, out))
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    start.wait(timeout=300)  # every worker has built its app: the rush starts now
    before = cpu_by_role()
    with WaitSampler(url) as waits:
        began = time.perf_counter()
        shares = [out.get() for _ in processes]
        seconds = time.perf_counter() - began
    database_cpu = cpu_spent(before)["PostgreSQL"]
    latencies = sorted(x for share, _ in shares for x in share)
    worker_cpu = sum(cpu for _, cpu in shares)
    for process in processes:
        process.join()
    return {
        "certificates": len(latencies),
        "seconds": seconds,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "waits": waits.summary(),
        "cpu": f"workers {worker_cpu * 1000 / len(latencies):.1f} ms of CPU a certificate; "
        f"PostgreSQL {database_cpu:.2f} s in all",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL URL")
    parser.add_argument("--broker", required=True, help="Redis URL of a database of its own")
    parser.add_argument("--learners", type=int, default=400)
    parser.add_argument("--workers", type=int, default=4, help="processes issuing at once")
    args = parser.parse_args()

    os.environ.setdefault("PUBLIC_BASE_URL", "https://elearn.example.go.id")
    queue = redis.Redis.from_url(args.broker)
    queue.flushdb()  # a database of its own: its messages are this run's
    with throwaway_database(args.database_url, "certrush") as (url, database):
        seed(url, args.learners)
        ids = complete_all(url)
        figures = rush(url, args.broker, ids, args.workers)
        stored = check(url)
        count, distinct = stored["certificates"], stored["distinct numbers"]
    queue.flushdb()

    print()
    print(
        f"{database}; CPython {platform.python_version()}, {os.cpu_count()} cores; "
        f"{args.workers} worker processes, {len(ids)} completions"
    )
    print(
        f"certificates {count} (distinct numbers {distinct}) in {figures['seconds']:.2f} s: "
        f"{count / figures['seconds']:.0f}/s; each settle p50 {figures['p50']:.1f} ms, "
        f"p99 {figures['p99']:.1f} ms"
    )
    print(f"CPU: {figures['cpu']}")
    print(f"sampled during it: {figures['waits']}")


if __name__ == "__main__":
    main()
