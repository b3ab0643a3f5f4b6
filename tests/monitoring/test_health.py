"""Liveness and readiness probes: what a load balancer and a supervisor see."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from config import TestConfig
from elearn import create_app
from elearn.extensions import db, limiter
from elearn.settings import with_changes
from tests.conftest import redis_url, sqlite_app

# Nothing listens on port 1: connections are refused at once.
DEAD_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=5"
DEAD_REDIS = "redis://127.0.0.1:1/4"


def test_both_probes_pass_with_the_database_up(app: Flask):
    client = app.test_client()  # anonymous: probes need no sign-in
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json == {"status": "ok", "checks": {"database": "ok"}}


@pytest.fixture
def app_without_database() -> Iterator[Flask]:
    """An app whose PostgreSQL is down."""
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": DEAD_POSTGRES})
    application = create_app(config)
    yield application
    with application.app_context():
        db.engine.dispose()


def test_a_dead_database_fails_readiness_not_liveness(
    app_without_database: Flask, caplog: pytest.LogCaptureFixture
):
    client = app_without_database.test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json == {
        "status": "error",
        "failed": ["database"],
        "checks": {"database": "unreachable"},
    }
    warnings = [r.getMessage() for r in caplog.records if "readiness" in r.getMessage()]
    assert len(warnings) == 1 and "database unreachable" in warnings[0]
    assert all(r.exc_info is None for r in caplog.records)  # one line, no traceback


def test_readiness_checks_redis_when_configured(app: Flask):
    with_changes(app, redis_url=DEAD_REDIS)
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503
    assert ready.json["failed"] == ["redis"]
    assert ready.json["checks"] == {"database": "ok", "redis": "unreachable"}

    live = redis_url()
    with_changes(app, redis_url=live)
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"] == {"database": "ok", "redis": "ok"}

    # The job queue on a Redis of its own is checked too; on the same one, once.
    with_changes(app, job_broker_url=DEAD_REDIS)
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503 and ready.json["failed"] == ["queue"]
    with_changes(app, job_broker_url=live)
    assert app.test_client().get("/readyz").json["checks"] == {"database": "ok", "redis": "ok"}


def test_probes_are_not_rate_limited(tmp_path: Path):
    limits = {"RATELIMIT_ENABLED": True, "RATELIMIT_DEFAULT": "3 per hour"}
    try:
        for app in sqlite_app(tmp_path / "limited.sqlite", **limits):
            client = app.test_client()
            statuses = {client.get("/login").status_code for _ in range(5)}
            assert 429 in statuses  # the default limit applies to pages...
            for path in ("/healthz", "/readyz", "/metrics"):
                assert {client.get(path).status_code for _ in range(5)} == {200}  # ...not probes
    finally:
        # Flask-Limiter keeps a config's default limits on its one process-wide instance;
        # the app itself sets none, so later apps in this process must not inherit these.
        limiter.limit_manager.set_default_limits([])
