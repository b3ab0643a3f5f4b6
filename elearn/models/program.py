"""Learning paths (programs): ordered courses, the learners who follow them, their certificates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow
from elearn.models.course import Course, VersionStatus
from elearn.models.unit import Unit
from elearn.models.user import User


class Program(Base):
    """A program identified by its slug (its folder in ``courses/``); content lives in versions."""

    __tablename__ = "program"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit | None] = relationship()
    versions: Mapped[list[ProgramVersion]] = relationship(
        back_populates="program", order_by="ProgramVersion.number", cascade="all, delete-orphan"
    )

    @property
    def published_version(self) -> ProgramVersion | None:
        return next((v for v in self.versions if v.status == VersionStatus.PUBLISHED), None)


class ProgramVersion(Base):
    """One immutable snapshot of a program.md: its title and which courses, in which steps."""

    __tablename__ = "program_version"
    __table_args__ = (
        UniqueConstraint("program_id", "content_hash"),
        UniqueConstraint("program_id", "number"),
        Index(
            "uq_program_version_one_published",
            "program_id",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[VersionStatus] = mapped_column(String(12), default=VersionStatus.PUBLISHED)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # berurutan: each step stays locked until the step before it is done.
    sequential: Mapped[bool] = mapped_column(default=False)
    # The steps' elective rules, by step position: {"3": {"title": ..., "choose": 1}}.
    electives: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    program: Mapped[Program] = relationship(back_populates="versions")
    courses: Mapped[list[ProgramCourse]] = relationship(
        back_populates="version",
        order_by="(ProgramCourse.step, ProgramCourse.position)",
        cascade="all, delete-orphan",
    )


class ProgramCourse(Base):
    """A course of a program version, pinned by id, in a step (one course, or an elective group)."""

    __tablename__ = "program_course"
    __table_args__ = (
        UniqueConstraint("version_id", "course_id"),
        UniqueConstraint("version_id", "step", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("program_version.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[int]  # 1-based; a required course is a step of its own
    position: Mapped[int]  # within the step (elective groups hold several)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="RESTRICT"), index=True)

    version: Mapped[ProgramVersion] = relationship(back_populates="courses")
    course: Mapped[Course] = relationship()


class ProgramEnrollment(Base):
    """One learner following one program, in the version they enrolled in."""

    __tablename__ = "program_enrollment"
    __table_args__ = (UniqueConstraint("user_id", "program_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    program_id: Mapped[int] = mapped_column(
        ForeignKey("program.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("program_version.id", ondelete="RESTRICT"))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    program: Mapped[Program] = relationship()
    version: Mapped[ProgramVersion] = relationship()


class ProgramCertificate(Base):
    """The one certificate of a completed program enrolment.

    Numbered from the same yearly counter and signed with the same key as course
    certificates. ``payload`` pins the course versions completed and their JP; the
    unique constraint on the enrolment makes it exactly once.
    """

    __tablename__ = "program_certificate"
    __table_args__ = (UniqueConstraint("program_enrollment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(43), unique=True)
    number: Mapped[str] = mapped_column(String(120), unique=True)
    year: Mapped[int]
    sequence: Mapped[int]
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    program_enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("program_enrollment.id", ondelete="RESTRICT")
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("program_version.id", ondelete="RESTRICT"))
    jp: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    signature: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(64))
    # Who issues its credentials: the program's instansi, as for course certificates;
    # NULL: the platform (programs of no unit, and certificates issued before 0029p).
    issuer_id: Mapped[int | None] = mapped_column(
        ForeignKey("issuer_profile.id", ondelete="RESTRICT"), index=True
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    version: Mapped[ProgramVersion] = relationship()
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
