"""The badge's public verification page and its Open Badges credential (VC-JWT)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from elearn.badges.verification import verified_badge
from elearn.badges.verify import badge_by_code, document_of, public_view, signature_valid
from elearn.certificates import status_list
from elearn.certificates.credential import build_badge_credential, encode_vc_jwt
from elearn.certificates.issuance import public_base_url
from elearn.certificates.keys import signing_key
from elearn.certificates.secured import JSONLD_TYPE, JWT_TYPE, data_integrity_json, download
from elearn.extensions import db, limiter
from elearn.models import JpBadge
from elearn.settings import current_settings

bp = Blueprint("badges", __name__, url_prefix="/badges")

CODE = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _verify_limit() -> str:
    return current_settings().verify_rate_limit


def _by_code(code: str) -> JpBadge | None:
    return badge_by_code(code) if CODE.match(code) else None


@bp.route("/<code>")
@limiter.limit(_verify_limit)
def verify(code: str) -> tuple[str, int] | str:
    # The public page only reads: the badge as a plain row, not a session's object.
    badge = verified_badge(code) if CODE.match(code) else None
    if badge is None:
        # Unknown and malformed codes get the very same answer.
        return render_template("badges/unknown.html"), 404
    owner = current_user.is_authenticated and badge.user_id == current_user.id
    return render_template(
        "badges/verify.html",
        badge=badge,
        view=public_view(badge),
        signature_ok=signature_valid(badge),
        owner=owner,
    )


@bp.route("/<code>/credential")
@login_required
def credential(code: str) -> Response:
    badge, credential = _own_credential(code)
    token = encode_vc_jwt(credential, signing_key())
    return download(token, JWT_TYPE, _filename(badge, "jwt"))


@bp.route("/<code>/credential.jsonld")
@login_required
def credential_jsonld(code: str) -> Response:
    """The same credential as JSON-LD with an eddsa-rdfc-2022 proof (issuer: did:key)."""
    badge, credential = _own_credential(code)
    body = data_integrity_json(credential, signing_key(), badge.issued_at)
    return download(body, JSONLD_TYPE, _filename(badge, "jsonld"))


def _own_credential(code: str) -> tuple[JpBadge, dict[str, Any]]:
    """The signed-in holder's badge and its credential; 404 for anyone else."""
    badge = _by_code(code)
    if badge is None or badge.user_id != current_user.id:
        abort(404)
    base = public_base_url(current_settings(), request.url_root)
    credential = build_badge_credential(
        document_of(badge, base),
        base_url=base,
        issuer_url=base,
        issued_at=badge.issued_at,
        status=status_list.badge_status(badge.id, base),
    )
    db.session.commit()  # a status bit given just now, if the badge had none
    return badge, credential


def _filename(badge: JpBadge, suffix: str) -> str:
    return f"open-badge-pembelajar-asn-{badge.year}.{suffix}"
