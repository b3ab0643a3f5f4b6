"""Competency standards: the dictionary, the levels each jabatan requires, assessed levels."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow
from elearn.models.course import CourseVersion
from elearn.models.user import User

MIN_LEVEL, MAX_LEVEL = 1, 5  # PermenPANRB 38/2017: every competency has levels 1–5


class CompetencyKind(StrEnum):
    """The kinds of PermenPANRB 38/2017; the same values as a course's ``competency:``."""

    TEKNIS = "teknis"
    MANAJERIAL = "manajerial"
    SOSIAL_KULTURAL = "sosial-kultural"


class Competency(Base):
    """One entry of the competency dictionary, e.g. M.01 Integritas."""

    __tablename__ = "competency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CompetencyKind] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    levels: Mapped[list[CompetencyLevel]] = relationship(
        back_populates="competency", order_by="CompetencyLevel.level", cascade="all, delete-orphan"
    )

    def description(self, level: int) -> str:
        return next((lv.description for lv in self.levels if lv.level == level), "")


class CompetencyLevel(Base):
    """What a competency means at one level (the regulation's behavioural description)."""

    __tablename__ = "competency_level"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 5", name="level_in_range"),)

    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competency.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[int] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(Text)

    competency: Mapped[Competency] = relationship(back_populates="levels")


class CompetencyStandard(Base):
    """The level a jabatan requires of one competency.

    The jabatan is matched to ``User.position`` as written (trimmed), as both come from
    the agency's own lists.
    """

    __tablename__ = "competency_standard"
    __table_args__ = (
        UniqueConstraint("position", "competency_id"),
        CheckConstraint("required_level BETWEEN 1 AND 5", name="level_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[str] = mapped_column(String(200))
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competency.id", ondelete="CASCADE"), index=True
    )
    required_level: Mapped[int]

    competency: Mapped[Competency] = relationship()


class CompetencyAssessment(Base):
    """A level measured for a learner (assessment centre, uji kompetensi…); the latest counts."""

    __tablename__ = "competency_assessment"
    __table_args__ = (
        UniqueConstraint(
            "user_id",
            "competency_id",
            "assessed_on",
            "source",
            name="uq_competency_assessment_once_per_source",  # the default is over 63 chars
        ),
        CheckConstraint("level BETWEEN 1 AND 5", name="level_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competency.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int]
    assessed_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    competency: Mapped[Competency] = relationship()


class CourseCompetency(Base):
    """A competency a course version develops, and to which level (its ``kompetensi:``)."""

    __tablename__ = "course_competency"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 5", name="level_in_range"),)

    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id", ondelete="CASCADE"), primary_key=True
    )
    # The code, not a key: a version is immutable, and stays readable if the dictionary changes.
    competency_code: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)
    level: Mapped[int]

    version: Mapped[CourseVersion] = relationship()
