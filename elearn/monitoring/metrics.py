"""Prometheus metrics at ``/metrics``: request latency by endpoint and status, requests in flight.

Under gunicorn every worker is a process of its own: with PROMETHEUS_MULTIPROC_DIR
set (deploy/gunicorn.conf.py does), prometheus_client keeps each worker's values
in files there and ``/metrics`` sums all workers, whichever one answers.

The backlog gauges (jobs, xAPI outbox; see ``backlog.py``) are read from the database
at scrape time by the process that answers.

Only local clients may read it (Prometheus on the same host, or through an SSH
tunnel), or any client with ``Authorization: Bearer <METRICS_TOKEN>``; everyone
else gets a 404, as if there were nothing here.
"""

from __future__ import annotations

import hmac
import os
import time
from ipaddress import ip_address

from flask import Blueprint, Flask, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from elearn import clock
from elearn.extensions import limiter
from elearn.jobs.binding import current_jobs
from elearn.monitoring.backlog import BacklogCollector
from elearn.settings import current_settings

bp = Blueprint("metrics", __name__)
limiter.exempt(bp)

# Seconds to the response's headers; a streamed export's body is not included.
REQUEST_LATENCY = Histogram(
    "elearn_request_duration_seconds",
    "Time to answer a request, by endpoint and status.",
    ("endpoint", "status"),
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
IN_FLIGHT = Gauge(
    "elearn_requests_in_flight",
    "Requests being answered now.",
    multiprocess_mode="livesum",  # the sum over the workers still alive
)
_STARTED = "elearn.metrics.started"  # in the WSGI environ: perf_counter() at the start
_BACKLOG = "elearn.metrics.backlog"  # in app.extensions: the app's BacklogCollector


def init_metrics(app: Flask) -> None:
    """Time every request; the clock starts before any other before_request hook."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_observe)
    app.teardown_request(_finish)
    app.extensions[_BACKLOG] = BacklogCollector(
        kinds=lambda: current_jobs(app).registry.names(), now=lambda: clock.now()
    )


def _start() -> None:
    request.environ[_STARTED] = time.perf_counter()
    IN_FLIGHT.inc()


def request_seconds() -> float | None:
    """How long this request has run, or None when it was not timed."""
    started = request.environ.get(_STARTED)
    return None if started is None else time.perf_counter() - started


def _observe(response: Response) -> Response:
    seconds = request_seconds()
    if seconds is not None:
        # The route's name, never the raw path: one series per page, not per URL.
        endpoint = request.endpoint or "unmatched"
        REQUEST_LATENCY.labels(endpoint, str(response.status_code)).observe(seconds)
    return response


def _finish(_error: BaseException | None) -> None:
    if request.environ.pop(_STARTED, None) is not None:
        IN_FLIGHT.dec()


def _local_client() -> bool:
    # A request that came through a proxy is not local, whatever address it shows.
    if request.headers.get("X-Forwarded-For"):
        return False
    try:
        return ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _token_matches(expected: str) -> bool:
    if not expected:
        return False
    sent = request.headers.get("Authorization", "")
    return hmac.compare_digest(sent.encode(), f"Bearer {expected}".encode())


def may_read_metrics() -> bool:
    """True for local clients and for clients sending the METRICS_TOKEN bearer token."""
    return _local_client() or _token_matches(current_settings().metrics_token)


@bp.route("/metrics")
def metrics() -> Response:
    if not may_read_metrics():
        abort(404)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    # Its own registry, only for this scrape: the global one is shared by every app in the
    # process (tests build many), and these gauges need this request's database session.
    backlog = CollectorRegistry()
    backlog.register(current_app.extensions[_BACKLOG])
    body += generate_latest(backlog)
    response = Response(body, content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
