"""The figures of the evaluators' dashboard, scoped and filtered like every export.

Every figure is a fixed number of SQL aggregates, whatever the data size, over the
rollups (``elearn.reports.rollups``). The dashboard's date filter is in whole UTC
months (``whole_months``): the span rollups count enrolments and attempts by the
month the enrolment began and the month it was completed, so "enrolled or completed
in these months" is a sum too. Item analysis under a month filter comes from the
span score rollups, which are kept per instansi and per perangkat daerah; a scope
narrower than whole perangkat daerah counts its attempts in SQL (``paper_counts``),
found through the date indexes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, or_, select, union_all

from elearn.extensions import db
from elearn.learning.evaluation import EvaluationSummary, summaries
from elearn.models import (
    Course,
    CourseItem,
    CourseVersion,
    Enrollment,
    EnrollmentMonthCount,
    EnrollmentSpanCount,
    ItemKind,
    JpBandCount,
    QuestionScoreCount,
    QuizScoreCount,
    ScoreSpanCount,
    UnitUserCount,
    User,
)
from elearn.models.rollup import ATTEMPTS_KEY, NOT_COMPLETED
from elearn.reports.filters import (
    ReportFilter,
    apply_filter,
    base_statement,
    narrow_units,
    whole_months,
)
from elearn.reports.item_analysis import (
    ItemStat,
    QuestionCounts,
    ScoreCounts,
    item_stats,
    score_bands,
)
from elearn.reports.paper_counts import count_in_sql
from elearn.reports.range_counts import range_counts
from elearn.reports.rows import UnitNames

__all__ = ["JP_BANDS", "CourseRate", "Dashboard", "ItemStat", "build_dashboard"]

UTC_ZONE = ZoneInfo("UTC")
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
    # The filter the figures answer: its dates widened to whole UTC months.
    report_filter: ReportFilter = field(default_factory=ReportFilter)


@dataclass(frozen=True)
class _Scope:
    report_filter: ReportFilter
    units: set[int] | None  # the viewer's scope narrowed by the unit filter (None: all)
    zone: ZoneInfo  # the viewer's: the chart's months
    names: UnitNames
    allowed_units: set[int] | None

    def enrolments(self, statement: Any, *, dates: bool = True, unit_column: Any = None) -> Any:
        report_filter = self.report_filter
        if not dates:
            report_filter = ReportFilter(**{**report_filter.__dict__, "since": None, "until": None})
        return apply_filter(
            statement,
            report_filter,
            allowed_units=self.allowed_units,
            unit_ids_by_code=self.names.by_code,
            zone=UTC_ZONE,  # the filter's months are UTC months, as the span rollups count
            unit_column=User.unit_id if unit_column is None else unit_column,
        )

    def rollup(self, statement: Any, model: Any, *, courses: bool = False) -> Any:
        """Narrow a statement over a rollup.

        Joined to CourseVersion and Course only when the filter reads them or the caller
        selects from them (``courses``): the joins cost more than the sum itself
        (100 of 260 ms over ``question_score_count`` at 100,000 × 10).
        """
        report_filter = self.report_filter
        if courses or report_filter.course or report_filter.category or report_filter.competency:
            statement = statement.join(CourseVersion, model.version_id == CourseVersion.id)
        if courses or report_filter.course:
            statement = statement.join(Course, CourseVersion.course_id == Course.id)
        if self.units is not None:
            statement = statement.where(model.unit_id.in_(self.units))
        if self.report_filter.course:
            statement = statement.where(Course.slug == self.report_filter.course)
        if self.report_filter.category:
            statement = statement.where(CourseVersion.category == self.report_filter.category)
        if self.report_filter.competency:
            statement = statement.where(CourseVersion.competency == self.report_filter.competency)
        return statement

    @property
    def dated(self) -> bool:
        return bool(self.report_filter.since or self.report_filter.until)

    def in_months(self, model: Any) -> Any:
        """A span rollup's rows in the filter: enrolled, or completed, in its months."""
        since, until = self.report_filter.since, self.report_filter.until

        def within(column: Any) -> list[Any]:
            bounds = []
            if since is not None:
                bounds.append(column >= since)
            if until is not None:
                bounds.append(column <= until)  # month keys are first days
            return bounds

        completed = model.completed_month
        return or_(
            and_(*within(model.enrolled_month)),
            and_(completed != NOT_COMPLETED, *within(completed)),
        )

    def span_status(self, model: Any) -> Any:
        """The status filter on a span rollup (completed means a completed month)."""
        if self.report_filter.status == "completed":
            return model.completed_month != NOT_COMPLETED
        if self.report_filter.status == "in_progress":
            return model.completed_month == NOT_COMPLETED
        return literal(True)

    def span_nodes(self) -> set[int] | Literal[False]:
        """The instansi and perangkat daerah whose whole trees make up the scope (every
        instansi when unscoped), or False when it has a unit without the whole tree of
        that unit's perangkat daerah (a unit kerja alone; an instansi's own learners)."""
        names = self.names
        if self.units is None:
            return {u for u, parent in names.parent.items() if parent is None}
        if not self.units <= names.root.keys():
            return False
        root, office = names.root, names.perangkat_daerah
        trees, offices = Counter(root.values()), Counter(office.values())
        in_trees = Counter(root[u] for u in self.units)
        in_offices = Counter(office[u] for u in self.units)
        nodes = set()
        for unit in self.units:
            if in_trees[root[unit]] == trees[root[unit]]:
                nodes.add(root[unit])
            elif office[unit] != root[unit] and in_offices[office[unit]] == offices[office[unit]]:
                nodes.add(office[unit])
            else:
                return False
        return nodes


def build_dashboard(
    report_filter: ReportFilter, allowed_units: set[int] | None, zone: ZoneInfo, today: date
) -> Dashboard:
    """Compute every figure; each query is scoped to ``allowed_units`` (None: all)."""
    report_filter = whole_months(report_filter)
    names = UnitNames()
    units = narrow_units(report_filter, allowed_units, names.by_code)
    scope = _Scope(report_filter, units, zone, names, allowed_units)
    dashboard = Dashboard(report_filter=report_filter)
    _rates(dashboard, scope)
    _months(dashboard, scope, today)
    _jp(dashboard, units, today.year)
    _scores(dashboard, scope)
    _evaluations(dashboard, allowed_units)
    return dashboard


def _status_counts(status: str) -> tuple[Any, Any]:
    """Enrolments and completed ones per rollup row, for the status filter."""
    enrolled, completed = EnrollmentMonthCount.enrolled, EnrollmentMonthCount.enrolled_completed
    if status == "completed":
        return completed, completed
    if status == "in_progress":
        return enrolled - completed, literal(0)
    return enrolled, completed


def _rates(dashboard: Dashboard, scope: _Scope) -> None:
    if scope.dated:
        span = EnrollmentSpanCount
        n = span.enrollments
        c = case((span.completed_month != NOT_COMPLETED, span.enrollments), else_=0)
        title = func.max(case((n > 0, CourseVersion.title)))
        by_course = db.session.execute(
            scope.rollup(select(Course.slug, title, func.sum(n), func.sum(c)), span, courses=True)
            .where(scope.in_months(span), scope.span_status(span))
            .group_by(Course.slug)
            .having(func.sum(n) > 0)
            .order_by(Course.slug)
        )
        by_unit = db.session.execute(
            scope.rollup(select(span.unit_id, func.sum(n), func.sum(c)), span)
            .where(scope.in_months(span), scope.span_status(span))
            .group_by(span.unit_id)
            .having(func.sum(n) > 0)
        )
    else:
        n, c = _status_counts(scope.report_filter.status)
        title = func.max(case((n > 0, CourseVersion.title)))
        by_course = db.session.execute(
            scope.rollup(
                select(Course.slug, title, func.sum(n), func.sum(c)),
                EnrollmentMonthCount,
                courses=True,
            )
            .group_by(Course.slug)
            .having(func.sum(n) > 0)
            .order_by(Course.slug)
        )
        by_unit = db.session.execute(
            scope.rollup(
                select(EnrollmentMonthCount.unit_id, func.sum(n), func.sum(c)),
                EnrollmentMonthCount,
            )
            .group_by(EnrollmentMonthCount.unit_id)
            .having(func.sum(n) > 0)
        )
    dashboard.by_course = [CourseRate(s, t, int(n), int(c)) for s, t, n, c in by_course]
    rows = [CourseRate(str(u), scope.names.path.get(u, "?"), int(n), int(c)) for u, n, c in by_unit]
    dashboard.by_unit = sorted(rows, key=lambda r: r.title)


def _month_starts(today: date) -> list[tuple[int, int]]:
    """The last twelve months, oldest first, and the one after (its end)."""
    months = []
    year, month = today.year, today.month
    for _ in range(12):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months.reverse()
    year, month = months[-1]
    return [*months, (year, month + 1) if month < 12 else (year + 1, 1)]


def _months(dashboard: Dashboard, scope: _Scope, today: date) -> None:
    """Enrolments and completions in each of the last twelve months (viewer's zone)."""
    starts = _month_starts(today)
    local = [datetime(y, m, 1, tzinfo=scope.zone).astimezone(UTC) for y, m in starts]
    dashboard.months = [f"{m:02d}/{str(y)[2:]}" for y, m in starts[:-1]]
    # The rollups count UTC months; what lies between a local month start and
    # the UTC one is counted from the enrolments themselves (a few hours each).
    utc = [datetime(y, m, 1, tzinfo=UTC) for y, m in starts]
    edges = range_counts(
        scope.report_filter,
        scope.units,
        [(min(a, b), max(a, b)) for a, b in zip(local, utc, strict=True)],
        dates=scope.dated,
        zone=UTC_ZONE,  # the filter's months are UTC months, as the span rollups count
    )
    signs = [1 if a < b else -1 for a, b in zip(local, utc, strict=True)]
    shift_in = [s * int(v) for s, v in zip(signs, edges[0::2], strict=True)]
    shift_done = [s * int(v) for s, v in zip(signs, edges[1::2], strict=True)]
    shown = [date(y, m, 1) for y, m in starts[:-1]]
    per_month = _spans_per_month(scope, shown) if scope.dated else _per_month(scope, shown)
    enrolled, completed = [], []
    for i, month in enumerate(shown):
        a, b = per_month.get(month, (0, 0))
        enrolled.append(a + shift_in[i] - shift_in[i + 1])
        completed.append(b + shift_done[i] - shift_done[i + 1])
    dashboard.enrolments_per_month = enrolled
    dashboard.completions_per_month = completed


def _per_month(scope: _Scope, shown: list[date]) -> dict[date, tuple[int, int]]:
    """Enrolments and completions per UTC month, undated: ``enrollment_month_count``."""
    n, _ = _status_counts(scope.report_filter.status)
    done = (
        literal(0)
        if scope.report_filter.status == "in_progress"
        else EnrollmentMonthCount.completed
    )
    return {
        month: (int(a), int(b))
        for month, a, b in db.session.execute(
            scope.rollup(
                select(EnrollmentMonthCount.month, func.sum(n), func.sum(done)),
                EnrollmentMonthCount,
            )
            .where(EnrollmentMonthCount.month.in_(shown))
            .group_by(EnrollmentMonthCount.month)
        )
    }


def _spans_per_month(scope: _Scope, shown: list[date]) -> dict[date, tuple[int, int]]:
    """The same under a month filter, from ``enrollment_span_count`` (one statement)."""
    span = EnrollmentSpanCount

    def per(column: Any, kind: int) -> Any:
        return (
            scope.rollup(select(literal(kind), column, func.sum(span.enrollments)), span)
            .where(scope.in_months(span), scope.span_status(span), column.in_(shown))
            .group_by(column)
        )

    found: dict[date, list[int]] = {}
    both = union_all(per(span.enrolled_month, 0), per(span.completed_month, 1))
    for kind, month, count in db.session.execute(both):
        key = month if isinstance(month, date) else date.fromisoformat(str(month))
        found.setdefault(key, [0, 0])[int(kind)] += int(count)
    return {month: (a, b) for month, (a, b) in found.items()}


def _jp(dashboard: Dashboard, units: set[int] | None, year: int) -> None:
    """How many learners in scope stand at 0, under 10, under 20 and at 20+ JP this year.

    Two sums over per-unit rollups (``learner_rollups``): the active accounts, and
    those in bands 1–3; band 0 is the difference.
    """
    accounts = select(func.coalesce(func.sum(UnitUserCount.users), 0))
    bands = (
        select(JpBandCount.band, func.sum(JpBandCount.users))
        .where(JpBandCount.year == year)
        .group_by(JpBandCount.band)
    )
    if units is not None:
        accounts = accounts.where(UnitUserCount.unit_id.in_(units))
        bands = bands.where(JpBandCount.unit_id.in_(units))
    counted = [0, 0, 0, 0]
    for band, users in db.session.execute(bands):
        counted[int(band)] = int(users)
    counted[0] = int(db.session.execute(accounts).scalar_one()) - sum(counted)
    dashboard.jp_bands = counted
    dashboard.jp_year = year


def _status(statement: Any, model: Any, completed: bool | None) -> Any:
    """Narrow a score rollup to completed or unfinished enrolments (None: both)."""
    return statement if completed is None else statement.where(model.completed.is_(completed))


def _scores(dashboard: Dashboard, scope: _Scope) -> None:
    """Score distribution of submitted attempts and per-question item analysis."""
    scores: ScoreCounts
    questions: QuestionCounts
    nodes = scope.span_nodes() if scope.dated else False
    if nodes is not False:
        scores, questions = _span_scores(scope, nodes)
    elif scope.dated:
        # Narrower than whole perangkat daerah: count the attempts of the enrolments in range,
        # found through the date indexes that cover the enrolment's unit (filtering on the
        # learner's unit walked every learner of the unit: 620 of 1,130 ms for one office).
        scores, questions = count_in_sql(
            scope.enrolments(base_statement(), unit_column=Enrollment.unit_id)
        )
    else:
        status = scope.report_filter.status
        only: Any = None if not status else status == "completed"
        scores = {
            (quiz, score): int(n)
            for quiz, score, n in db.session.execute(
                _status(
                    scope.rollup(
                        select(
                            QuizScoreCount.quiz,
                            QuizScoreCount.score,
                            func.sum(QuizScoreCount.attempts),
                        ),
                        QuizScoreCount,
                    ),
                    QuizScoreCount,
                    only,
                ).group_by(QuizScoreCount.quiz, QuizScoreCount.score)
            )
        }
        q = QuestionScoreCount
        questions = {
            (quiz, key, score): (int(a), int(c))
            for quiz, key, score, a, c in db.session.execute(
                _status(
                    scope.rollup(
                        select(
                            q.quiz,
                            q.question_key,
                            q.score,
                            func.sum(q.answered),
                            func.sum(q.correct),
                        ),
                        q,
                    ),
                    q,
                    only,
                ).group_by(q.quiz, q.question_key, q.score)
            )
        }
    dashboard.score_bands = score_bands(scores)
    titles = sorted({quiz for quiz, _ in scores})
    names: dict[tuple[str, str], str] = {}
    quizzes = select(CourseItem.title, CourseItem.quiz).where(
        CourseItem.kind == ItemKind.QUIZ, CourseItem.title.in_(titles)
    )
    for title, quiz in db.session.execute(quizzes):
        for question in (quiz or {}).get("questions", []):
            names[(title, question["key"])] = question["name"]
    dashboard.items = item_stats(scores, questions, names)


def _span_scores(scope: _Scope, nodes: set[int]) -> tuple[ScoreCounts, QuestionCounts]:
    """Score and question counts under a month filter, from the ``score_span_count`` rows
    of ``nodes`` (disjoint trees): one statement (its ``ATTEMPTS_KEY`` rows count attempts)."""
    span = ScoreSpanCount
    statement = _without_units(scope).rollup(
        select(
            span.quiz,
            span.question_key,
            span.score,
            func.sum(span.answered),
            func.sum(span.correct),
        ),
        span,
    )
    statement = statement.where(
        span.node_id.in_(nodes), scope.in_months(span), scope.span_status(span)
    ).group_by(span.quiz, span.question_key, span.score)
    scores: ScoreCounts = {}
    questions: QuestionCounts = {}
    for title, key, score, answered, correct in db.session.execute(statement):
        if key == ATTEMPTS_KEY:
            scores[(title, float(score))] = int(answered)
        else:
            questions[(title, key, float(score))] = (int(answered), int(correct))
    return scores, questions


def _without_units(scope: _Scope) -> _Scope:
    """The scope with no unit narrowing (the span score rollups are keyed by node)."""
    return _Scope(scope.report_filter, None, scope.zone, scope.names, scope.allowed_units)


def _evaluations(dashboard: Dashboard, allowed_units: set[int] | None) -> None:
    course_ids = dict(db.session.execute(select(Course.slug, Course.id)).all())
    found = summaries(list(course_ids.values()), allowed_units)
    dashboard.evaluations = [
        (rate, found.get(course_ids.get(rate.slug, -1))) for rate in dashboard.by_course
    ]
