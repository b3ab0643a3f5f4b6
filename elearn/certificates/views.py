"""Public verification, downloads (PDF, Open Badges credential) and revocation."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from elearn import clock
from elearn.certificates import status_list
from elearn.certificates.credential import build_credential
from elearn.certificates.did import did_web
from elearn.certificates.issuance import (
    COURSE,
    document_of,
    public_base_url,
    public_view,
    signature_valid,
)
from elearn.certificates.pdf_store import (
    pdf_digest,
    pdf_filename,
    request_pdf,
    signed_certificate_pdf,
    stored_pdf,
)
from elearn.certificates.revocation_pages import (
    forms_for,
    revoke_from_form,
    unrevoke_from_form,
)
from elearn.certificates.secured import (
    JSONLD_TYPE,
    JWT_TYPE,
    data_integrity_json,
    download,
    issuer_of,
    signer_of,
    vc_jwt,
)
from elearn.certificates.verification import verified_certificate
from elearn.coordinator.scope import can_manage, can_manage_unit
from elearn.extensions import db, limiter
from elearn.issuers.keystore import current_keystore
from elearn.issuers.publish import (
    JSONLD_LIST,
    history_did_document,
    key_response,
    key_set_response,
    profile_response,
    status_list_response,
)
from elearn.issuers.registry import (
    SigningKey,
    platform_issuer,
)
from elearn.issuers.urls import homepage, issuer_id, status_list_base
from elearn.jobs.binding import current_blobs, current_jobs
from elearn.models import Certificate, IssuerProfile, Role
from elearn.settings import current_settings

bp = Blueprint("certificates", __name__, url_prefix="/certificates")

CODE = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _verify_limit() -> str:
    return current_settings().verify_rate_limit


def _base_url() -> str:
    return public_base_url(current_settings(), request.url_root)


def _by_code(code: str) -> Certificate | None:
    if not CODE.match(code):
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def _may_manage(certificate: Certificate) -> bool:
    # Most viewers are learners, who manage nothing: decide that before loading the course.
    return (
        current_user.is_authenticated
        and (current_user.has_role(Role.ADMIN) or current_user.has_role(Role.COORDINATOR))
        and can_manage(current_user, certificate.version.course)
    )


def _may_download(certificate: Certificate) -> bool:
    return current_user.is_authenticated and (
        certificate.user_id == current_user.id or _may_manage(certificate)
    )


@bp.route("/<code>")
@limiter.limit(_verify_limit)
def verify(code: str) -> tuple[str, int] | str:
    # The public page only reads: the certificate as a plain row, not a session's object.
    certificate = verified_certificate(code) if CODE.match(code) else None
    if certificate is None:
        # Unknown and malformed codes get the very same answer.
        return render_template("certificates/unknown.html"), 404
    # The row carries the course's unit, so the roles are all can_manage_unit has to look at.
    may_manage = current_user.is_authenticated and can_manage_unit(
        current_user, certificate.owner_unit_id
    )
    owner = current_user.is_authenticated and certificate.user_id == current_user.id
    return render_template(
        "certificates/verify.html",
        certificate=certificate,
        view=public_view(certificate),
        signature_ok=signature_valid(certificate),
        may_download=owner or may_manage,
        may_manage=may_manage,
        **forms_for(certificate, may_manage),
    )


@bp.route("/<code>/pdf")
@login_required
def pdf(code: str) -> WerkzeugResponse:
    certificate = _by_code(code)
    if certificate is None or not _may_download(certificate):
        abort(404)
    base = _base_url()
    digest = pdf_digest(certificate, base)
    if digest in request.if_none_match:
        data = b""  # make_conditional answers 304 before the body matters
    else:
        data = _pdf_bytes(certificate, base)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf_filename(certificate)}"'
    # Personal data: no shared cache keeps it; the browser asks again with the ETag.
    response.headers["Cache-Control"] = "private, no-cache"
    response.set_etag(digest)
    return response.make_conditional(request)


def _pdf_bytes(certificate: Certificate, base: str) -> bytes:
    """The stored PDF; on a miss submit its job (inline: it stores it here and then)."""
    store = current_blobs()
    data = stored_pdf(certificate, base, store)
    if data is None and certificate.revoked_at is None:
        request_pdf(current_jobs(), certificate, base)
        data = stored_pdf(certificate, base, store)
    if data is None:  # revoked, or the worker has not stored it yet
        data = signed_certificate_pdf(certificate, base)
    return data


@bp.route("/<code>/credential")
@login_required
def credential(code: str) -> Response:
    certificate, credential = _own_credential(code)
    token = vc_jwt(credential, _signer(certificate), _base_url())
    return download(token, JWT_TYPE, _filename(certificate, "jwt"))


def _signer(certificate: Certificate) -> SigningKey:
    return signer_of(issuer_of(certificate.issuer_id))


@bp.route("/<code>/credential.jsonld")
@login_required
def credential_jsonld(code: str) -> Response:
    """The same credential as JSON-LD with an eddsa-rdfc-2022 proof (issuer: did:key)."""
    certificate, credential = _own_credential(code)
    key = _signer(certificate).private_key
    body = data_integrity_json(credential, key, certificate.issued_at)
    return download(body, JSONLD_TYPE, _filename(certificate, "jsonld"))


def _own_credential(code: str) -> tuple[Certificate, dict[str, object]]:
    """The signed-in holder's certificate and its credential; 404 for anyone else."""
    certificate = _by_code(code)
    if certificate is None or certificate.user_id != current_user.id:
        abort(404)
    credential = _credential_json(certificate)
    db.session.commit()  # a status bit given just now, if the certificate had none
    return certificate, credential


def _filename(certificate: Certificate, suffix: str) -> str:
    return f"open-badge-{certificate.payload['course_slug']}-{certificate.year}.{suffix}"


def _credential_json(certificate: Certificate) -> dict[str, object]:
    base = _base_url()
    issuer = issuer_of(certificate.issuer_id)
    return build_credential(
        document_of(certificate, base),
        base_url=base,
        # The profile's name, as its id answers: one name per issuer id.
        issuer_name=issuer.name,
        issuer_url=homepage(base, issuer),
        issuer_id=issuer_id(base, issuer),
        subject_salt=certificate.code,
        course_slug=certificate.payload["course_slug"],
        issued_at=certificate.issued_at,
        status=status_list.certificate_status(
            certificate.id,
            certificate.revoked_at is not None,
            status_list_base(base, issuer),
        ),
    )


# The platform issuer keeps the addresses its credentials carried before issuers were per
# instansi; an instansi's are served by elearn/issuers/views.py.
@bp.route("/keys")
def keys() -> WerkzeugResponse:
    return key_set_response(_platform(), _base_url())


@bp.route("/keys/<kid>")
def key(kid: str) -> WerkzeugResponse:
    return key_response(_platform(), kid)


@bp.route("/status/<int:list_no>")
@limiter.limit(_verify_limit)
def status(list_no: int) -> WerkzeugResponse:
    """The platform's Bitstring Status List credential (VC-JWT): public, cacheable, CORS-open
    (browser wallets fetch it), and cheap to ask again with If-None-Match."""
    return status_list_response(_platform(), list_no, _base_url(), jsonld=False)


@bp.route(f"/status/<int:list_no>{JSONLD_LIST}")
@limiter.limit(_verify_limit)
def status_jsonld(list_no: int) -> WerkzeugResponse:
    """The same list as JSON-LD with an eddsa-rdfc-2022 proof, for the `.jsonld` credentials."""
    return status_list_response(_platform(), list_no, _base_url(), jsonld=True)


@bp.route("/issuer")
def issuer() -> WerkzeugResponse | str:
    """The platform's issuer Profile (JSON), or its page for a browser."""
    return profile_response(_platform(), _base_url())


def _platform() -> IssuerProfile:
    issuer = platform_issuer(current_settings(), current_keystore(), clock.now())
    db.session.commit()  # made on first use
    return issuer


def did_web_document() -> WerkzeugResponse:
    """/.well-known/did.json: the platform issuer's keys under the deployment's did:web, every
    one of its history (after `flask certificates rotate-key --instansi platform` too)."""
    document = history_did_document(did_web(_base_url()), _platform(), also_known_as=[])
    response = jsonify(document)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# did:web resolves at the host's root, outside this blueprint's /certificates prefix.
bp.record_once(
    lambda state: state.app.add_url_rule(
        "/.well-known/did.json", "did_web_document", did_web_document
    )
)


@bp.route("/<code>/revoke", methods=["POST"])
@login_required
def revoke_certificate(code: str) -> WerkzeugResponse:
    certificate = _by_code(code)
    if certificate is None or not _may_manage(certificate):
        abort(404)
    page = url_for(".verify", code=code)
    done = _("Sertifikat dicabut. JP-nya tidak lagi dihitung.")
    return revoke_from_form(certificate, COURSE, page, done)


@bp.route("/<code>/unrevoke", methods=["POST"])
@login_required
def unrevoke_certificate(code: str) -> WerkzeugResponse:
    """An admin takes a revocation back, with a reason; anyone else is refused (403)."""
    certificate = _by_code(code)
    if certificate is None:
        abort(404)
    page = url_for(".verify", code=code)
    done = _("Pencabutan dibatalkan. Sertifikat kembali sah dan JP-nya dihitung.")
    return unrevoke_from_form(certificate, COURSE, page, done)
