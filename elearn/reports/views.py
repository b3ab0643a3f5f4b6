"""Reports for coordinators and evaluators, scoped to their units."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from elearn import clock
from elearn.accounts.services import scoped_unit_ids
from elearn.auth.access import role_required
from elearn.coordinator.scope import can_manage, manageable_courses
from elearn.extensions import db
from elearn.i18n import zone_of
from elearn.learning.evaluation import comments, summaries
from elearn.main.input_guard import page_number, query_int
from elearn.models import AuditEntry, Course, Role, User
from elearn.replica import read_from_replica
from elearn.reports import charts
from elearn.reports.audit import audit
from elearn.reports.dashboard import JP_BANDS, build_dashboard
from elearn.reports.filter_choices import filter_choices
from elearn.reports.filters import InvalidFilter, ReportFilter, month_args
from elearn.reports.jp_duty import (
    SORT_KEYS,
    Pace,
    UnitDuty,
    UnitZones,
    count_unit_learners,
    pace_for,
    sort_units,
    unit_duties,
    unit_learners,
)
from elearn.reports.jp_duty_export import learner_table, table_download, unit_table
from elearn.reports.scope import report_unit_ids
from elearn.settings import current_settings

bp = Blueprint("reports", __name__, url_prefix="/reports")

JP_DUTY_PAGE = 50
JP_DUTY_YEARS = 5  # the year menu: this year and the four before


@bp.before_request
@role_required(Role.COORDINATOR, Role.EVALUATOR, Role.ADMIN)
def _staff_only() -> None:
    """Coordinators, evaluators and admins only."""


bp.before_request(read_from_replica)  # after the access check, which reads the user


def learner_units(user: User, course: Course) -> set[int] | None:
    """Whose answers ``user`` may see for ``course``: None means every learner.

    Coordinators and admins see every learner of the courses they manage;
    evaluators see the learners of their own units (and sub-units), in any
    course. An empty set means nobody.
    """
    if can_manage(user, course):
        return None
    if user.has_role(Role.EVALUATOR):
        return scoped_unit_ids(user, Role.EVALUATOR)
    return set()


@bp.route("/evaluations")
def evaluations() -> str:
    # The same rule as learner_units, worked out once for all courses: two
    # summary queries (managed courses, the rest) instead of several per course.
    courses = db.session.scalars(select(Course).order_by(Course.slug)).all()
    managed = {c.id for c in db.session.scalars(manageable_courses(current_user))}
    own_units = (
        scoped_unit_ids(current_user, Role.EVALUATOR)
        if current_user.has_role(Role.EVALUATOR)
        else set()
    )
    found = summaries([c.id for c in courses if c.id in managed], None)
    if own_units:
        found |= summaries([c.id for c in courses if c.id not in managed], own_units)
    rows = [
        (course, found.get(course.id)) for course in courses if course.id in managed or own_units
    ]
    return render_template("reports/evaluations.html", rows=rows)


@bp.route("/evaluations/<slug>")
def evaluation(slug: str) -> str:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    units = learner_units(current_user, course)
    if units is not None and not units:
        abort(404)
    return render_template(
        "reports/evaluation.html",
        course=course,
        summary=summaries([course.id], units).get(course.id),
        comments=comments(course.id, units),
    )


@bp.route("/")
def dashboard() -> str | tuple[str, int]:
    try:
        # The form picks months (YYYY-MM); days given in the URL are widened to their
        # whole months by build_dashboard, and the page says so.
        args = month_args(request.args)
        asked = ReportFilter.from_args(args)
    except InvalidFilter as exc:
        return render_template("reports/bad_filter.html", message=str(exc)), 400
    zone = zone_of(current_user)
    units = report_unit_ids(current_user)
    figures = build_dashboard(asked, units, zone, clock.now().astimezone(zone).date())
    shown = figures.report_filter
    return render_template(
        "reports/dashboard.html",
        figures=figures,
        filter=shown,
        asked=asked,
        widened=(asked.since, asked.until) != (shown.since, shown.until),
        export_args=args,  # exports keep the exact days
        jp_labels=JP_BANDS,
        charts=charts,
        **filter_choices(units),
    )


@bp.route("/audit")
@role_required(Role.ADMIN)
def audit_log() -> str:
    page = db.paginate(
        select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()),
        page=page_number(request.args),
        per_page=100,
    )
    return render_template("reports/audit.html", pagination=page)


def _jp_duty_pace() -> tuple[Pace, date]:
    """The asked year (this year by default) and its pace, and today, by the platform's zone."""
    settings = current_settings()
    today = clock.now().astimezone(ZoneInfo(settings.default_timezone)).date()
    year = query_int(request.args, "year", today.year, minimum=2000, maximum=today.year)
    return pace_for(year, today, settings.jp_target_per_year), today


def _jp_duty_sort() -> tuple[str, bool]:
    """The column to sort by (default: share, lowest first) and whether descending."""
    sort = request.args.get("sort", "share")
    return (sort if sort in SORT_KEYS else "share"), request.args.get("order") == "desc"


def _jp_duty_rows(pace: Pace) -> list[UnitDuty]:
    zones = UnitZones(current_settings().default_timezone)
    return sort_units(unit_duties(pace, report_unit_ids(current_user), zones), *_jp_duty_sort())


def _jp_duty_unit(unit_id: int, zones: UnitZones) -> str:
    """The unit's path, or 404 when it does not exist or lies outside the viewer's scope."""
    units = report_unit_ids(current_user)
    if unit_id not in zones.names.path or (units is not None and unit_id not in units):
        abort(404)
    return zones.names.path[unit_id]


@bp.route("/jp-duty")
def jp_duty() -> str:
    pace, today = _jp_duty_pace()
    sort, descending = _jp_duty_sort()
    return render_template(
        "reports/jp_duty.html",
        pace=pace,
        rows=_jp_duty_rows(pace),
        sort=sort,
        descending=descending,
        years=range(today.year, today.year - JP_DUTY_YEARS, -1),
        charts=charts,
    )


@bp.route("/jp-duty.csv")
def jp_duty_csv() -> Response:
    return _jp_duty_file("csv")


@bp.route("/jp-duty.xlsx")
def jp_duty_xlsx() -> Response:
    return _jp_duty_file("xlsx")


def _jp_duty_file(kind: str) -> Response:
    """The whole table, in the page's order."""
    pace, _ = _jp_duty_pace()
    rows = _jp_duty_rows(pace)
    audit(current_user, f"export.jp_duty.{kind}", {"year": pace.year}, len(rows))
    db.session.commit()
    return table_download(unit_table(pace, rows), kind, f"kewajiban-jp-{pace.year}")


@bp.route("/jp-duty/units/<int:unit_id>")
def jp_duty_unit(unit_id: int) -> str:
    pace, _ = _jp_duty_pace()
    zones = UnitZones(current_settings().default_timezone)
    unit = _jp_duty_unit(unit_id, zones)
    page = page_number(request.args)
    total = count_unit_learners(pace, unit_id, zones)
    learners = unit_learners(
        pace, unit_id, zones, offset=(page - 1) * JP_DUTY_PAGE, limit=JP_DUTY_PAGE
    )
    return render_template(
        "reports/jp_duty_unit.html",
        pace=pace,
        unit_id=unit_id,
        unit=unit,
        learners=learners,
        total=total,
        page=page,
        has_next=page * JP_DUTY_PAGE < total,
    )


@bp.route("/jp-duty/units/<int:unit_id>.csv")
def jp_duty_unit_csv(unit_id: int) -> Response:
    return _jp_duty_unit_file(unit_id, "csv")


@bp.route("/jp-duty/units/<int:unit_id>.xlsx")
def jp_duty_unit_xlsx(unit_id: int) -> Response:
    return _jp_duty_unit_file(unit_id, "xlsx")


def _jp_duty_unit_file(unit_id: int, kind: str) -> Response:
    pace, _ = _jp_duty_pace()
    zones = UnitZones(current_settings().default_timezone)
    unit = _jp_duty_unit(unit_id, zones)
    learners = unit_learners(pace, unit_id, zones)
    details = {"year": pace.year, "unit": unit_id}
    audit(current_user, f"export.jp_duty_unit.{kind}", details, len(learners))
    db.session.commit()
    return table_download(
        learner_table(pace, unit, learners), kind, f"kewajiban-jp-{pace.year}-unit-{unit_id}"
    )
