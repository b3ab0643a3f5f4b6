"""What an issuer publishes: its Profile, its keys (JWKS, JWK, DID document) and its status
lists, each with caching headers. Shared by the platform's legacy addresses
(elearn/certificates/views.py) and an instansi's /issuers/<slug> (elearn/issuers/views.py).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from flask import Response, abort, jsonify, render_template, request
from werkzeug.wrappers import Response as WerkzeugResponse

from elearn.certificates import status_list
from elearn.certificates.credential import encode_vc_jwt
from elearn.certificates.data_integrity import add_proof
from elearn.certificates.did import did_document, did_key, did_web
from elearn.issuers.keystore import current_keystore
from elearn.issuers.registry import public_jwk_of, public_key_of, signing_key_of
from elearn.issuers.urls import (
    issuer_id,
    issuer_root,
    key_url,
    keys_url,
    profile_json,
    status_list_base,
)
from elearn.models import IssuerProfile

JSONLD_LIST = ".jsonld"  # the status list as JSON-LD with a Data Integrity proof
# Seconds a verifier may reuse the status list without asking: short, so a revocation reaches
# verifiers within minutes; revalidation costs a 304.
STATUS_MAX_AGE = 300
PROFILE_MAX_AGE = 3600  # a renamed issuer or a rotated key shows within the hour
KEY_MAX_AGE = 86400  # a key never changes once published
JSON_TYPES = ("application/json", "application/ld+json", "application/jwk-set+json")


def wants_html() -> bool:
    """A browser asking for a page; verifiers (Accept: JSON or */*) get JSON."""
    best = request.accept_mimetypes.best_match([*JSON_TYPES, "text/html"])
    return best == "text/html"


def _cached(response: WerkzeugResponse, max_age: int, body: bytes) -> WerkzeugResponse:
    """``_public``, for an address that answers a page or JSON by the Accept header."""
    response.vary.add("Accept")
    return _public(response, max_age, body)


def _public(response: WerkzeugResponse, max_age: int, body: bytes) -> WerkzeugResponse:
    """Cacheable by anyone, CORS-open (browser wallets fetch it), cheap to ask again with
    If-None-Match."""
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)


def _page(issuer: IssuerProfile, base: str) -> WerkzeugResponse:
    body = render_template(
        "issuers/profile.html",
        issuer=issuer,
        profile=profile_json(base, issuer),
        keys=[(row, key_url(base, issuer, row.kid)) for row in reversed(issuer.keys)],
        keys_url=keys_url(base, issuer),
        did_url=f"{issuer_root(base, issuer)}/did.json",
        status_url=f"{status_list_base(base, issuer)}/1",
    )
    return _cached(Response(body, mimetype="text/html"), PROFILE_MAX_AGE, body.encode("utf-8"))


def profile_response(issuer: IssuerProfile, base: str) -> WerkzeugResponse:
    """The OB 3.0 Profile the issuer id names (JSON), or its page for a browser."""
    if wants_html():
        return _page(issuer, base)
    return _json(profile_json(base, issuer), PROFILE_MAX_AGE)


def key_set_response(issuer: IssuerProfile, base: str) -> WerkzeugResponse:
    """The issuer's JWKS: every key of its history, the current one first."""
    if wants_html():
        return _page(issuer, base)
    current = [row for row in issuer.keys if row.retired_at is None]
    retired = [row for row in reversed(issuer.keys) if row.retired_at is not None]
    return _json({"keys": [public_jwk_of(row) for row in current + retired]}, PROFILE_MAX_AGE)


def key_response(issuer: IssuerProfile, kid: str) -> WerkzeugResponse:
    """One key of the issuer's history as a JWK; 404 for a key it never had."""
    row = next((k for k in issuer.keys if k.kid == kid), None)
    if row is None:
        abort(404)
    return _json(public_jwk_of(row), KEY_MAX_AGE)


def did_response(issuer: IssuerProfile, base: str) -> WerkzeugResponse:
    """The DID document of did:web:<host>:issuers:<slug>: every key of the history asserts
    (old credentials keep verifying), and each key's did:key is also known."""
    if not issuer.keys:
        abort(404)
    document = history_did_document(
        did_web(issuer_root(base, issuer)), issuer, also_known_as=[issuer_id(base, issuer)]
    )
    return _json(document, PROFILE_MAX_AGE, mimetype="application/did+json")


def history_did_document(
    did: str, issuer: IssuerProfile, *, also_known_as: list[str]
) -> dict[str, Any]:
    """``did``'s document naming every key of the issuer's history, the newest first, and
    each key's did:key; the issuer has at least one key."""
    rows = list(reversed(issuer.keys))
    document = did_document(did, public_key_of(rows[0]), also_known_as=[])
    for row in rows[1:]:
        extra = did_document(did, public_key_of(row), also_known_as=[])
        document["verificationMethod"] += extra["verificationMethod"]
        document["assertionMethod"] += extra["assertionMethod"]
    document["alsoKnownAs"] = also_known_as + [did_key(public_key_of(row)) for row in rows]
    return document


def status_list_response(
    issuer: IssuerProfile, list_no: int, base: str, *, jsonld: bool
) -> WerkzeugResponse:
    """The issuer's Bitstring Status List credential <list_no>, signed by its current key:
    a VC-JWT, or JSON-LD with an eddsa-rdfc-2022 proof for the `.jsonld` credentials."""
    only = None if issuer.is_platform else issuer.id
    revoked, changed_at, count = status_list.list_state(list_no, only)
    if count == 0 and list_no != 1:
        abort(404)
    credential: dict[str, Any] = status_list.build_status_list_credential(
        list_base=status_list_base(base, issuer),
        list_no=list_no,
        issuer_id=issuer_id(base, issuer),
        issuer_name=issuer.name,
        revoked_indexes=revoked,
        changed_at=changed_at,
    )
    signer = signing_key_of(issuer, current_keystore())
    if not jsonld:
        token = encode_vc_jwt(credential, signer.private_key, kid=key_url(base, issuer, signer.kid))
        response = Response(token, mimetype="application/vc+jwt")
        return _public(response, STATUS_MAX_AGE, token.encode("utf-8"))
    url = f"{credential['id']}{JSONLD_LIST}"
    credential = {
        **credential,
        "id": url,
        # A bare DID (set by add_proof), as DCC's verifier-core reads the issuer of a list.
        "issuer": "did:key",
        "credentialSubject": {**credential["credentialSubject"], "id": f"{url}#list"},
    }
    moment = changed_at or datetime(2026, 1, 1, tzinfo=UTC)
    document = add_proof(credential, signer.private_key, created=moment)
    body = json.dumps(document, ensure_ascii=False)
    return _public(
        Response(body, mimetype="application/vc+ld+json"), STATUS_MAX_AGE, body.encode("utf-8")
    )


def _json(data: Any, max_age: int, mimetype: str = "application/json") -> WerkzeugResponse:
    response = jsonify(data)
    response.mimetype = mimetype
    return _cached(response, max_age, response.get_data())
