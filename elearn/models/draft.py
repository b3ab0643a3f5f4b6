"""Course sources kept for editing: each version's folder, and the one draft being edited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow
from elearn.models.course import Course, CourseVersion
from elearn.models.user import User


class CourseSource(Base):
    """The course folder a version was made from, as a zip: where a draft starts."""

    __tablename__ = "course_source"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)

    version: Mapped[CourseVersion] = relationship()


class CourseDraft(Base):
    """A course's folder being edited in the browser; every save raises ``revision``.

    One per course, so that coordinators editing the same course see each
    other's saves (a save based on an older revision is refused, not merged).
    """

    __tablename__ = "course_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), unique=True)
    revision: Mapped[int] = mapped_column(default=1)
    based_on: Mapped[int | None]  # the version number it was opened from or last published as
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship()
    updated_by: Mapped[User | None] = relationship()
    files: Mapped[list[CourseDraftFile]] = relationship(
        back_populates="draft", order_by="CourseDraftFile.path", cascade="all, delete-orphan"
    )


class CourseDraftFile(Base):
    """One file of a draft, by its path inside the course folder (``assets/x.png``)."""

    __tablename__ = "course_draft_file"

    draft_id: Mapped[int] = mapped_column(
        ForeignKey("course_draft.id", ondelete="CASCADE"), primary_key=True
    )
    path: Mapped[str] = mapped_column(String(255), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)

    draft: Mapped[CourseDraft] = relationship(back_populates="files")
