"""Quiz attempts: start, save, submit; timing enforced on the server only."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from elearn import clock
from elearn.extensions import db
from elearn.learning.events import record_event
from elearn.learning.paper import answers_from_form, draw_paper
from elearn.learning.progress import check_completion, mark_quiz_passed, open_item
from elearn.learning.scoring import score_attempt
from elearn.models import CourseItem, Enrollment, QuizAttempt, Verb
from elearn.reports import rollups

_rng = random.SystemRandom()


class AttemptRefused(ValueError):
    """No new attempt may start; the message says why (Indonesian)."""


def settings_of(item: CourseItem) -> dict[str, Any]:
    return dict((item.quiz or {})["settings"])


def attempts_of(enrollment: Enrollment, item: CourseItem) -> list[QuizAttempt]:
    """The learner's attempts at ``item``, oldest first, expired ones submitted."""
    attempts = list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.enrollment_id == enrollment.id, QuizAttempt.item_id == item.id)
            .order_by(QuizAttempt.number)
        )
    )
    for attempt in attempts:
        finish_if_expired(attempt)
    return attempts


def open_attempt(enrollment: Enrollment, item: CourseItem) -> QuizAttempt | None:
    return next((a for a in attempts_of(enrollment, item) if a.submitted_at is None), None)


def start_attempt(enrollment: Enrollment, item: CourseItem) -> QuizAttempt:
    """Start a new attempt, or return the open one; refuse past max_attempts.

    The attempt number comes from a count, and (enrolment, quiz, number) is
    unique with at most one open attempt, so parallel starts make one attempt.
    """
    existing = open_attempt(enrollment, item)
    if existing is not None:
        return existing
    settings = settings_of(item)
    used = db.session.scalar(
        select(func.count())
        .select_from(QuizAttempt)
        .where(QuizAttempt.enrollment_id == enrollment.id, QuizAttempt.item_id == item.id)
    )
    number = (used or 0) + 1
    limit = settings.get("max_attempts")
    if limit is not None and number > limit:
        raise AttemptRefused(f"Batas {limit} kali percobaan untuk kuis ini sudah tercapai.")
    now = clock.now()
    minutes = settings.get("time_limit")
    attempt = QuizAttempt(
        enrollment_id=enrollment.id,
        item_id=item.id,
        number=number,
        started_at=now,
        deadline=now + timedelta(minutes=minutes) if minutes else None,
        paper=draw_paper(item.quiz or {}, _rng),
        answers={},
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
            db.session.flush()
    except IntegrityError:
        # Another request started one at the same moment; that one is the attempt.
        winner = open_attempt(enrollment, item)
        if winner is None:
            raise AttemptRefused(
                "Percobaan tidak dapat dimulai; silakan muat ulang halaman."
            ) from None
        return winner
    open_item(enrollment, item)
    record_event(enrollment, Verb.ATTEMPT_STARTED, now, item=item, attempt=attempt)
    return attempt


def accepts_answers(attempt: QuizAttempt, now: datetime) -> bool:
    """Answers count until the deadline plus a short grace for slow connections."""
    if attempt.submitted_at is not None:
        return False
    if attempt.deadline is None:
        return True
    grace = timedelta(seconds=current_app.config["QUIZ_GRACE_SECONDS"])
    return now <= attempt.deadline + grace


def save_answers(attempt: QuizAttempt, form: Mapping[str, Any]) -> bool:
    """Store the answers from ``form``; False (and nothing stored) once time is up."""
    now = clock.now()
    if not accepts_answers(attempt, now):
        finish_if_expired(attempt)
        return False
    attempt.answers = answers_from_form(form, attempt.paper, attempt.item.quiz or {})
    attempt.answers_saved_at = now
    return True


def submit_attempt(attempt: QuizAttempt, form: Mapping[str, Any] | None) -> bool:
    """Save the final answers (if still in time) and score the attempt, once.

    Returns False when the attempt was already submitted: a double submit or
    a replayed request changes nothing.
    """
    now = clock.now()
    if form is not None and accepts_answers(attempt, now):
        attempt.answers = answers_from_form(form, attempt.paper, attempt.item.quiz or {})
        attempt.answers_saved_at = now
    submitted_at = now
    if attempt.deadline is not None and now > attempt.deadline:
        submitted_at = attempt.deadline  # late: graded as it stood at the deadline
    return _finish(attempt, submitted_at)


def finish_if_expired(attempt: QuizAttempt) -> bool:
    """Submit an open attempt whose time ran out, with what was saved, at its deadline."""
    if attempt.submitted_at is not None or attempt.deadline is None:
        return False
    if accepts_answers(attempt, clock.now()):
        return False
    return _finish(attempt, attempt.deadline)


def _finish(attempt: QuizAttempt, submitted_at: datetime) -> bool:
    record = attempt.item.quiz or {}
    result = score_attempt(record, attempt.paper, attempt.answers)
    results = [asdict(r) for r in result.results]
    # Conditional update: only the first of parallel submits scores the attempt.
    outcome = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(
            submitted_at=submitted_at,
            score=result.percent,
            passed=result.passed,
            results=results,
            answers=attempt.answers,
            answers_saved_at=attempt.answers_saved_at,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    if outcome.rowcount != 1:  # type: ignore[attr-defined]
        return False
    rollups.attempt_scored(attempt)
    enrollment = attempt.enrollment
    item = attempt.item
    duration = int((submitted_at - attempt.started_at).total_seconds())
    record_event(
        enrollment,
        Verb.ATTEMPT_SUBMITTED,
        submitted_at,
        item=item,
        attempt=attempt,
        score=result.percent,
        duration_seconds=duration,
    )
    verb = Verb.PASSED if result.passed else Verb.FAILED
    record_event(enrollment, verb, submitted_at, item=item, attempt=attempt, score=result.percent)
    if result.passed:
        mark_quiz_passed(enrollment, item, submitted_at)
        db.session.flush()
        check_completion(enrollment)
    return True
