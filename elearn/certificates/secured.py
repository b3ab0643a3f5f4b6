"""A credential secured for download, in its two forms: a VC-JWT, and JSON-LD with an
eddsa-rdfc-2022 Data Integrity proof. Shared by course certificates, program certificates
and badges, so every kind is signed, named and pointed at its status list the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Response

from elearn import clock
from elearn.certificates.credential import encode_vc_jwt
from elearn.certificates.data_integrity import add_proof
from elearn.issuers.keystore import current_keystore
from elearn.issuers.publish import JSONLD_LIST
from elearn.issuers.registry import SigningKey, issuer_of_certificate, signing_key_of
from elearn.issuers.urls import key_url
from elearn.models import IssuerProfile
from elearn.settings import current_settings

JWT_TYPE = "application/vc+jwt"
JSONLD_TYPE = "application/vc+ld+json"


def issuer_of(issuer_id: int | None) -> IssuerProfile:
    """The profile a certificate's ``issuer_id`` names (NULL: the platform's)."""
    return issuer_of_certificate(issuer_id, current_settings(), current_keystore(), clock.now())


def signer_of(issuer: IssuerProfile) -> SigningKey:
    """The issuer's current key: new downloads use a rotated key."""
    return signing_key_of(issuer, current_keystore())


def vc_jwt(credential: Mapping[str, Any], signer: SigningKey, base_url: str) -> str:
    """The credential as a VC-JWT signed by the issuer's current key (its kid the key's URL)."""
    kid = key_url(base_url, signer.issuer, signer.kid)
    return encode_vc_jwt(credential, signer.private_key, kid=kid)


def data_integrity_json(
    credential: Mapping[str, Any], private_key: Ed25519PrivateKey, created: datetime
) -> str:
    """The credential as JSON-LD with an eddsa-rdfc-2022 proof (issuer: the key's did:key).

    Each form points at a status list secured as it is: verifiers of Data Integrity
    credentials (DCC verifier-core) read JSON-LD lists, not VC-JWT ones.
    """
    document = dict(credential)
    entry = document.get("credentialStatus")
    if isinstance(entry, Mapping):
        url = f"{entry['statusListCredential']}{JSONLD_LIST}"
        document["credentialStatus"] = {
            **entry,
            "id": f"{url}#{entry['statusListIndex']}",
            "statusListCredential": url,
        }
    return json.dumps(
        add_proof(document, private_key, created=created), ensure_ascii=False, indent=2
    )


def download(body: str, mimetype: str, filename: str) -> Response:
    """The credential as a file to save."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
