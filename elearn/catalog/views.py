"""The course catalog, course pages and enrolment."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.wrappers import Response as WerkzeugResponse

from elearn.catalog.labels import COMPETENCY_LABELS, category_label, competency_label
from elearn.catalog.search import JP_BANDS, CatalogQuery, catalog_rows, categories
from elearn.coordinator.forms import ActionForm
from elearn.coordinator.scope import can_manage
from elearn.extensions import db
from elearn.learning.enrollment import (
    EnrollmentRefused,
    enroll,
    find_enrollment,
    prerequisite_status,
)
from elearn.models import Course, CourseAsset, CourseVersion, VersionStatus
from elearn.problem_text import problem_of, translated
from elearn.programs.catalog import published_programs
from elearn.programs.locking import lock_reason

bp = Blueprint("catalog", __name__, url_prefix="/courses")

bp.add_app_template_filter(category_label, "category_label")
bp.add_app_template_filter(competency_label, "competency_label")


@bp.route("/")
@login_required
def index() -> str:
    query = CatalogQuery(
        text=request.args.get("q", "")[:100],
        category=request.args.get("category", ""),
        competency=request.args.get("competency", ""),
        jp=request.args.get("jp", ""),
    )
    rows = catalog_rows(query, current_user.id)
    versions = [row.version for row in rows]
    # Course id → whether the learner's enrolment there is complete.
    enrolled = {
        row.version.course_id: row.completed_at is not None
        for row in rows
        if row.enrollment_id is not None
    }
    if query.is_empty:
        # Unfiltered, the rows hold every published version, so they give the categories
        # and the statement saved lists the programs (tests/learning/test_statement_budget.py).
        category_names = sorted({version.category for version in versions})
        programs = published_programs()
    else:
        category_names = list(db.session.scalars(categories()))
        programs = []
    return render_template(
        "catalog/index.html",
        versions=versions,
        counts={row.version.id: (row.modules, row.minutes) for row in rows},
        query=query,
        categories=category_names,
        programs=programs,
        competencies=list(COMPETENCY_LABELS),
        jp_bands=list(JP_BANDS),
        enrolled=enrolled,
    )


@bp.route("/<slug>")
@login_required
def course(slug: str) -> str:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    enrollment = find_enrollment(current_user, course)
    version = enrollment.version if enrollment else course.published_version
    if version is None:
        abort(404)
    return render_template(
        "catalog/course.html",
        course=course,
        version=version,
        enrollment=enrollment,
        lock=None if enrollment else lock_reason(db.session, current_user.id, course.id),
        prerequisites=prerequisite_status(current_user, version),
        action=ActionForm(),
    )


@bp.route("/<slug>/enroll", methods=["POST"])
@login_required
def enroll_in(slug: str) -> WerkzeugResponse:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not ActionForm().validate_on_submit():
        abort(404)
    try:
        enroll(current_user, course)
    except EnrollmentRefused as exc:
        flash(translated(problem_of(exc), _), "error")
        return redirect(url_for(".course", slug=slug))
    db.session.commit()
    flash(_("Anda terdaftar. Selamat belajar!"), "success")
    return redirect(url_for("learning.resume", slug=slug))


@bp.route("/<slug>/v/<short_hash>/assets/<path:name>")
@login_required
def asset(slug: str, short_hash: str, name: str) -> Response:
    row = db.session.execute(
        select(CourseAsset, CourseVersion.status, Course)
        .join(CourseVersion, CourseAsset.version_id == CourseVersion.id)
        .join(Course, CourseVersion.course_id == Course.id)
        .where(
            Course.slug == slug,
            func.substr(CourseVersion.content_hash, 1, 12) == short_hash,
            CourseAsset.path == name,
        )
    ).first()
    if row is None:
        abort(404)
    asset, status, course = row
    # Drafts are seen only by those who may publish them.
    if status == VersionStatus.DRAFT and not can_manage(current_user, course):
        abort(404)
    response = Response(asset.data, content_type=asset.content_type)
    # The URL names the content hash, so the file never changes under it.
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["Content-Disposition"] = "inline"
    response.set_etag(asset.sha256)
    return response
