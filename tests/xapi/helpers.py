"""Learning journeys through the real services, and an independent xAPI validator."""

from __future__ import annotations

from typing import Any

from ralph.models.xapi.base.statements import BaseXapiStatement
from sqlalchemy import select

from elearn.certificates.issuance import issue_owed_certificates
from elearn.extensions import db
from elearn.learning.attempts import start_attempt, submit_attempt
from elearn.learning.enrollment import enroll
from elearn.learning.evaluation import submit_evaluation
from elearn.learning.progress import complete_module, open_item
from elearn.models import CourseVersion, Enrollment, LearningEvent, User
from elearn.settings import current_settings
from tests.conftest import FrozenClock
from tests.learning.helpers import answer_form


def item(version: CourseVersion, name: str):  # type: ignore[no-untyped-def]
    return next(i for i in version.items if i.name == name)


def study(user: User, version: CourseVersion, clock: FrozenClock) -> Enrollment:
    """Enrol and read the module for 4 min 30 s (events: enrolled, module-completed)."""
    enrollment = enroll(user, version.course)
    module = item(version, "siklus")
    open_item(enrollment, module, learning=current_settings().learning)
    clock.advance(minutes=4, seconds=30)
    complete_module(enrollment, module, learning=current_settings().learning)
    db.session.commit()
    issue_owed_certificates(current_settings())
    return enrollment


def take_quiz(
    enrollment: Enrollment, version: CourseVersion, name: str, clock: FrozenClock, *, correct: bool
) -> None:
    """Start, answer (taking 2 minutes) and submit one attempt of quiz ``name``."""
    quiz = item(version, name)
    attempt = start_attempt(enrollment, quiz, learning=current_settings().learning)
    clock.advance(minutes=2)
    submit_attempt(
        attempt, answer_form(version, name, correct=correct), learning=current_settings().learning
    )
    db.session.commit()
    issue_owed_certificates(current_settings())
    clock.advance(minutes=1)


def full_journey(user: User, version: CourseVersion, clock: FrozenClock) -> Enrollment:
    """Every kind of event: enrol, module, a failed and two passed quizzes, completion, survey."""
    enrollment = study(user, version, clock)
    take_quiz(enrollment, version, "kuis-siklus", clock, correct=False)
    take_quiz(enrollment, version, "kuis-siklus", clock, correct=True)
    take_quiz(enrollment, version, "kuis-akhir", clock, correct=True)
    db.session.refresh(enrollment)
    assert enrollment.completed_at is not None
    submit_evaluation(enrollment, relevance=5, clarity=4, applicability=4, comment="Bagus")
    db.session.commit()
    return enrollment


def events_of(user: User) -> list[LearningEvent]:
    return list(
        db.session.scalars(
            select(LearningEvent).where(LearningEvent.user_id == user.id).order_by(LearningEvent.id)
        )
    )


def validate(statement: dict[str, Any]) -> BaseXapiStatement:
    """Validate with ralph's pydantic models (an implementation independent of ours)."""
    return BaseXapiStatement.model_validate(statement)
