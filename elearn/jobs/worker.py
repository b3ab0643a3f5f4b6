"""The worker process: Dramatiq's consumer threads, plus a sweep every few seconds.

The sweep submits recurring jobs (each period's key once across all workers)
and sends again jobs whose worker died or whose message was lost, so no
separate scheduler ("beat") process is needed.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import dramatiq
from flask import Flask

from elearn.extensions import db
from elearn.jobs.dramatiq_queue import DramatiqQueue
from elearn.jobs.service import Jobs

log = logging.getLogger(__name__)
STOP_TIMEOUT_MS = 30_000  # running jobs get this long to finish; the rest go back to Redis


def run_worker(app: Flask, jobs: Jobs, queue: DramatiqQueue, threads: int) -> None:
    """Consume jobs until SIGTERM or SIGINT, then stop gracefully."""
    worker = dramatiq.Worker(queue.broker, worker_threads=threads)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    worker.start()
    log.info("job worker started with %d threads", threads)
    try:
        while not stop.is_set():
            _sweep(app, jobs)
            stop.wait(jobs.settings.sweep_seconds)
    finally:
        worker.stop(timeout=STOP_TIMEOUT_MS)
        queue.close()


def _sweep(app: Flask, jobs: Jobs) -> None:
    with app.app_context():
        try:
            jobs.sweep()
        except Exception:  # the database may be down for a moment: try again next time
            log.exception("job sweep failed")
            db.session.rollback()
