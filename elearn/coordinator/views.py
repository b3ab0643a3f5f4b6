"""Coordinators upload, preview, publish and archive courses of their units."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from elearn.auth.access import role_required
from elearn.content.errors import ContentErrors, SourceError
from elearn.content.parse import parse_course
from elearn.content.publish import PublishError, archive_course, publish_version, store_version
from elearn.content.upload import unpack_course_zip
from elearn.coordinator.forms import ActionForm, UploadForm
from elearn.coordinator.scope import can_manage, manageable_courses, owner_units
from elearn.extensions import db
from elearn.models import Course, CourseVersion, Role, Unit, VersionStatus

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")


@bp.before_request
@role_required(Role.COORDINATOR, Role.ADMIN)
def _coordinators_only() -> None:
    """Every page here is for coordinators and admins."""


def _upload_form() -> UploadForm:
    form = UploadForm()
    choices = [SelectChoice(str(unit.id), unit.path) for unit in owner_units(current_user)]
    if current_user.has_role(Role.ADMIN):
        choices.insert(0, SelectChoice("0", _("Seluruh platform (hanya admin)")))
    form.unit_id.choices = choices
    return form


@bp.route("/courses")
def courses() -> str:
    return _courses_page(_upload_form(), [])


def _courses_page(form: UploadForm, errors: list[SourceError]) -> str:
    rows = db.session.scalars(manageable_courses(current_user)).all()
    return render_template(
        "coordinator/courses.html", courses=rows, form=form, errors=errors, action=ActionForm()
    )


@bp.route("/courses/upload", methods=["POST"])
def upload() -> str | Response:
    form = _upload_form()
    if not form.validate_on_submit():
        return _courses_page(form, [])
    unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
    filename = Path(form.file.data.filename or "kursus.zip").name
    try:
        with tempfile.TemporaryDirectory(prefix="elearn-upload-") as tmp:
            folder = unpack_course_zip(form.file.data.read(), filename, Path(tmp))
            parsed = parse_course(folder, label=folder.name)
    except ContentErrors as exc:
        flash(_("Kursus tidak diterima. Perbaiki kesalahan berikut lalu unggah lagi."), "error")
        return _courses_page(form, exc.errors)

    course = db.session.scalar(select(Course).where(Course.slug == parsed.slug))
    if course is not None and not can_manage(current_user, course):
        flash(_("Kursus '%(slug)s' dikelola unit lain.", slug=parsed.slug), "error")
        return _courses_page(form, [])
    try:
        result = store_version(parsed, unit=unit, actor=current_user, publish=False)
    except PublishError as exc:
        db.session.rollback()
        return _courses_page(form, exc.errors)
    db.session.commit()
    if result.created:
        flash(_("Versi baru tersimpan sebagai draf. Periksa pratinjau, lalu terbitkan."), "success")
    else:
        flash(_("Isi kursus sama dengan versi yang sudah ada; tidak ada yang berubah."), "info")
    version = result.version
    return redirect(url_for(".version", slug=parsed.slug, number=version.number))


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
        action=ActionForm(),
    )


@bp.route("/courses/<slug>/v/<int:number>/publish", methods=["POST"])
def publish(slug: str, number: int) -> Response:
    course = _managed_course(slug)
    version = _version(course, number)
    if ActionForm().validate_on_submit() and version.status != VersionStatus.PUBLISHED:
        publish_version(version)
        db.session.commit()
        flash(_("Versi %(n)d diterbitkan.", n=version.number), "success")
    return redirect(url_for(".course", slug=slug))


@bp.route("/courses/<slug>/archive", methods=["POST"])
def archive(slug: str) -> Response:
    course = _managed_course(slug)
    if ActionForm().validate_on_submit() and archive_course(course):
        db.session.commit()
        flash(_("Kursus diarsipkan dan tidak lagi tampil di katalog."), "success")
    return redirect(url_for(".course", slug=slug))
