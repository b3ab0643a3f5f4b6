"""What the learner gets on finishing a course: the certificate, and the optional evaluation."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Certificate, CourseEvaluation, Enrollment


@dataclass(frozen=True)
class Completion:
    """A completed enrolment's certificate (None until issued, or when the course has none)."""

    enrollment: Enrollment
    certificate: Certificate | None
    evaluated: bool

    @property
    def certificate_pending(self) -> bool:
        """The course gives a certificate that is not issued yet (workers issue it shortly)."""
        return self.certificate is None and self.enrollment.version.certificate


def completion_of(enrollment: Enrollment) -> Completion:
    """Read the certificate and the evaluation of a completed enrolment."""
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.enrollment_id == enrollment.id)
    )
    evaluated = db.session.scalar(
        select(CourseEvaluation.id).where(CourseEvaluation.enrollment_id == enrollment.id)
    )
    return Completion(enrollment, certificate, evaluated is not None)
