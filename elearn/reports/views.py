"""Reports for coordinators and evaluators, scoped to their units."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from elearn import clock
from elearn.accounts.services import scoped_unit_ids
from elearn.auth.access import role_required
from elearn.coordinator.scope import can_manage, manageable_courses
from elearn.extensions import db
from elearn.i18n import zone_of
from elearn.learning.evaluation import comments, summaries
from elearn.main.input_guard import page_number
from elearn.models import AuditEntry, Course, Role, User
from elearn.replica import read_from_replica
from elearn.reports import charts
from elearn.reports.dashboard import JP_BANDS, build_dashboard
from elearn.reports.filter_choices import filter_choices
from elearn.reports.filters import InvalidFilter, ReportFilter
from elearn.reports.scope import report_unit_ids

bp = Blueprint("reports", __name__, url_prefix="/reports")


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
        report_filter = ReportFilter.from_args(request.args)
    except InvalidFilter as exc:
        return render_template("reports/bad_filter.html", message=str(exc)), 400
    zone = zone_of(current_user)
    units = report_unit_ids(current_user)
    figures = build_dashboard(report_filter, units, zone, clock.now().astimezone(zone).date())
    return render_template(
        "reports/dashboard.html",
        figures=figures,
        filter=report_filter,
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
