"""A published course with a pre-test and a post-test, and attempts with chosen scores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from elearn.extensions import db
from elearn.learning.enrollment import enroll
from elearn.models import CourseItem, CourseVersion, Enrollment, QuizAttempt, Unit, User
from tests.factories import make_user
from tests.learning.helpers import publish_course

PRE = "---\ntitle: Tes awal\nrole: pre_test\n---\n## Satu JP berapa menit?\n= 45\n"
POST = "---\ntitle: Tes akhir\nrole: post_test\n---\n## Satu JP berapa menit?\n= 45\n"
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def publish_with_tests(tmp_path: Path, slug: str = "dasar-proyek") -> CourseVersion:
    return publish_course(
        tmp_path, slug, **{"00-tes-awal.quiz.md": PRE, "09-tes-akhir.quiz.md": POST}
    )


def item(version: CourseVersion, name: str) -> CourseItem:
    found = db.session.scalar(
        select(CourseItem).where(CourseItem.version_id == version.id, CourseItem.name == name)
    )
    assert found is not None
    return found


def learner_in(version: CourseVersion, unit: Unit, **kwargs: object) -> Enrollment:
    user: User = make_user(unit=unit, **kwargs)  # type: ignore[arg-type]
    enrollment = enroll(user, version.course)
    db.session.commit()
    return enrollment


def attempt(enrollment: Enrollment, quiz: CourseItem, score: float, minutes: int) -> None:
    """A submitted attempt ``minutes`` after START (attempts are numbered in that order)."""
    number = 1 + len(
        db.session.scalars(
            select(QuizAttempt.id).where(
                QuizAttempt.enrollment_id == enrollment.id, QuizAttempt.item_id == quiz.id
            )
        ).all()
    )
    at = START + timedelta(minutes=minutes)
    db.session.add(
        QuizAttempt(
            enrollment_id=enrollment.id,
            item_id=quiz.id,
            number=number,
            started_at=at,
            submitted_at=at,
            paper=[],
            score=score,
            passed=score >= 70,
        )
    )
    db.session.commit()
