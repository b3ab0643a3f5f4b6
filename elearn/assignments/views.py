"""Coordinators assign courses, follow who finished on time, exempt learners, export CSV."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from elearn import clock
from elearn.accounts.csv_import import ImportFailed, decode_csv
from elearn.assignments.export import assignment_csv
from elearn.assignments.forms import AssignmentForm, ExemptForm
from elearn.assignments.nip_list import learners_from_csv
from elearn.assignments.service import (
    AssignmentData,
    AssignmentRefused,
    OutOfScope,
    assignable_unit_ids,
    create_assignment,
    exempt,
    reinstate,
    visible_assignments,
)
from elearn.assignments.standing import (
    STANDING_LABELS,
    Standing,
    assignee_rows,
    counts_for,
)
from elearn.assignments.targets import Target
from elearn.auth.access import role_required
from elearn.coordinator.forms import ActionForm
from elearn.coordinator.scope import can_manage, manageable_courses, owner_units
from elearn.extensions import db
from elearn.models import (
    Assignee,
    Assignment,
    Course,
    CourseVersion,
    Role,
    TargetKind,
    User,
    VersionStatus,
)
from elearn.problem_text import problem_of, translated
from elearn.reports.audit import audit
from elearn.reports.rows import UnitNames
from elearn.settings import current_settings

bp = Blueprint("assignments", __name__, url_prefix="/coordinator/assignments")

PAGE_SIZE = 100


@bp.before_request
@role_required(Role.COORDINATOR, Role.ADMIN)
def _coordinators_only() -> None:
    """Every page here is for coordinators and admins."""


def _form() -> AssignmentForm:
    form = AssignmentForm()
    # One statement for the courses and their published titles, whatever their number.
    published = (
        manageable_courses(current_user)
        .join(CourseVersion, CourseVersion.course_id == Course.id)
        .where(CourseVersion.status == VersionStatus.PUBLISHED)
        .with_only_columns(Course.id, CourseVersion.title)
    )
    form.course_id.choices = [
        SelectChoice(str(course_id), title) for course_id, title in db.session.execute(published)
    ]
    form.unit_id.choices = [SelectChoice(str(uid), path) for uid, path in owner_units(current_user)]
    return form


def _targets(form: AssignmentForm) -> list[Target]:
    """Turn the form's "who" into targets; a NIP list is checked row by row first."""
    kind = TargetKind(form.target.data)
    if kind is TargetKind.LEARNER:
        upload = form.file.data
        if not upload:
            raise AssignmentRefused(_("Pilih berkas CSV berisi kolom nip."))
        text = decode_csv(upload.read())
        ids = learners_from_csv(
            text,
            assignable_unit_ids(current_user),
            max_rows=current_settings().csv_import_max_rows,
        )
        return [Target(TargetKind.LEARNER, user_id=user_id) for user_id in ids]
    return [
        Target(
            kind,
            unit_id=form.unit_id.data,
            include_subunits=bool(form.include_subunits.data) or kind is TargetKind.POSITION,
            position=form.position.data if kind is TargetKind.POSITION else None,
        )
    ]


@bp.route("/")
def index() -> str:
    assignments = visible_assignments(current_user)
    counts = counts_for([a.id for a in assignments], clock.now(), assignable_unit_ids(current_user))
    return render_template(
        "assignments/index.html", assignments=assignments, counts=counts, Standing=Standing
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | BaseResponse:
    form = _form()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            data = AssignmentData(
                course_id=form.course_id.data or 0,
                reason=form.reason.data or "",
                starts_on=form.starts_on.data,
                due_on=form.due_on.data,
                targets=_targets(form),
            )
            assignment = create_assignment(data, current_user, current_settings(), clock.now())
        except ImportFailed as exc:
            db.session.rollback()
            problems = [str(p) for p in exc.problems]
        except OutOfScope:
            db.session.rollback()
            abort(403)
        except AssignmentRefused as exc:
            db.session.rollback()
            flash(translated(problem_of(exc), _), "error")
        else:
            db.session.commit()
            flash(_("Penugasan dibuat."), "success")
            return redirect(url_for(".detail", assignment_id=assignment.id))
    return render_template("assignments/new.html", form=form, problems=problems)


def _visible(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or not can_manage(current_user, assignment.course):
        abort(404)
    return assignment


def _assignee(assignment: Assignment, assignee_id: int) -> Assignee:
    """One learner of ``assignment`` inside the viewer's units; anyone else is a 404."""
    assignee = db.session.get(Assignee, assignee_id)
    allowed = assignable_unit_ids(current_user)
    if assignee is None or assignee.assignment_id != assignment.id:
        abort(404)
    learner = db.session.get(User, assignee.user_id)
    if learner is None or (allowed is not None and learner.unit_id not in allowed):
        abort(404)
    return assignee


def _standing_arg() -> Standing | None:
    value = request.args.get("status", "")
    if not value:
        return None
    try:
        return Standing(value)
    except ValueError:
        abort(400)


@bp.route("/<int:assignment_id>")
def detail(assignment_id: int) -> str:
    assignment = _visible(assignment_id)
    now = clock.now()
    allowed = assignable_unit_ids(current_user)
    standing = _standing_arg()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows = list(
        assignee_rows(
            assignment,
            now,
            allowed,
            standing=standing,
            limit=PAGE_SIZE + 1,
            offset=(page - 1) * PAGE_SIZE,
        )
    )
    return render_template(
        "assignments/detail.html",
        assignment=assignment,
        counts=counts_for([assignment.id], now, allowed)[assignment.id],
        rows=rows[:PAGE_SIZE],
        more=len(rows) > PAGE_SIZE,
        page=page,
        standing=standing,
        Standing=Standing,
        labels=STANDING_LABELS,
        names=UnitNames(),
    )


@bp.route("/<int:assignment_id>/learners/<int:assignee_id>/exempt", methods=["POST"])
def exempt_learner(assignment_id: int, assignee_id: int) -> BaseResponse:
    assignment = _visible(assignment_id)
    assignee = _assignee(assignment, assignee_id)
    form = ExemptForm()
    if not form.validate_on_submit():
        flash(_("Alasan pembebasan wajib diisi."), "error")
    else:
        try:
            exempt(assignee, form.reason.data or "", current_user, clock.now())
        except AssignmentRefused as exc:
            flash(translated(problem_of(exc), _), "error")
        else:
            db.session.commit()
            flash(_("Peserta dibebaskan dari penugasan ini."), "success")
    return redirect(url_for(".detail", assignment_id=assignment.id))


@bp.route("/<int:assignment_id>/learners/<int:assignee_id>/reinstate", methods=["POST"])
def reinstate_learner(assignment_id: int, assignee_id: int) -> BaseResponse:
    assignment = _visible(assignment_id)
    assignee = _assignee(assignment, assignee_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    reinstate(assignee)
    db.session.commit()
    flash(_("Pembebasan dibatalkan; peserta kembali ditugaskan."), "success")
    return redirect(url_for(".detail", assignment_id=assignment.id))


@bp.route("/<int:assignment_id>/export.csv")
def export(assignment_id: int) -> Response:
    assignment = _visible(assignment_id)
    rows = list(assignee_rows(assignment, clock.now(), assignable_unit_ids(current_user)))
    audit(current_user, "assignment.export", {"assignment_id": assignment.id}, len(rows))
    body = assignment_csv(assignment, rows, UnitNames())
    db.session.commit()
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="penugasan-{assignment.id}.csv"',
            "Cache-Control": "private, no-store",
        },
    )
