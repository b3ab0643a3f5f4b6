"""``/healthz`` (the process answers) and ``/readyz`` (its database, Redis and queue answer too).

A load balancer takes a server out of rotation while ``/readyz`` fails and a
supervisor restarts it only when ``/healthz`` fails, so a database outage does
not restart every app server at once.
"""

from __future__ import annotations

import logging

import redis
from flask import Blueprint
from sqlalchemy import text

from elearn.extensions import db, limiter
from elearn.main.errors import one_line
from elearn.main.request_id import current_request_id
from elearn.settings import current_settings

bp = Blueprint("monitoring", __name__)
limiter.exempt(bp)  # probes come every few seconds from the balancer's few addresses
logger = logging.getLogger(__name__)
REDIS_TIMEOUT_SECONDS = 2.0

Answer = tuple[dict[str, object], int]


@bp.route("/healthz")
def healthz() -> Answer:
    """Liveness: no database or Redis, so an outage of either restarts nothing."""
    return {"status": "ok"}, 200


@bp.route("/readyz")
def readyz() -> Answer:
    """Readiness: the database answers, and Redis (rate limits) and the job queue's when set."""
    settings = current_settings()
    checks = {"database": _check_database()}
    if settings.redis_url:
        checks["redis"] = _check_redis("redis", settings.redis_url)
    if settings.job_broker_url and settings.job_broker_url != settings.redis_url:
        checks["queue"] = _check_redis("queue", settings.job_broker_url)
    failed = sorted(name for name, result in checks.items() if result != "ok")
    if failed:
        return {"status": "error", "failed": failed, "checks": checks}, 503
    return {"status": "ok", "checks": checks}, 200


def _check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        db.session.remove()  # the pool replaces a broken connection
        _warn("database", exc)
        return "unreachable"
    return "ok"


def _check_redis(part: str, url: str) -> str:
    try:
        client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        with client:
            client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        _warn(part, exc)
        return "unreachable"
    return "ok"


def _warn(part: str, exc: Exception) -> None:
    # One line, no traceback: the balancer probes every few seconds.
    logger.warning("%s readiness: %s unreachable: %s", current_request_id(), part, one_line(exc))
