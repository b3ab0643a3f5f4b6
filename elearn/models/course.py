"""Courses and their immutable, content-addressed versions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow
from elearn.models.unit import Unit
from elearn.models.user import User


class VersionStatus(StrEnum):
    DRAFT = "draft"  # uploaded and valid, visible to its coordinators only
    PUBLISHED = "published"  # the version new learners enrol in
    ARCHIVED = "archived"  # superseded or withdrawn; enrolled learners may finish it


class ItemKind(StrEnum):
    MODULE = "module"
    QUIZ = "quiz"


class Course(Base):
    """A course identified by its slug; the content lives in its versions."""

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # The unit whose coordinators manage it; NULL means platform-wide (admins only).
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit | None] = relationship()
    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course", order_by="CourseVersion.number", cascade="all, delete-orphan"
    )

    @property
    def published_version(self) -> CourseVersion | None:
        return next((v for v in self.versions if v.status == VersionStatus.PUBLISHED), None)

    @property
    def latest_version(self) -> CourseVersion | None:
        return self.versions[-1] if self.versions else None


class CourseVersion(Base):
    """One immutable snapshot of a course folder, named by its content hash."""

    __tablename__ = "course_version"
    __table_args__ = (
        UniqueConstraint("course_id", "content_hash"),
        UniqueConstraint("course_id", "number"),
        # At most one published version per course, enforced by the database.
        Index(
            "uq_course_version_one_published",
            "course_id",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[VersionStatus] = mapped_column(String(12), default=VersionStatus.DRAFT)

    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(1000))
    category: Mapped[str] = mapped_column(String(80), index=True)
    competency: Mapped[str] = mapped_column(String(20))
    jp: Mapped[int]
    level: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5))
    prerequisites: Mapped[list[str]] = mapped_column(JSON, default=list)
    certificate: Mapped[bool] = mapped_column(default=True)
    # Days after completion for the follow-up survey; None: the platform's FOLLOW_UP_DAYS.
    follow_up_days: Mapped[int | None]
    overview_html: Mapped[str] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    course: Mapped[Course] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()
    items: Mapped[list[CourseItem]] = relationship(
        back_populates="version", order_by="CourseItem.position", cascade="all, delete-orphan"
    )
    assets: Mapped[list[CourseAsset]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]

    @property
    def modules(self) -> list[CourseItem]:
        return [item for item in self.items if item.kind == ItemKind.MODULE]

    @property
    def quizzes(self) -> list[CourseItem]:
        return [item for item in self.items if item.kind == ItemKind.QUIZ]

    @property
    def minutes(self) -> int:
        return sum(item.minutes or 0 for item in self.items)


class CourseItem(Base):
    """A module or a quiz of a version, rendered to sanitised HTML at publish time."""

    __tablename__ = "course_item"
    __table_args__ = (
        UniqueConstraint("version_id", "position"),
        UniqueConstraint("version_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))  # file name without extension
    kind: Mapped[ItemKind] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int | None]
    # Hash of the item's own source: progress carries over to a new version
    # for items whose hash is unchanged.
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    source_format: Mapped[str] = mapped_column(String(12))  # markdown | quiz.md | gift
    html: Mapped[str] = mapped_column(Text, default="")
    toc: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Quiz only: settings and the question pool, answer keys included. Never
    # sent to a learner's browser as is; the quiz engine builds papers from it.
    quiz: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Quiz only: "pre_test" or "post_test" (QuizRole) for the level-2 learning gain, kept
    # out of the JSON so the gain report can find the items in SQL.
    quiz_role: Mapped[str | None] = mapped_column(String(10))

    version: Mapped[CourseVersion] = relationship(back_populates="items")


class CourseAsset(Base):
    """A file from a course's ``assets/`` folder, stored with its version."""

    __tablename__ = "course_asset"
    __table_args__ = (UniqueConstraint("version_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(String(255))  # relative to assets/
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    version: Mapped[CourseVersion] = relationship(back_populates="assets")
