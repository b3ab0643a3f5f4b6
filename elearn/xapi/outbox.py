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
class Claim:
    """The statements a worker may send now, or why there are none."""

    rows: list[StatementOutbox]  # oldest first
    waiting_until: datetime | None = None  # the oldest pending statement waits for a retry


def claim_due(now: datetime, size: int, *, shared: bool) -> Claim:
    """The oldest ``size`` pending statements, up to the first one not yet due.

    ``shared`` (PostgreSQL, several workers): rows are locked with ``FOR UPDATE SKIP
    LOCKED``, so each worker gets statements nobody else is sending, and a learner with an
    earlier statement in another worker's hands is left out (``_in_order_per_learner``).
    The locks last until the caller commits the batch's outcome. Not shared (SQLite): the
    read begins the write transaction (``BEGIN IMMEDIATE`` outside requests), so a second
    worker waits here until the first has committed. See docs/xapi.md, "Several workers".
    """
    query = (
        select(StatementOutbox, LearningEvent.user_id)
        .join(LearningEvent, LearningEvent.id == StatementOutbox.event_id)
        .where(is_pending())
        .order_by(StatementOutbox.id)
        .limit(size)
    )
    if shared:
        # A row another worker committed since our snapshot is re-checked against
        # is_pending() on its newest version when locked (READ COMMITTED) and drops out.
        query = query.with_for_update(of=StatementOutbox, skip_locked=True).execution_options(
            populate_existing=True
        )
    rows = db.session.execute(query).all()
    due: list[tuple[StatementOutbox, int]] = []
    for row, user_id in rows:
        if row.next_attempt_at > now:
            break
        due.append((row, user_id))
    if not due:
        return Claim([], rows[0][0].next_attempt_at if rows else None)
    if shared:
        return Claim(_in_order_per_learner(due))
    return Claim([row for row, _ in due])


def _in_order_per_learner(claimed: list[tuple[StatementOutbox, int]]) -> list[StatementOutbox]:
    """Drop each learner's claimed statements from the first earlier one that is not ours.

    Such a statement is pending and was skipped: another worker holds it (or holds it back
    for a retry). Sending ours now could overtake it at the LRS.
    """
    ours = {row.id for row, _ in claimed}
    pending = db.session.execute(
        select(StatementOutbox.id, LearningEvent.user_id)
        .join(LearningEvent, LearningEvent.id == StatementOutbox.event_id)
        .where(
            is_pending(),
            LearningEvent.user_id.in_({user_id for _, user_id in claimed}),
            StatementOutbox.id <= max(ours),
        )
        .order_by(StatementOutbox.id)
    ).all()
    held: set[int] = set()
    kept: set[int] = set()
    for row_id, user_id in pending:
        if row_id not in ours:
            held.add(user_id)
        elif user_id not in held:
            kept.add(row_id)
    return [row for row, _ in claimed if row.id in kept]


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
