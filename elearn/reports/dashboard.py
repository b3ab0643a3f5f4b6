"""The figures of the evaluators' dashboard, scoped and filtered like every export."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from statistics import mean
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, extract, func, or_, select

from elearn.extensions import db
from elearn.learning.evaluation import EvaluationSummary, summaries
from elearn.models import (
    Certificate,
    Course,
    CourseItem,
    CourseVersion,
    Enrollment,
    ExternalTraining,
    QuizAttempt,
    ReviewStatus,
    User,
)
from elearn.reports.filters import ReportFilter, apply_filter, base_statement, narrow_units
from elearn.reports.rows import UnitNames

JP_BANDS = ("0 JP", "1–9 JP", "10–19 JP", "≥ 20 JP")


@dataclass(frozen=True)
class CourseRate:
    slug: str
    title: str
    enrolled: int
    completed: int

    @property
    def rate(self) -> float:
        return round(100 * self.completed / self.enrolled, 1) if self.enrolled else 0.0


@dataclass(frozen=True)
class ItemStat:
    quiz: str
    key: str
    name: str
    answered: int
    difficulty: float  # share answering correctly, 0–1
    discrimination: float  # upper-group share minus lower-group share, −1–1

    @property
    def flagged(self) -> bool:
        """Worth a second look: almost nobody or everybody right, or weak discrimination."""
        return self.answered >= 5 and (
            self.difficulty < 0.2 or self.difficulty > 0.95 or self.discrimination < 0.2
        )


@dataclass
class Dashboard:
    by_course: list[CourseRate] = field(default_factory=list)
    by_unit: list[CourseRate] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    enrolments_per_month: list[int] = field(default_factory=list)
    completions_per_month: list[int] = field(default_factory=list)
    jp_bands: list[int] = field(default_factory=list)
    jp_year: int = 0
    score_bands: list[int] = field(default_factory=list)
    items: list[ItemStat] = field(default_factory=list)
    evaluations: list[tuple[CourseRate, EvaluationSummary | None]] = field(default_factory=list)


def build_dashboard(
    report_filter: ReportFilter, allowed_units: set[int] | None, zone: ZoneInfo, today: date
) -> Dashboard:
    """Compute every figure; each query is scoped to ``allowed_units`` (None: all)."""
    names = UnitNames()
    scoped = apply_filter(
        base_statement(),
        report_filter,
        allowed_units=allowed_units,
        unit_ids_by_code=names.by_code,
        zone=zone,
    ).subquery()
    enrollment_ids = select(scoped.c.id)
    dashboard = Dashboard()
    _rates(dashboard, enrollment_ids, names)
    _months(dashboard, enrollment_ids, zone, today)
    _jp(dashboard, allowed_units, report_filter, names, today.year)
    _scores(dashboard, enrollment_ids)
    _evaluations(dashboard, allowed_units)
    return dashboard


def _rates(dashboard: Dashboard, enrollment_ids: Any, names: UnitNames) -> None:
    completed = func.count(Enrollment.completed_at)
    by_course = db.session.execute(
        select(Course.slug, func.max(CourseVersion.title), func.count(Enrollment.id), completed)
        .join(Course, Enrollment.course_id == Course.id)
        .join(CourseVersion, Enrollment.version_id == CourseVersion.id)
        .where(Enrollment.id.in_(enrollment_ids))
        .group_by(Course.slug)
        .order_by(Course.slug)
    )
    dashboard.by_course = [CourseRate(s, t, n, c) for s, t, n, c in by_course]
    by_unit = db.session.execute(
        select(User.unit_id, func.count(Enrollment.id), completed)
        .join(User, Enrollment.user_id == User.id)
        .where(Enrollment.id.in_(enrollment_ids))
        .group_by(User.unit_id)
    )
    rows = [CourseRate(str(u), names.path.get(u, "?"), n, c) for u, n, c in by_unit]
    dashboard.by_unit = sorted(rows, key=lambda r: r.title)


def _months(dashboard: Dashboard, enrollment_ids: Any, zone: ZoneInfo, today: date) -> None:
    """Enrolments and completions in each of the last twelve months (viewer's zone)."""
    months = []
    year, month = today.year, today.month
    for _ in range(12):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months.reverse()
    enrolled: Counter[tuple[int, int]] = Counter()
    completed: Counter[tuple[int, int]] = Counter()
    rows = db.session.execute(
        select(Enrollment.enrolled_at, Enrollment.completed_at).where(
            Enrollment.id.in_(enrollment_ids)
        )
    )
    for enrolled_at, completed_at in rows:
        local = enrolled_at.astimezone(zone)
        enrolled[(local.year, local.month)] += 1
        if completed_at is not None:
            done = completed_at.astimezone(zone)
            completed[(done.year, done.month)] += 1
    dashboard.months = [f"{m:02d}/{str(y)[2:]}" for y, m in months]
    dashboard.enrolments_per_month = [enrolled[m] for m in months]
    dashboard.completions_per_month = [completed[m] for m in months]


def _jp(
    dashboard: Dashboard,
    allowed_units: set[int] | None,
    report_filter: ReportFilter,
    names: UnitNames,
    year: int,
) -> None:
    """How many learners in scope stand at 0, under 10, under 20 and at 20+ JP this year."""
    learners = select(User.id).where(User.is_active.is_(True))
    units = narrow_units(report_filter, allowed_units, names.by_code)
    if units is not None:
        learners = learners.where(User.unit_id.in_(units))
    totals: defaultdict[int, int] = defaultdict(int)
    for user_id in db.session.scalars(learners):
        totals[user_id] = 0
    platform = db.session.execute(
        select(Enrollment.user_id, func.sum(CourseVersion.jp))
        .join(CourseVersion, Enrollment.version_id == CourseVersion.id)
        .outerjoin(Certificate, Certificate.enrollment_id == Enrollment.id)
        .where(
            Enrollment.user_id.in_(learners),
            extract("year", Enrollment.completed_at) == year,
            or_(Certificate.id.is_(None), Certificate.revoked_at.is_(None)),
        )
        .group_by(Enrollment.user_id)
    )
    external = db.session.execute(
        select(ExternalTraining.user_id, func.sum(ExternalTraining.jp))
        .where(
            and_(
                ExternalTraining.user_id.in_(learners),
                ExternalTraining.status == ReviewStatus.VERIFIED,
                extract("year", ExternalTraining.finished_on) == year,
            )
        )
        .group_by(ExternalTraining.user_id)
    )
    for user_id, jp in [*platform, *external]:
        totals[user_id] += int(jp or 0)
    bands = [0, 0, 0, 0]
    for jp in totals.values():
        bands[0 if jp == 0 else 1 if jp < 10 else 2 if jp < 20 else 3] += 1
    dashboard.jp_bands = bands
    dashboard.jp_year = year


def _scores(dashboard: Dashboard, enrollment_ids: Any) -> None:
    """Score distribution of submitted attempts and per-question item analysis."""
    attempts = db.session.execute(
        select(QuizAttempt.score, QuizAttempt.results, CourseItem.title, CourseItem.quiz)
        .join(CourseItem, QuizAttempt.item_id == CourseItem.id)
        .where(QuizAttempt.enrollment_id.in_(enrollment_ids), QuizAttempt.submitted_at.is_not(None))
    ).all()
    bands = [0] * 10
    by_quiz: defaultdict[str, list[tuple[float, dict[str, bool]]]] = defaultdict(list)
    questions: dict[tuple[str, str], str] = {}
    for score, results, title, quiz in attempts:
        bands[min(9, int((score or 0) // 10))] += 1
        correct = {r["key"]: bool(r["correct"]) for r in results or [] if r.get("scored", True)}
        by_quiz[title].append((score or 0.0, correct))
        for question in (quiz or {}).get("questions", []):
            questions[(title, question["key"])] = question["name"]
    dashboard.score_bands = bands
    dashboard.items = sorted(
        (
            stat
            for title, rows in by_quiz.items()
            for stat in _item_analysis(title, rows, questions)
        ),
        key=lambda s: (s.quiz, s.difficulty),
    )


def _item_analysis(
    title: str, rows: list[tuple[float, dict[str, bool]]], names: dict[tuple[str, str], str]
) -> list[ItemStat]:
    """Classical item analysis with the upper and lower 27 % of attempts by total score."""
    ordered = sorted(rows, key=lambda row: row[0])
    group = max(1, round(len(ordered) * 0.27))
    lower, upper = ordered[:group], ordered[-group:]
    keys = {key for _, answers in rows for key in answers}
    stats = []
    for key in keys:
        answered = [answers[key] for _, answers in rows if key in answers]

        def share(part: list[tuple[float, dict[str, bool]]], key: str = key) -> float:
            seen = [answers[key] for _, answers in part if key in answers]
            return mean(seen) if seen else 0.0

        stats.append(
            ItemStat(
                quiz=title,
                key=key,
                name=names.get((title, key), key),
                answered=len(answered),
                difficulty=round(mean(answered), 2),
                discrimination=round(share(upper) - share(lower), 2),
            )
        )
    return stats


def _evaluations(dashboard: Dashboard, allowed_units: set[int] | None) -> None:
    course_ids = dict(db.session.execute(select(Course.slug, Course.id)).all())
    found = summaries(list(course_ids.values()), allowed_units)
    dashboard.evaluations = [
        (rate, found.get(course_ids.get(rate.slug, -1))) for rate in dashboard.by_course
    ]
