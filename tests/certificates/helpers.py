"""Complete a course for a learner quickly, to get a certificate."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Certificate, Unit
from tests.learning.helpers import Learner, publish_course, sign_in

NO_QUIZZES = {"02-kuis-siklus.quiz.md": "", "03-kuis-akhir.gift": ""}


def complete_course(
    app,
    tmp_path: Path,
    *,
    unit: Unit | None = None,
    learner: Learner | None = None,
    slug: str = "dasar-proyek",
) -> tuple[Learner, Certificate]:  # type: ignore[no-untyped-def]
    """Publish a one-module course (if needed), enrol, complete; return the certificate."""
    from elearn.models import Course

    if db.session.scalar(select(Course).where(Course.slug == slug)) is None:
        publish_course(tmp_path, slug, **NO_QUIZZES)
    learner = learner or sign_in(app, **({"unit": unit} if unit else {}))
    learner.enroll(slug)
    learner.post(f"/learn/{slug}/siklus/complete")
    db.session.expire_all()
    certificate = db.session.scalar(
        select(Certificate)
        .where(Certificate.user_id == learner.user.id)
        .order_by(Certificate.id.desc())
    )
    assert certificate is not None
    return learner, certificate
