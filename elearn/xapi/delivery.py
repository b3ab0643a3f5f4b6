"""Posting queued statements to the LRS, with retries and exponential backoff."""

from __future__ import annotations

import base64
import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from elearn import clock
from elearn.extensions import db
from elearn.models import StatementOutbox
from elearn.settings import XapiSettings
from elearn.xapi.outbox import claim_due, reject
from elearn.xapi.settings import XapiNotConfigured, lrs_settings

XAPI_VERSION = "1.0.3"
# Answers that say something is wrong with the endpoint or our account, not with
# the statements: retried with backoff like an outage, never parked.
ENDPOINT_ERRORS = frozenset({401, 403, 404, 405, 407, 408, 429})


class Outcome(Enum):
    DELIVERED = "delivered"
    DUPLICATE = "duplicate"  # 409: the LRS already has a statement with this id
    REFUSED = "refused"  # a 4xx about the statements themselves
    RETRY = "retry"  # outage, 5xx, timeout, endpoint or account trouble


@dataclass(frozen=True)
class LrsReply:
    status: int | None  # None: no HTTP answer at all
    detail: str

    @property
    def outcome(self) -> Outcome:
        status = self.status
        if status is not None and 200 <= status < 300:
            return Outcome.DELIVERED
        if status == 409:
            return Outcome.DUPLICATE
        if status is not None and 400 <= status < 500 and status not in ENDPOINT_ERRORS:
            return Outcome.REFUSED
        return Outcome.RETRY


@dataclass
class DeliveryReport:
    delivered: int = 0
    duplicates: int = 0  # counted in delivered too
    retrying: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (event id, error)
    error: str = ""  # why the run stopped early
    next_attempt_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.rejected and not self.error


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # Following a redirect would send the Basic credentials to another address.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post_statements(settings: XapiSettings, statements: list[dict[str, Any]]) -> LrsReply:
    """POST ``statements`` as one JSON array to ``<url>/statements``."""
    url = settings.lrs_url + "/statements"
    if not url.startswith(("http://", "https://")):
        raise XapiNotConfigured("XAPI_LRS_URL must start with http:// or https://")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Experience-API-Version": XAPI_VERSION,
    }
    if settings.lrs_username or settings.lrs_password:
        pair = f"{settings.lrs_username}:{settings.lrs_password}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    body = json.dumps(statements, ensure_ascii=False, separators=(",", ":")).encode()
    # The scheme is checked above, so urllib cannot be pointed at file: URLs.
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _OPENER.open(request, timeout=settings.timeout_seconds) as response:
            response.read()
            return LrsReply(response.status, "")
    except urllib.error.HTTPError as exc:
        try:
            text = exc.read(300).decode("utf-8", "replace").strip()
        except (OSError, http.client.HTTPException):
            text = ""
        finally:
            exc.close()
        return LrsReply(exc.code, f"HTTP {exc.code} {exc.reason}: {text}".rstrip(": "))
    except urllib.error.URLError as exc:
        return LrsReply(None, f"LRS unreachable: {exc.reason}")
    except (OSError, http.client.HTTPException) as exc:
        return LrsReply(None, f"LRS unreachable: {type(exc).__name__}: {exc}")


def backoff(attempts: int, settings: XapiSettings) -> timedelta:
    """The wait after the ``attempts``-th failure: base × 2^(n−1), capped."""
    exponent = min(max(attempts - 1, 0), 30)
    seconds = min(settings.retry_base_seconds * 2**exponent, settings.retry_max_seconds)
    return timedelta(seconds=seconds)


def deliver_pending(limit: int = 1000) -> DeliveryReport:
    """Send up to ``limit`` due statements, oldest first, committing after each batch.

    Statements of one learner reach the LRS in the order they were made, and while the
    oldest pending statement waits for a retry nothing is sent. On PostgreSQL several
    workers may run this at once: each claims its statements with ``FOR UPDATE SKIP LOCKED``
    (``claim_due``), so none is sent twice; on SQLite one worker sends at a time.
    """
    settings = lrs_settings()
    shared = db.session.get_bind().dialect.name == "postgresql"
    report = DeliveryReport()
    sent = 0
    while sent < limit:
        claimed = claim_due(clock.now(), min(settings.batch_size, limit - sent), shared=shared)
        if not claimed.rows:
            report.next_attempt_at = claimed.waiting_until
            break
        sent += len(claimed.rows)
        finished = _send(claimed.rows, settings, report)
        db.session.commit()  # records the outcome and releases the claim
        if not finished:
            break
    return report


def _send(batch: list[StatementOutbox], settings: XapiSettings, report: DeliveryReport) -> bool:
    """Send one batch; False when the LRS could not take it now (stop the run)."""
    reply = post_statements(settings, [row.statement for row in batch])
    outcome = reply.outcome
    if outcome is Outcome.RETRY:
        _schedule_retry(batch, reply.detail, settings, report)
        return False
    if outcome is Outcome.DELIVERED or (outcome is Outcome.DUPLICATE and len(batch) == 1):
        for row in batch:
            row.delivered_at = clock.now()
        report.delivered += len(batch)
        report.duplicates += len(batch) if outcome is Outcome.DUPLICATE else 0
        return True
    if len(batch) > 1:
        # The LRS refuses a whole batch for one bad or duplicate statement:
        # send them one by one to tell which.
        return all(_send([row], settings, report) for row in batch)
    row = batch[0]
    reject(row, reply.detail)
    report.rejected.append((row.event_id, reply.detail))
    return True


def _schedule_retry(
    batch: list[StatementOutbox], error: str, settings: XapiSettings, report: DeliveryReport
) -> None:
    now = clock.now()
    for row in batch:
        row.attempts += 1
        row.last_error = error[:2000]
        row.next_attempt_at = now + backoff(row.attempts, settings)
    report.retrying += len(batch)
    report.error = error
    report.next_attempt_at = min(row.next_attempt_at for row in batch)
