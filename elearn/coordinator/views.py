"""Coordinators upload, preview, publish and archive courses of their units."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from elearn import clock
from elearn.auth.access import role_required
from elearn.content.errors import ContentErrors, SourceError, split_problems
from elearn.content.publish import archive_course, publish_version
from elearn.content.sandbox import NO_SPACE_MESSAGE
from elearn.coordinator.authoring import FORMAT_DOC, format_guide, template_zip
from elearn.coordinator.editor_views import bp as editor_bp
from elearn.coordinator.forms import ActionForm, ProgramUploadForm, UploadForm
from elearn.coordinator.program_uploads import ProgramRefused, import_program_zip
from elearn.coordinator.scope import can_manage, manageable_courses, owner_units
from elearn.coordinator.upload_job import KIND as UPLOAD_JOB
from elearn.coordinator.upload_job import job_key, upload_settings
from elearn.coordinator.uploads import (
    accept_upload,
    give_up_if_stalled,
    is_conflict,
    is_out_of_space,
    stored_problems,
    version_warnings,
)
from elearn.extensions import db
from elearn.jobs.binding import current_jobs
from elearn.main.errors import generic_page
from elearn.models import (
    Course,
    CourseUpload,
    CourseVersion,
    Role,
    Unit,
    UploadStatus,
    VersionStatus,
)
from elearn.problem_text import translated
from elearn.settings import current_settings

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")
UploadFormT = TypeVar("UploadFormT", UploadForm, ProgramUploadForm)
bp.register_blueprint(editor_bp)


@bp.before_request
@role_required(Role.COORDINATOR, Role.ADMIN)
def _coordinators_only() -> None:
    """Every page here is for coordinators and admins."""


def _upload_form(form: UploadFormT) -> UploadFormT:
    """Fill the owner-unit choices of a course or program upload form."""
    choices = [SelectChoice(str(uid), path) for uid, path in owner_units(current_user)]
    if current_user.has_role(Role.ADMIN):
        choices.insert(0, SelectChoice("0", _("Seluruh platform (hanya admin)")))
    form.unit_id.choices = choices
    return form


@bp.route("/courses")
def courses() -> str:
    return _courses_page(_upload_form(UploadForm()), [])


def _courses_page(form: UploadForm, errors: list[SourceError]) -> str:
    rows = db.session.scalars(manageable_courses(current_user)).all()
    return render_template(
        "coordinator/courses.html", courses=rows, form=form, errors=errors, action=ActionForm()
    )


@bp.route("/courses/upload", methods=["POST"])
def upload() -> str | Response:
    form = _upload_form(UploadForm())
    if not form.validate_on_submit():
        return _courses_page(form, [])
    unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
    filename = Path(form.file.data.filename or "kursus.zip").name
    try:
        accepted = accept_upload(form.file.data.read(), filename, unit, current_user)
    except ContentErrors as exc:
        flash(_("Kursus tidak diterima. Perbaiki kesalahan berikut lalu unggah lagi."), "error")
        return _courses_page(form, exc.errors)
    upload_id = accepted.id
    # The upload and its job are committed together; then a worker (or, without
    # Redis, this process) processes it.
    current_jobs().submit(
        UPLOAD_JOB, {"upload_id": upload_id}, key=job_key(upload_id), owner_id=current_user.id
    )
    return redirect(url_for(".upload_status", upload_id=upload_id))


@bp.route("/programs/upload", methods=["GET", "POST"])
def program_upload() -> str | Response | tuple[str, int]:
    """A program zip (program.md and its course folders): checked, then published at once."""
    form = _upload_form(ProgramUploadForm())
    if not form.is_submitted():
        return _program_upload_page(form, [], [])
    if not form.validate_on_submit():
        return _program_upload_page(form, [], []), 400
    unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
    filename = Path(form.file.data.filename or "program.zip").name
    try:
        imported = import_program_zip(
            form.file.data.read(), filename, unit, current_user, current_settings(), clock.now()
        )
    except ProgramRefused as exc:
        flash(_("Program tidak diterima. Perbaiki kesalahan berikut lalu unggah lagi."), "error")
        return _program_upload_page(form, exc.errors, exc.warnings), 400
    db.session.commit()
    version = imported.program.version
    flash(
        _(
            "Program %(slug)s versi %(n)d diterbitkan bersama %(c)d kursus.",
            slug=version.program.slug,
            n=version.number,
            c=len(imported.courses),
        ),
        "success",
    )
    return redirect(url_for("programs.program", slug=version.program.slug))


def _program_upload_page(
    form: ProgramUploadForm, errors: list[SourceError], warnings: list[SourceError]
) -> str:
    return render_template(
        "coordinator/program_upload.html", form=form, errors=errors, warnings=warnings
    )


@bp.route("/uploads/<int:upload_id>")
def upload_status(upload_id: int) -> tuple[str, int]:
    upload = db.session.get(CourseUpload, upload_id)
    mine = upload is not None and upload.uploaded_by_id == current_user.id
    if upload is None or not (mine or current_user.has_role(Role.ADMIN)):
        abort(404)
    give_up_if_stalled(upload, upload_settings(current_settings()))
    errors, warnings = split_problems(stored_problems(upload))
    page = render_template(
        "coordinator/upload.html", upload=upload, errors=errors, warnings=warnings
    )
    return page, 409 if upload.status == UploadStatus.CONFLICT else 200


@bp.errorhandler(OSError)
def _out_of_space(error: OSError) -> tuple[str, int]:
    """A full disk or temp directory is the server's problem, but say so plainly."""
    if not is_out_of_space(error):
        raise error
    db.session.rollback()
    text = translated(NO_SPACE_MESSAGE, _)
    message = text[0].upper() + text[1:] + "."
    return generic_page(507, message), 507


def _managed_course(slug: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not can_manage(current_user, course):
        abort(404)
    return course


def _version(course: Course, number: int) -> CourseVersion:
    version = next((v for v in course.versions if v.number == number), None)
    if version is None:
        abort(404)
    return version


@bp.route("/courses/<slug>")
def course(slug: str) -> str:
    course = _managed_course(slug)
    return render_template("coordinator/course.html", course=course, action=ActionForm())


@bp.route("/courses/<slug>/v/<int:number>")
def version(slug: str, number: int) -> str:
    course = _managed_course(slug)
    return render_template(
        "coordinator/preview.html",
        course=course,
        version=_version(course, number),
        warnings=version_warnings(course.slug, number),
        action=ActionForm(),
    )


@bp.route("/courses/<slug>/v/<int:number>/publish", methods=["POST"])
def publish(slug: str, number: int) -> Response:
    course = _managed_course(slug)
    version = _version(course, number)
    if ActionForm().validate_on_submit() and version.status != VersionStatus.PUBLISHED:
        try:
            publish_version(version)
            db.session.commit()
        except (IntegrityError, OperationalError) as exc:
            db.session.rollback()
            if not is_conflict(exc):
                raise
            abort(409, description=_("Versi ini sedang diterbitkan. Muat ulang halaman kursus."))
        flash(_("Versi %(n)d diterbitkan.", n=version.number), "success")
    return redirect(url_for(".course", slug=slug))


@bp.route("/courses/<slug>/archive", methods=["POST"])
def archive(slug: str) -> Response:
    course = _managed_course(slug)
    if ActionForm().validate_on_submit() and archive_course(course):
        db.session.commit()
        flash(_("Kursus diarsipkan dan tidak lagi tampil di katalog."), "success")
    return redirect(url_for(".course", slug=slug))


@bp.route("/course-template.zip")
def course_template() -> Response:
    response = Response(template_zip(), content_type="application/zip")
    response.headers["Content-Disposition"] = "attachment; filename=contoh-kursus.zip"
    return response


@bp.route("/format/")
def format_help() -> str:
    guide = format_guide()
    if guide is None:
        abort(404)
    return render_template("coordinator/format.html", guide=guide)


@bp.route("/format/images/<name>")
def format_image(name: str) -> Response:
    """The guide's screenshots (docs/images/), named relative to the guide's page."""
    if not name.endswith(".png"):
        abort(404)
    return send_from_directory(FORMAT_DOC.parent / "images", name, mimetype="image/png")
