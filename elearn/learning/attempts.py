"""Quiz attempts: start, save, submit; timing enforced on the server only."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from elearn import clock
from elearn.extensions import db
from elearn.learning.events import EventRows, record_event
from elearn.learning.paper import answers_from_form, draw_paper
from elearn.learning.progress import Item, check_completion, mark_quiz_passed, open_item
from elearn.learning.scoring import score_attempt
from elearn.models import Enrollment, QuizAttempt, Verb
from elearn.reports import rollups
from elearn.settings import LearningSettings

_rng = random.SystemRandom()
# Built once with bound parameters, so SQLAlchemy compiles it once.
_ATTEMPTS = (
    select(QuizAttempt)
    .where(
        QuizAttempt.enrollment_id == bindparam("enrollment_id"),
        QuizAttempt.item_id == bindparam("item_id"),
    )
    .order_by(QuizAttempt.number)
)
# The scoring update, built once for the same reason; of the table, not the entity (the
# ORM's bulk-update set-up is not needed: the attempt is set as written below).
# Conditional: only the first of parallel submits scores the attempt.
_ATTEMPT_TABLE: Table = QuizAttempt.__table__  # type: ignore[assignment]
_SCORE = (
    update(_ATTEMPT_TABLE)
    .where(_ATTEMPT_TABLE.c.id == bindparam("attempt_id"), _ATTEMPT_TABLE.c.submitted_at.is_(None))
    .values(
        {
            name: bindparam(f"new_{name}")
            for name in (
                "submitted_at",
                "score",
                "passed",
                "results",
                "answers",
                "answers_saved_at",
            )
        }
    )
)


class AttemptRefused(ValueError):
    """No new attempt may start; the message says why (Indonesian)."""


def settings_of(item: Item) -> dict[str, Any]:
    return dict((item.quiz or {})["settings"])


def attempts_of(
    enrollment: Enrollment, item: Item, *, learning: LearningSettings
) -> list[QuizAttempt]:
    """The learner's attempts at ``item``, oldest first, expired ones submitted."""
    return load_attempts(enrollment, item, learning=learning)[0]


def load_attempts(
    enrollment: Enrollment, item: Item, *, learning: LearningSettings
) -> tuple[list[QuizAttempt], bool]:
    """The attempts as ``attempts_of`` gives them, and whether one was submitted just now
    for running out of time (then the caller has a write to commit)."""
    attempts = list(
        db.session.scalars(_ATTEMPTS, {"enrollment_id": enrollment.id, "item_id": item.id})
    )
    finished = [finish_if_expired(attempt, item, learning=learning) for attempt in attempts]
    return attempts, any(finished)


def open_attempt(
    enrollment: Enrollment, item: Item, *, learning: LearningSettings
) -> QuizAttempt | None:
    return next(
        (a for a in attempts_of(enrollment, item, learning=learning) if a.submitted_at is None),
        None,
    )


def start_attempt(
    enrollment: Enrollment,
    item: Item,
    item_ids: Collection[int] | None = None,
    *,
    learning: LearningSettings,
) -> QuizAttempt:
    """Start a new attempt, or return the open one; refuse past max_attempts.

    The attempt number comes from a count, and (enrolment, quiz, number) is
    unique with at most one open attempt, so parallel starts make one attempt:
    the insert of a loser does nothing, and it returns the winner's attempt.
    ``item_ids``: the ids of the version's items, if the caller has them.
    """
    attempts = attempts_of(enrollment, item, learning=learning)
    existing = next((a for a in attempts if a.submitted_at is None), None)
    if existing is not None:
        return existing
    settings = settings_of(item)
    number = len(attempts) + 1
    limit = settings.get("max_attempts")
    if limit is not None and number > limit:
        raise AttemptRefused(f"Batas {limit} kali percobaan untuk kuis ini sudah tercapai.")
    now = clock.now()
    minutes = settings.get("time_limit")
    insert = (
        postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    attempt = db.session.scalar(
        insert(QuizAttempt)
        .values(
            enrollment_id=enrollment.id,
            item_id=item.id,
            number=number,
            started_at=now,
            deadline=now + timedelta(minutes=minutes) if minutes else None,
            paper=draw_paper(item.quiz or {}, _rng),
            answers={},
        )
        .on_conflict_do_nothing()
        .returning(QuizAttempt)
    )
    if attempt is None:
        # Another request started one at the same moment; that one is the attempt.
        winner = open_attempt(enrollment, item, learning=learning)
        if winner is None:
            raise AttemptRefused("Percobaan tidak dapat dimulai; silakan muat ulang halaman.")
        return winner
    open_item(enrollment, item, item_ids, learning=learning)
    record_event(enrollment, Verb.ATTEMPT_STARTED, now, item=item, attempt=attempt)
    return attempt


def accepts_answers(attempt: QuizAttempt, now: datetime, grace: timedelta) -> bool:
    """Answers count until the deadline plus a short grace for slow connections."""
    if attempt.submitted_at is not None:
        return False
    if attempt.deadline is None:
        return True
    return now <= attempt.deadline + grace


def save_answers(
    attempt: QuizAttempt,
    form: Mapping[str, Any],
    item: Item | None = None,
    *,
    learning: LearningSettings,
) -> bool:
    """Store the answers from ``form``; False (and nothing stored) once time is up.

    ``item``: the attempt's quiz, if the caller has it (else it is loaded).
    """
    now = clock.now()
    if not accepts_answers(attempt, now, learning.quiz_grace):
        finish_if_expired(attempt, item, learning=learning)
        return False
    attempt.answers = answers_from_form(form, attempt.paper, _quiz_of(attempt, item).quiz or {})
    attempt.answers_saved_at = now
    return True


def submit_attempt(
    attempt: QuizAttempt,
    form: Mapping[str, Any] | None,
    item: Item | None = None,
    version_items: Collection[Item] | None = None,
    *,
    learning: LearningSettings,
) -> bool:
    """Save the final answers (if still in time) and score the attempt, once.

    Returns False when the attempt was already submitted: a double submit or
    a replayed request changes nothing. ``item`` (the attempt's quiz) and
    ``version_items`` (all items of its version) are loaded when not given.
    """
    now = clock.now()
    quiz = _quiz_of(attempt, item)
    answers, saved_at = attempt.answers, attempt.answers_saved_at
    if form is not None and accepts_answers(attempt, now, learning.quiz_grace):
        answers, saved_at = answers_from_form(form, attempt.paper, quiz.quiz or {}), now
    submitted_at = now
    if attempt.deadline is not None and now > attempt.deadline:
        submitted_at = attempt.deadline  # late: graded as it stood at the deadline
    return _finish(attempt, submitted_at, quiz, answers, saved_at, version_items)


def finish_if_expired(
    attempt: QuizAttempt, item: Item | None = None, *, learning: LearningSettings
) -> bool:
    """Submit an open attempt whose time ran out, with what was saved, at its deadline."""
    if attempt.submitted_at is not None or attempt.deadline is None:
        return False
    if accepts_answers(attempt, clock.now(), learning.quiz_grace):
        return False
    quiz = _quiz_of(attempt, item)
    return _finish(attempt, attempt.deadline, quiz, attempt.answers, attempt.answers_saved_at, None)


def _quiz_of(attempt: QuizAttempt, item: Item | None) -> Item:
    return attempt.item if item is None else item


def _finish(
    attempt: QuizAttempt,
    submitted_at: datetime,
    item: Item,
    answers: dict[str, Any],
    saved_at: datetime | None,
    version_items: Collection[Item] | None,
) -> bool:
    result = score_attempt(item.quiz or {}, attempt.paper, answers)
    scored = {
        "submitted_at": submitted_at,
        "score": result.percent,
        "passed": result.passed,
        "results": [r.stored() for r in result.results],
        "answers": answers,
        "answers_saved_at": saved_at,
    }
    outcome = db.session.execute(
        _SCORE, {"attempt_id": attempt.id, **{f"new_{k}": v for k, v in scored.items()}}
    )
    if outcome.rowcount != 1:  # type: ignore[attr-defined]
        db.session.refresh(attempt)  # as the winner scored it
        return False
    for name, value in scored.items():  # as written: no need to read it back
        set_committed_value(attempt, name, value)
    enrollment = attempt.enrollment
    # The events (one INSERT) and the progress row are written together, and the rollup
    # counts together at the end: their busiest rows stay locked the shortest.
    batch = rollups.RollupBatch()
    events = EventRows()
    with db.session.no_autoflush:
        rollups.attempt_scored(attempt, batch)
        duration = int((submitted_at - attempt.started_at).total_seconds())
        events.add(
            enrollment,
            Verb.ATTEMPT_SUBMITTED,
            submitted_at,
            item=item,
            attempt=attempt,
            score=result.percent,
            duration_seconds=duration,
        )
        verb = Verb.PASSED if result.passed else Verb.FAILED
        events.add(enrollment, verb, submitted_at, item=item, attempt=attempt, score=result.percent)
        if result.passed:
            mark_quiz_passed(enrollment, item, submitted_at)
            check_completion(enrollment, version_items, batch, events)
    events.write()
    batch.write()
    return True
