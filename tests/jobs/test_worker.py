"""Real workers: ``flask jobs worker`` processes consume from Redis on PostgreSQL.

Needs TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL (its database is emptied).
Every wait polls for its condition with a generous deadline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dramatiq
import pytest
import redis
from flask import Flask

from config import TestConfig
from elearn import create_app
from elearn.extensions import db
from elearn.jobs.binding import current_jobs
from elearn.jobs.dramatiq_queue import BACKGROUND_QUEUE_NAME, QUEUE_NAME, DramatiqQueue
from elearn.models.job import Job, JobState
from elearn.settings import with_changes
from tests.conftest import IsolatedClient, _postgres_url, redis_url
from tests.factories import make_unit, make_user
from tests.jobs.kinds import BLOCKING
from tests.jobs.test_export_jobs import ask_for_file
from tests.jobs.worker_app import worker_settings
from tests.reports.test_exports import HEADERS, audits, enroll, make_course, read_csv, staff_client

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 90.0


def wait_for(
    condition: Callable[[], object], what: str, workers: Workers, seconds: float = DEADLINE
) -> object:
    """Poll ``condition`` until it returns something true; fail after ``seconds``.

    Fails at once when a worker that should be running has exited, with its log.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        workers.check_alive()
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"still waiting after {seconds} s for {what}")


class Workers:
    """Worker processes started by a test, each logging to its own file."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env = env
        self.folder = folder
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, **extra: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"worker-{len(self.processes)}.log").open("wb")
        flask = str(Path(sys.executable).with_name("flask"))
        process = subprocess.Popen(
            [flask, "--app", "tests.jobs.worker_app:create_worker_app", "jobs", "worker"],
            cwd=ROOT,
            env={**self.env, **extra},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.processes.append(process)
        return process

    def check_alive(self) -> None:
        for number, process in enumerate(self.processes):
            if process.poll() is not None and process.returncode != -signal.SIGKILL:
                log = (self.folder / f"worker-{number}.log").read_text(errors="replace")
                raise AssertionError(f"worker {number} exited ({process.returncode}):\n{log}")

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def queued_app(tmp_path: Path) -> Iterator[tuple[Flask, Workers]]:
    """An app on PostgreSQL whose jobs go to Redis, and a way to start workers for it."""
    database, broker = _postgres_url(), redis_url()
    flush = redis.Redis.from_url(broker)
    flush.flushdb()
    flush.close()
    env = {
        **os.environ,
        "JOBS_TEST_DATABASE_URL": database,
        "JOBS_TEST_BROKER_URL": broker,
        "JOBS_TEST_LEASE_SECONDS": "3",
    }
    os.environ.update({k: env[k] for k in ("JOBS_TEST_DATABASE_URL", "JOBS_TEST_BROKER_URL")})
    try:
        settings = worker_settings()
    finally:
        for name in ("JOBS_TEST_DATABASE_URL", "JOBS_TEST_BROKER_URL"):
            os.environ.pop(name, None)
    app = create_app(type("Config", (TestConfig,), settings))
    app.test_client_class = IsolatedClient
    current_jobs(app).registry.add(BLOCKING)
    workers = Workers(env, tmp_path)
    with app.app_context():
        db.drop_all()
        db.create_all()
        try:
            yield app, workers
        finally:
            workers.stop_all()
            queue = current_jobs(app).queue
            assert isinstance(queue, DramatiqQueue)
            queue.close()
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def stored(job_id: int) -> Job:
    db.session.expire_all()
    job = db.session.get_one(Job, job_id)
    db.session.commit()
    return job


def test_a_worker_builds_a_large_export_from_redis(queued_app, clock):
    app, workers = queued_app
    with_changes(app, export_direct_max_rows=1)
    palu = make_unit(code="palu")
    version = make_course()
    for index in range(3):
        enroll(make_user(unit=palu, name=f"Peserta {index}"), version)
    client = staff_client(app, palu)
    fields = ask_for_file(client, "/reports/export/enrollments.csv")
    response = client.post("/reports/export/jobs/", data=fields)
    assert response.status_code == 303
    status_url = response.headers["Location"]
    job_id = int(status_url.rsplit("/", 1)[1])
    assert stored(job_id).state == JobState.QUEUED  # sent to Redis, not run here

    worker = workers.start()
    wait_for(
        lambda: 'http-equiv="refresh"' not in client.get(status_url).get_data(as_text=True),
        "the progress page to stop refreshing",
        workers,
    )
    job = stored(job_id)
    assert job.state == JobState.DONE, job.error
    assert f":{worker.pid}:" in job.claimed_by
    download = client.get(f"{status_url}/download")
    names = sorted(line[HEADERS.index("Nama")] for line in read_csv(download.data)[1:])
    assert names == ["Peserta 0", "Peserta 1", "Peserta 2"]
    assert [(e.action, e.row_count) for e in audits()] == [("export.csv", 3)]


def test_a_job_of_a_killed_worker_is_run_by_another_after_its_lease(queued_app, tmp_path: Path):
    app, workers = queued_app
    started, release = tmp_path / "started", tmp_path / "release"
    args = {"started": str(started), "release": str(release)}
    job_id = current_jobs(app).submit("test.block", args, key="block-1").id

    first = workers.start()
    wait_for(
        lambda: started.exists() and started.read_text().strip(),
        "the first worker to start",
        workers,
    )
    assert started.read_text().split() == [str(first.pid)]
    first.send_signal(signal.SIGKILL)  # mid-job: no chance to hand anything back
    first.wait(timeout=60)
    release.touch()

    second = workers.start()
    wait_for(lambda: stored(job_id).state == JobState.DONE, "the job to be done", workers)
    job = stored(job_id)
    assert job.attempts == 2
    assert job.result == f"pid:{second.pid}"
    assert started.read_text().split() == [str(first.pid), str(second.pid)]


def test_background_jobs_wait_in_a_queue_a_worker_takes_after_the_others(app: Flask):
    """A PDF rendered ahead goes to its own queue, whose actor a worker ranks below the
    rest (Dramatiq: lower number, higher priority): certificates first in a rush."""
    broker = redis_url()
    client = redis.Redis.from_url(broker)
    client.flushdb()
    queue = DramatiqQueue(app, broker, current_jobs(app).run)
    try:
        queue.send(11, background=True)
        queue.send(12, background=True)
        queue.send(13)
        waiting = {
            name: [m.args[0] for m in map(decode_message, client.hvals(f"elearn:{name}.msgs"))]
            for name in (QUEUE_NAME, BACKGROUND_QUEUE_NAME)
        }
        assert sorted(waiting[BACKGROUND_QUEUE_NAME]) == [11, 12] and waiting[QUEUE_NAME] == [13]
        assert queue.background_actor.priority > queue.actor.priority
        assert {a.actor_name: a.queue_name for a in (queue.actor, queue.background_actor)} == {
            "run_job": QUEUE_NAME,
            "run_background_job": BACKGROUND_QUEUE_NAME,
        }
    finally:
        queue.close()
        client.flushdb()
        client.close()


def decode_message(data: bytes) -> dramatiq.Message[Any]:
    return dramatiq.Message.decode(data)
