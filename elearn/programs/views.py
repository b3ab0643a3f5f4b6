"""A program's page, joining it, and its certificate's verification page and PDF."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from elearn import clock
from elearn.accounts.nip import mask_nip
from elearn.certificates.issuance import public_base_url
from elearn.certificates.pdf import render_certificate_pdf
from elearn.coordinator.forms import ActionForm
from elearn.extensions import db, limiter
from elearn.learning.enrollment import EnrollmentRefused, enroll
from elearn.models import Course, Program, ProgramCertificate, Role
from elearn.pdf_signing.binding import sign_pdf
from elearn.problem_text import translated
from elearn.programs.certificate import (
    find_program_certificate,
    program_document,
    signature_valid,
)
from elearn.programs.completion import check_programs_of
from elearn.programs.enrollment import (
    ProgramRefused,
    courses_of,
    enroll_in_program,
    find_program_enrollment,
    first_courses,
)
from elearn.programs.locking import lock_reason
from elearn.programs.progress import DbSession, progress_of
from elearn.settings import current_settings

bp = Blueprint("programs", __name__, url_prefix="/programs")
CODE = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _program(slug: str) -> Program:
    program = db.session.scalar(select(Program).where(Program.slug == slug))
    if program is None:
        abort(404)
    return program


@bp.route("/<slug>")
@login_required
def program(slug: str) -> str:
    program = _program(slug)
    enrollment = find_program_enrollment(db.session, current_user.id, program.id)
    version = enrollment.version if enrollment else program.published_version
    if version is None:
        abort(404)
    certificate = None
    if enrollment is not None and enrollment.completed_at is not None:
        certificate = find_program_certificate(db.session, enrollment)
    return render_template(
        "programs/program.html",
        program=program,
        version=version,
        progress=progress_of(db.session, current_user.id, version),
        enrollment=enrollment,
        certificate=certificate,
        action=ActionForm(),
    )


@bp.route("/<slug>/enroll", methods=["POST"])
@login_required
def enroll_in(slug: str) -> WerkzeugResponse:
    program = _program(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        enrollment = enroll_in_program(db.session, current_user, program, clock.now())
    except ProgramRefused as exc:
        flash(translated(str(exc.args[0]), _), "error")
        return redirect(url_for(".program", slug=slug))
    progress = progress_of(db.session, current_user.id, enrollment.version)
    courses = courses_of(db.session, enrollment.version)
    for course_id in first_courses(progress):
        try:
            enroll(current_user, courses[course_id])
        except EnrollmentRefused as exc:  # e.g. a prerequisite outside the program
            flash(translated(str(exc.args[0]), _), "error")
    db.session.commit()
    # Courses completed before joining may meet the program at once.
    if check_programs_of(db.session, current_user.id, current_settings(), clock.now()):
        db.session.commit()
    flash(_("Anda terdaftar dalam program ini. Selamat belajar!"), "success")
    return redirect(url_for(".program", slug=slug))


def locked_page(session: DbSession, user_id: int, course_slug: str) -> str | None:
    """The page answering a course held by a sequential program, or None if it is not held."""
    course_id = session.scalar(select(Course.id).where(Course.slug == course_slug))
    lock = lock_reason(session, user_id, course_id) if course_id is not None else None
    if lock is None:
        return None
    return render_template("programs/locked.html", lock=lock)


def _by_code(code: str) -> ProgramCertificate | None:
    if not CODE.match(code):
        return None
    return db.session.scalar(select(ProgramCertificate).where(ProgramCertificate.code == code))


def _verify_limit() -> str:
    return current_settings().verify_rate_limit


@bp.route("/certificates/<code>")
@limiter.limit(_verify_limit)
def verify(code: str) -> tuple[str, int] | str:
    certificate = _by_code(code)
    if certificate is None:
        return render_template("certificates/unknown.html"), 404
    return render_template(
        "programs/verify.html",
        certificate=certificate,
        p=certificate.payload,
        completed_on=date.fromisoformat(certificate.payload["completed_on"]),
        courses=[
            {**c, "completed_on": date.fromisoformat(c["completed_on"])}
            for c in certificate.payload["courses"]
        ],
        nip_masked=mask_nip(certificate.payload["nip"]),
        signature_ok=signature_valid(certificate),
        may_download=_may_download(certificate),
    )


def _may_download(certificate: ProgramCertificate) -> bool:
    return current_user.is_authenticated and (
        certificate.user_id == current_user.id or current_user.has_role(Role.ADMIN)
    )


@bp.route("/certificates/<code>/pdf")
@login_required
def pdf(code: str) -> Response:
    certificate = _by_code(code)
    if certificate is None or not _may_download(certificate):
        abort(404)
    base = public_base_url(current_settings(), request.url_root)
    # Programs belong to no instansi: the platform's signer signs them.
    body = sign_pdf(
        render_certificate_pdf(program_document(certificate, base)),
        reason=f"Sertifikat program eLearn ASN nomor {certificate.number}",
    )
    response = Response(body, mimetype="application/pdf")
    filename = f"sertifikat-program-{certificate.payload['program_slug']}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
