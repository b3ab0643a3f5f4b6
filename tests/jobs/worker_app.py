"""The app a test's worker process runs: ``flask --app tests.jobs.worker_app jobs worker``.

Its database and Redis come from the environment the test sets.
"""

from __future__ import annotations

import os

from flask import Flask

from config import TestConfig
from elearn import create_app
from elearn.jobs.binding import current_jobs
from tests.jobs.kinds import BLOCKING


def worker_settings() -> dict[str, object]:
    """Config for the test's own app and its workers alike."""
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ["JOBS_TEST_DATABASE_URL"],
        "JOB_BROKER_URL": os.environ["JOBS_TEST_BROKER_URL"],
        "JOB_SWEEP_SECONDS": 1,
        "JOB_LEASE_SECONDS": int(os.environ.get("JOBS_TEST_LEASE_SECONDS", "0")),
        "CONTENT_SANDBOX": False,
    }


def create_worker_app() -> Flask:
    config = type("Config", (TestConfig,), worker_settings())
    app = create_app(config)
    current_jobs(app).registry.add(BLOCKING)
    return app
