"""Certificates: issued once per learner and course version, signed, revocable."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime
from elearn.models.course import CourseVersion
from elearn.models.learning import Enrollment
from elearn.models.user import User


class Certificate(Base):
    """The certificate of one completed enrolment.

    ``payload`` is the signed snapshot of what the certificate says; the PDF,
    the verification page and the credential are all made from it, so later
    changes to names or courses never alter an issued certificate.
    """

    __tablename__ = "certificate"
    __table_args__ = (
        UniqueConstraint("user_id", "version_id"),
        UniqueConstraint("enrollment_id"),
        UniqueConstraint("year", "sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(43), unique=True)
    number: Mapped[str] = mapped_column(String(120), unique=True)
    year: Mapped[int]
    sequence: Mapped[int]
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id", ondelete="RESTRICT"))
    version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id", ondelete="RESTRICT"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    signature: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(64))
    # Who issues its credentials; NULL: the platform (every certificate issued before
    # issuers were per instansi, and courses of no instansi).
    issuer_id: Mapped[int | None] = mapped_column(
        ForeignKey("issuer_profile.id", ondelete="RESTRICT"), index=True
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    enrollment: Mapped[Enrollment] = relationship()
    version: Mapped[CourseVersion] = relationship()
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class CertificateCounter(Base):
    """The last certificate sequence number handed out in a year.

    One row per year, incremented by an upsert: parallel issuers queue on the
    row for a moment instead of racing for ``max(sequence) + 1`` and failing.
    """

    __tablename__ = "certificate_counter"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_sequence: Mapped[int]


# Exactly one owner per entry: a course certificate, a badge or a program certificate.
ONE_CREDENTIAL = (
    "(CASE WHEN certificate_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN badge_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN program_certificate_id IS NULL THEN 0 ELSE 1 END) = 1"
)


class StatusListEntry(Base):
    """A credential's bit in its issuer's W3C Bitstring Status List (statusPurpose revocation).

    Every certificate, program certificate and Pembelajar ASN badge holds one entry. The
    index is drawn at random (so neighbouring indexes tell nothing about issue order or
    person); the unique constraint on (list, index) makes each bit belong to one credential
    however many issuers draw at once. ``revoked`` is the bit, flipped in the transaction
    that revokes.
    """

    __tablename__ = "status_list_entry"
    __table_args__ = (
        UniqueConstraint("list_no", "status_index"),
        CheckConstraint(ONE_CREDENTIAL, name="one_credential"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_no: Mapped[int]  # which list of the issuer: /certificates/status/<list_no>
    status_index: Mapped[int]
    certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificate.id", ondelete="RESTRICT"), unique=True
    )
    badge_id: Mapped[int | None] = mapped_column(
        ForeignKey("jp_badge.id", ondelete="RESTRICT"), unique=True
    )
    program_certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("program_certificate.id", ondelete="RESTRICT"), unique=True
    )
    revoked: Mapped[bool] = mapped_column(default=False)
    # When the entry was made or its bit last flipped: the list's validFrom and ETag move.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
