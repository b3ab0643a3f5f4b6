"""Public verification, downloads (PDF, Open Badges credential) and revocation."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from elearn.auth.duties import OwnRecordRefused
from elearn.certificates import status_list
from elearn.certificates.credential import build_credential, encode_vc_jwt
from elearn.certificates.data_integrity import add_proof
from elearn.certificates.did import did_document, did_key, did_web
from elearn.certificates.forms import RevokeForm, UnrevokeForm
from elearn.certificates.issuance import (
    UnrevokeRefused,
    document_of,
    public_base_url,
    public_view,
    revoke,
    signature_valid,
    unrevoke,
)
from elearn.certificates.keys import current_key_id, signing_key
from elearn.certificates.pdf_store import (
    pdf_digest,
    pdf_filename,
    request_pdf,
    signed_certificate_pdf,
    stored_pdf,
)
from elearn.certificates.signing import public_jwk
from elearn.coordinator.scope import can_manage
from elearn.extensions import db, limiter
from elearn.jobs.binding import current_blobs, current_jobs
from elearn.models import Certificate, Role
from elearn.settings import current_settings

JSONLD_LIST = ".jsonld"  # the status list as JSON-LD with a Data Integrity proof
bp = Blueprint("certificates", __name__, url_prefix="/certificates")

CODE = re.compile(r"^[A-Za-z0-9_-]{22}$")
STATUS_MAX_AGE = 300  # seconds a verifier may reuse the status list without asking


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
    certificate = _by_code(code)
    if certificate is None:
        # Unknown and malformed codes get the very same answer.
        return render_template("certificates/unknown.html"), 404
    may_manage = _may_manage(certificate)
    owner = current_user.is_authenticated and certificate.user_id == current_user.id
    return render_template(
        "certificates/verify.html",
        certificate=certificate,
        view=public_view(certificate),
        signature_ok=signature_valid(certificate),
        may_download=owner or may_manage,
        may_manage=may_manage,
        form=RevokeForm() if may_manage else None,
        unrevoke_form=UnrevokeForm() if _may_unrevoke(certificate) else None,
    )


def _may_unrevoke(certificate: Certificate) -> bool:
    return (
        certificate.revoked_at is not None
        and current_user.is_authenticated
        and current_user.has_role(Role.ADMIN)
        and certificate.user_id != current_user.id
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
    token = encode_vc_jwt(credential, signing_key())
    return _credential_download(token, "application/vc+jwt", certificate, "jwt")


@bp.route("/<code>/credential.jsonld")
@login_required
def credential_jsonld(code: str) -> Response:
    """The same credential as JSON-LD with an eddsa-rdfc-2022 proof (issuer: did:key)."""
    certificate, credential = _own_credential(code)
    # Each form points at a status list secured as it is: verifiers of Data Integrity
    # credentials (DCC verifier-core) read JSON-LD lists, not VC-JWT ones.
    entry = credential.get("credentialStatus")
    if isinstance(entry, dict):
        url = f"{entry['statusListCredential']}{JSONLD_LIST}"
        credential["credentialStatus"] = {
            **entry,
            "id": f"{url}#{entry['statusListIndex']}",
            "statusListCredential": url,
        }
    document = add_proof(credential, signing_key(), created=certificate.issued_at)
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return _credential_download(body, "application/vc+ld+json", certificate, "jsonld")


def _own_credential(code: str) -> tuple[Certificate, dict[str, object]]:
    """The signed-in holder's certificate and its credential; 404 for anyone else."""
    certificate = _by_code(code)
    if certificate is None or certificate.user_id != current_user.id:
        abort(404)
    credential = _credential_json(certificate)
    db.session.commit()  # a status bit given just now, if the certificate had none
    return certificate, credential


def _credential_download(
    body: str, mimetype: str, certificate: Certificate, suffix: str
) -> Response:
    response = Response(body, mimetype=mimetype)
    filename = f"open-badge-{certificate.payload['course_slug']}-{certificate.year}.{suffix}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _credential_json(certificate: Certificate) -> dict[str, object]:
    base = _base_url()
    return build_credential(
        document_of(certificate, base),
        base_url=base,
        issuer_name=certificate.payload["issuer_name"],
        issuer_url=base,
        subject_salt=certificate.code,
        course_slug=certificate.payload["course_slug"],
        issued_at=certificate.issued_at,
        status=status_list.certificate_status(
            certificate.id, certificate.revoked_at is not None, base
        ),
    )


@bp.route("/keys/<kid>")
def key(kid: str) -> WerkzeugResponse:
    if kid != current_key_id():
        abort(404)
    response = jsonify(public_jwk(signing_key().public_key()))
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/status/<int:list_no>")
@limiter.limit(_verify_limit)
def status(list_no: int) -> WerkzeugResponse:
    """The issuer's Bitstring Status List credential (VC-JWT): public, cacheable, CORS-open
    (browser wallets fetch it), and cheap to ask again with If-None-Match."""
    credential, changed_at = _status_list(list_no)
    token = encode_vc_jwt(credential, signing_key())
    return _status_response(Response(token, mimetype="application/vc+jwt"), token)


@bp.route(f"/status/<int:list_no>{JSONLD_LIST}")
@limiter.limit(_verify_limit)
def status_jsonld(list_no: int) -> WerkzeugResponse:
    """The same list as JSON-LD with an eddsa-rdfc-2022 proof, for the `.jsonld` credentials."""
    credential, changed_at = _status_list(list_no)
    url = f"{credential['id']}{JSONLD_LIST}"
    credential = {
        **credential,
        "id": url,
        # A bare DID (set by add_proof), as DCC's verifier-core reads the issuer of a list.
        "issuer": "did:key",
        "credentialSubject": {**credential["credentialSubject"], "id": f"{url}#list"},
    }
    moment = changed_at or datetime(2026, 1, 1, tzinfo=UTC)
    document = add_proof(credential, signing_key(), created=moment)
    body = json.dumps(document, ensure_ascii=False)
    return _status_response(Response(body, mimetype="application/vc+ld+json"), body)


def _status_list(list_no: int) -> tuple[dict[str, Any], datetime | None]:
    revoked, changed_at, count = status_list.list_state(list_no)
    if count == 0 and list_no != 1:
        abort(404)
    credential = status_list.build_status_list_credential(
        base_url=_base_url(),
        list_no=list_no,
        issuer_name=current_settings().certificates.issuer_name,
        revoked_indexes=revoked,
        changed_at=changed_at,
    )
    return credential, changed_at


def _status_response(response: Response, body: str) -> WerkzeugResponse:
    # Short: a revocation reaches verifiers within minutes; revalidation costs a 304.
    response.headers["Cache-Control"] = f"public, max-age={STATUS_MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    response.set_etag(hashlib.sha256(body.encode("utf-8")).hexdigest()[:32])
    return response.make_conditional(request)


@bp.route("/issuer")
def issuer() -> WerkzeugResponse:
    base = _base_url()
    return jsonify(
        {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            ],
            "id": f"{base}/certificates/issuer",
            "type": ["Profile"],
            "name": current_settings().certificates.issuer_name,
            "url": base,
        }
    )


def did_web_document() -> WerkzeugResponse:
    """/.well-known/did.json: the signing key under the deployment's did:web."""
    public_key = signing_key().public_key()
    did = did_web(_base_url())
    response = jsonify(did_document(did, public_key, also_known_as=[did_key(public_key)]))
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
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Alasan pencabutan wajib diisi."), "error")
        return redirect(url_for(".verify", code=code))
    try:
        revoked = revoke(certificate, current_user, form.reason.data or "")
    except OwnRecordRefused:
        db.session.commit()  # only the audit entry of the refusal
        abort(
            403,
            _(
                "Anda tidak dapat mencabut sertifikat Anda sendiri; "
                "admin atau koordinator lain yang memutuskannya."
            ),
        )
    if revoked:
        db.session.commit()
        flash(_("Sertifikat dicabut. JP-nya tidak lagi dihitung."), "success")
    return redirect(url_for(".verify", code=code))


@bp.route("/<code>/unrevoke", methods=["POST"])
@login_required
def unrevoke_certificate(code: str) -> WerkzeugResponse:
    """An admin takes a revocation back, with a reason; anyone else is refused (403)."""
    certificate = _by_code(code)
    if certificate is None:
        abort(404)
    form = UnrevokeForm()
    if current_user.has_role(Role.ADMIN) and not form.validate_on_submit():
        flash(_("Alasan membatalkan pencabutan wajib diisi."), "error")
        return redirect(url_for(".verify", code=code))
    try:
        done = unrevoke(certificate, current_user, form.reason.data or "-")
    except UnrevokeRefused:
        db.session.commit()  # only the audit entry of the refusal
        abort(403, _("Hanya admin yang dapat membatalkan pencabutan sertifikat."))
    except OwnRecordRefused:
        db.session.commit()  # only the audit entry of the refusal
        abort(403, _("Anda tidak dapat memutuskan sertifikat Anda sendiri."))
    if done:
        db.session.commit()
        flash(_("Pencabutan dibatalkan. Sertifikat kembali sah dan JP-nya dihitung."), "success")
    return redirect(url_for(".verify", code=code))
