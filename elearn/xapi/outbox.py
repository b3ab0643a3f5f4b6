"""The statement outbox: statements wait here, queued with their event, until the LRS has them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select

from elearn import clock
from elearn.extensions import db
from elearn.models import LearningEvent, StatementOutbox, Verb
from elearn.xapi.settings import home_page, lrs_url
from elearn.xapi.statements import EXPORTED_VERBS, statement_for

# The model has no status column: a statement the LRS refused for good is
# parked by moving its next attempt to the end of time (see docs/xapi.md).
PARKED_AT = datetime(9999, 12, 31, tzinfo=UTC)
PERMANENT_PREFIX = "permanent: "


def enqueue_statement(event: LearningEvent) -> StatementOutbox | None:
    """Queue ``event``'s statement for the LRS, in the caller's transaction (no LRS: nothing)."""
    if not lrs_url() or Verb(event.verb) not in EXPORTED_VERBS:
        return None
    # The statement id needs the event's id, and its version and item load by key.
    db.session.flush()
    statement = statement_for(event, home_page=home_page())
    row = StatementOutbox(
        event_id=event.id,
        statement_id=statement["id"],
        statement=statement,
        created_at=clock.now(),
        next_attempt_at=clock.now(),
        attempts=0,
        last_error="",
    )
    db.session.add(row)
    return row


def is_pending() -> ColumnElement[bool]:
    """Rows still to deliver: not delivered and not refused for good."""
    return StatementOutbox.delivered_at.is_(None) & (StatementOutbox.next_attempt_at < PARKED_AT)


def is_rejected() -> ColumnElement[bool]:
    """Rows the LRS refused for good; they wait for ``flask xapi requeue``."""
    return StatementOutbox.delivered_at.is_(None) & (StatementOutbox.next_attempt_at >= PARKED_AT)


def reject(row: StatementOutbox, error: str) -> None:
    """Park ``row`` after a permanent refusal, keeping the LRS's reason."""
    row.attempts += 1
    row.last_error = (PERMANENT_PREFIX + error)[:2000]
    row.next_attempt_at = PARKED_AT


@dataclass(frozen=True)
class OutboxStatus:
    pending: int  # waiting for delivery, failing ones included
    failing: int  # pending after at least one failed attempt
    rejected: int  # refused for good by the LRS
    delivered: int
    next_attempt_at: datetime | None  # of the oldest pending statement
    last_error: str  # of the oldest pending statement


def outbox_status() -> OutboxStatus:
    """Count the outbox by state."""

    def count(*conditions: Any) -> int:
        return db.session.scalar(select(func.count(StatementOutbox.id)).where(*conditions)) or 0

    head = db.session.scalar(
        select(StatementOutbox).where(is_pending()).order_by(StatementOutbox.id).limit(1)
    )
    return OutboxStatus(
        pending=count(is_pending()),
        failing=count(is_pending(), StatementOutbox.attempts > 0),
        rejected=count(is_rejected()),
        delivered=count(StatementOutbox.delivered_at.is_not(None)),
        next_attempt_at=head.next_attempt_at if head else None,
        last_error=head.last_error if head else "",
    )


def requeue_rejected() -> int:
    """Put refused statements back in line, rebuilt from their events; return how many."""
    home = home_page()
    rows = db.session.scalars(select(StatementOutbox).where(is_rejected())).all()
    count = 0
    for row in rows:
        event = db.session.get(LearningEvent, row.event_id)
        if event is not None:
            row.statement = statement_for(event, home_page=home)
            row.statement_id = row.statement["id"]
        row.next_attempt_at = clock.now()
        count += 1
    return count
