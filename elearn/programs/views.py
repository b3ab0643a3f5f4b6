"""A program's page, joining it, and its certificate's verification page and PDF."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from elearn import clock
from elearn.accounts.nip import mask_nip
from elearn.certificates.issuance import public_base_url
from elearn.certificates.pdf import render_certificate_pdf
from elearn.certificates.revocation_pages import forms_for, revoke_from_form, unrevoke_from_form
from elearn.certificates.secured import (
    JSONLD_TYPE,
    JWT_TYPE,
    data_integrity_json,
    download,
    issuer_of,
    signer_of,
    vc_jwt,
)
from elearn.coordinator.forms import ActionForm
from elearn.coordinator.scope import can_manage_unit
from elearn.extensions import db, limiter
from elearn.learning.enrollment import EnrollmentRefused, enroll
from elearn.models import Course, IssuerProfile, Program, ProgramCertificate, Role
from elearn.pdf_signing.binding import issuer_by_id, sign_pdf
from elearn.problem_text import translated
from elearn.programs.certificate import (
    PROGRAM,
    find_program_certificate,
    program_document,
    signature_valid,
)
from elearn.programs.completion import check_programs_of
from elearn.programs.credential import build_program_credential
from elearn.programs.enrollment import (
    ProgramRefused,
    courses_of,
    enroll_in_program,
    find_program_enrollment,
    first_courses,
)
from elearn.programs.locking import lock_reason
from elearn.programs.progress import DbSession, progress_of
from elearn.programs.verification import verified_program_certificate
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
    # The public page only reads: the certificate as a plain row, not a session's object.
    certificate = verified_program_certificate(code) if CODE.match(code) else None
    if certificate is None:
        return render_template("certificates/unknown.html"), 404
    # The row carries the program's unit, so the roles are all can_manage_unit has to look at.
    may_manage = current_user.is_authenticated and can_manage_unit(
        current_user, certificate.owner_unit_id
    )
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
        may_download=_may_download(certificate.user_id),
        **forms_for(certificate, may_manage),
    )


def _may_manage(certificate: ProgramCertificate) -> bool:
    """Admins, and coordinators of the program's unit, as for a course's certificate."""
    return (
        current_user.is_authenticated
        and (current_user.has_role(Role.ADMIN) or current_user.has_role(Role.COORDINATOR))
        and can_manage_unit(current_user, certificate.version.program.unit_id)
    )


def _may_download(holder_id: int) -> bool:
    """The holder and admins; unlike a course certificate's, not its coordinators."""
    return current_user.is_authenticated and (
        holder_id == current_user.id or current_user.has_role(Role.ADMIN)
    )


def _base_url() -> str:
    return public_base_url(current_settings(), request.url_root)


@bp.route("/certificates/<code>/pdf")
@login_required
def pdf(code: str) -> Response:
    certificate = _by_code(code)
    if certificate is None or not _may_download(certificate.user_id):
        abort(404)
    # Signed by the signer of the instansi that issued it (its program's unit's).
    body = sign_pdf(
        render_certificate_pdf(program_document(certificate, _base_url())),
        reason=f"Sertifikat program eLearn ASN nomor {certificate.number}",
        issuer=issuer_by_id(certificate.issuer_id),
    )
    response = Response(body, mimetype="application/pdf")
    filename = f"sertifikat-program-{certificate.payload['program_slug']}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/certificates/<code>/credential")
@login_required
def credential(code: str) -> Response:
    """The holder's program certificate as an Open Badges 3.0 VC-JWT."""
    certificate, issuer, credential = _own_credential(code)
    token = vc_jwt(credential, signer_of(issuer), _base_url())
    return download(token, JWT_TYPE, _filename(certificate, "jwt"))


@bp.route("/certificates/<code>/credential.jsonld")
@login_required
def credential_jsonld(code: str) -> Response:
    """The same credential as JSON-LD with an eddsa-rdfc-2022 proof (issuer: did:key)."""
    certificate, issuer, credential = _own_credential(code)
    key = signer_of(issuer).private_key
    body = data_integrity_json(credential, key, certificate.issued_at)
    return download(body, JSONLD_TYPE, _filename(certificate, "jsonld"))


def _own_credential(code: str) -> tuple[ProgramCertificate, IssuerProfile, dict[str, Any]]:
    """The signed-in holder's program certificate, its issuer and credential; 404 else."""
    certificate = _by_code(code)
    if certificate is None or certificate.user_id != current_user.id:
        abort(404)
    issuer = issuer_of(certificate.issuer_id)
    credential = build_program_credential(certificate, _base_url(), issuer)
    db.session.commit()  # a status bit given just now, if the certificate had none
    return certificate, issuer, credential


def _filename(certificate: ProgramCertificate, suffix: str) -> str:
    return f"open-badge-program-{certificate.payload['program_slug']}-{certificate.year}.{suffix}"


@bp.route("/certificates/<code>/revoke", methods=["POST"])
@login_required
def revoke_certificate(code: str) -> WerkzeugResponse:
    """Admins and the program unit's coordinators revoke, with a reason (not their own)."""
    certificate = _by_code(code)
    if certificate is None or not _may_manage(certificate):
        abort(404)
    page = url_for(".verify", code=code)
    return revoke_from_form(certificate, PROGRAM, page, _("Sertifikat program dicabut."))


@bp.route("/certificates/<code>/unrevoke", methods=["POST"])
@login_required
def unrevoke_certificate(code: str) -> WerkzeugResponse:
    """An admin takes a revocation back, with a reason; anyone else is refused (403)."""
    certificate = _by_code(code)
    if certificate is None:
        abort(404)
    page = url_for(".verify", code=code)
    done = _("Pencabutan dibatalkan. Sertifikat program kembali sah.")
    return unrevoke_from_form(certificate, PROGRAM, page, done)
