"""Counters kept in the same transaction as the events they count, so reports stay exact.

Each row is a sum; the dashboard adds rows up instead of reading every
enrolment or attempt. ``elearn.reports.rollups`` is the only writer.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from elearn.models.base import Base


class EnrollmentMonthCount(Base):
    """Enrolments and completions of one unit's learners in one course version, per UTC month."""

    __tablename__ = "enrollment_month_count"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # first day, UTC
    enrolled: Mapped[int] = mapped_column(default=0)  # enrolled in this month
    enrolled_completed: Mapped[int] = mapped_column(default=0)  # of those, completed by now
    completed: Mapped[int] = mapped_column(default=0)  # completed in this month


class LearnerJpYear(Base):
    """Platform JP a learner earned in a UTC year (revoked certificates taken off)."""

    __tablename__ = "learner_jp_year"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    jp: Mapped[int] = mapped_column(default=0)


class QuizScoreCount(Base):
    """Submitted attempts at one score, by learner unit, enrolment version and completion."""

    __tablename__ = "quiz_score_count"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id", ondelete="CASCADE"), primary_key=True
    )
    quiz: Mapped[str] = mapped_column(String(200), primary_key=True)  # the quiz's title
    # Whether the enrolment is completed: keyed so the status filter is a sum too
    # (the rows move when the enrolment completes, rollups.completed).
    completed: Mapped[bool] = mapped_column(primary_key=True)
    score: Mapped[float] = mapped_column(primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)


class QuestionScoreCount(Base):
    """How often a question was answered, and answered right, in attempts at one score."""

    __tablename__ = "question_score_count"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id", ondelete="CASCADE"), primary_key=True
    )
    quiz: Mapped[str] = mapped_column(String(200), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    completed: Mapped[bool] = mapped_column(primary_key=True)  # as in QuizScoreCount
    score: Mapped[float] = mapped_column(primary_key=True)
    answered: Mapped[int] = mapped_column(default=0)
    correct: Mapped[int] = mapped_column(default=0)


class CourseEvaluationCount(Base):
    """Reaction surveys of one unit's learners on one course: how many, and their rating sums."""

    __tablename__ = "course_evaluation_count"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), primary_key=True
    )
    responses: Mapped[int] = mapped_column(default=0)
    relevance: Mapped[int] = mapped_column(default=0)  # sums; the summary divides
    clarity: Mapped[int] = mapped_column(default=0)
    applicability: Mapped[int] = mapped_column(default=0)


class LearnerJpTotal(Base):
    """All JP a learner earned in a UTC year: platform (as LearnerJpYear) plus verified external."""

    __tablename__ = "learner_jp_total"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    jp: Mapped[int] = mapped_column(default=0)


class UnitUserCount(Base):
    """Active accounts in a unit: the JP bands' population."""

    __tablename__ = "unit_user_count"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True
    )
    users: Mapped[int] = mapped_column(default=0)


class JpBandCount(Base):
    """Active accounts of a unit whose JP of a UTC year (platform, verified external) is in a band.

    Bands 1–3 only (1–9, 10–19, ≥ 20 JP); band 0 is the unit's active accounts minus these.
    """

    __tablename__ = "jp_band_count"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    band: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    users: Mapped[int] = mapped_column(default=0)


# completed_month of an enrolment not (yet) completed: key columns cannot be NULL.
NOT_COMPLETED = date(9999, 12, 1)


class EnrollmentSpanCount(Base):
    """Enrolments of one unit's learners in one version, by UTC month enrolled and completed.

    Answers the dashboard's month filter ("enrolled or completed in these months") and
    its chart under that filter; ``completed_month`` is ``NOT_COMPLETED`` while open.
    """

    __tablename__ = "enrollment_span_count"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id", ondelete="CASCADE"), primary_key=True
    )
    enrolled_month: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    completed_month: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    enrollments: Mapped[int] = mapped_column(default=0)


# The question_key of a ScoreSpanCount row that counts attempts (question keys are hashes).
ATTEMPTS_KEY = ""


class ScoreSpanCount(Base):
    """Submitted attempts at one score, and answered/correct per question, by unit-tree node,
    version and the enrolment's span months.

    ``node_id`` is an instansi or a perangkat daerah (a unit directly under an instansi); a
    row counts the attempts of the learners anywhere in that node's tree, so each attempt
    is counted twice (its learner's instansi and perangkat daerah; once for a learner of the
    instansi itself). A scope made of whole instansi or whole perangkat daerah is then a sum;
    only a scope below a perangkat daerah is counted from the attempts (``paper_counts``).
    The cost is size: at 100,000 × 10 with 8 perangkat daerah per instansi, 6.8× the
    instansi rows (3.1 M rows); keyed by every unit it would be ~25×.

    The rows with ``question_key`` = ``ATTEMPTS_KEY`` count attempts (in ``answered``); one
    table rather than a quiz and a question table, so scoring an attempt writes one more
    statement, not two (the quiz submit has a statement budget).
    """

    __tablename__ = "score_span_count"
    # The node leads the month indexes: a sum over instansi must not read the perangkat
    # daerah rows of the same months (they are most of the table).
    __table_args__ = (
        Index("ix_score_span_count_node_id_enrolled_month", "node_id", "enrolled_month"),
        Index("ix_score_span_count_node_id_completed_month", "node_id", "completed_month"),
    )

    node_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id", ondelete="CASCADE"), primary_key=True
    )
    quiz: Mapped[str] = mapped_column(String(200), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    enrolled_month: Mapped[date] = mapped_column(Date, primary_key=True)
    completed_month: Mapped[date] = mapped_column(Date, primary_key=True)
    score: Mapped[float] = mapped_column(primary_key=True)
    answered: Mapped[int] = mapped_column(default=0)
    correct: Mapped[int] = mapped_column(default=0)
