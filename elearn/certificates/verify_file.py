"""What ``flask certificates verify`` reads: a signed PDF, a VC-JWT, or a JSON(-LD) file.

Every input ends in a Verdict (valid, revoked or invalid, with the reason); nothing a user
can hand in, however broken, raises.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy import select

from elearn import clock
from elearn.badges.verify import badge_by_code
from elearn.badges.verify import signature_valid as badge_signature_valid
from elearn.certificates.credential import InvalidCredential, decode_vc_jwt
from elearn.certificates.data_integrity import CRYPTOSUITE, verify_data_integrity
from elearn.certificates.did import did_key
from elearn.certificates.keys import stored_signature_valid
from elearn.certificates.revocation import Revocable
from elearn.extensions import db
from elearn.issuers.keystore import current_keystore
from elearn.issuers.registry import key_history, platform_issuer
from elearn.issuers.urls import issuer_id
from elearn.models import Certificate, IssuerProfile, ProgramCertificate
from elearn.pdf_signing.binding import current_pdf_signers
from elearn.pdf_signing.validation import check_signatures
from elearn.settings import current_settings

State = Literal["valid", "revoked", "invalid"]
# Exit status of the command: 2 is click's own for a usage error.
EXIT = {"valid": 0, "invalid": 1, "revoked": 3}
JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
VERIFY_URL = re.compile(r"^(?P<base>https?://.+?)/certificates/(?P<code>[A-Za-z0-9_-]{22})$")
CODE_TEXT = re.compile(r"Kode verifikasi:\s*([A-Za-z0-9_-]{22})")
CREDENTIAL_ID = re.compile(
    r"/(?P<kind>certificates|badges|programs/certificates)/(?P<code>[A-Za-z0-9_-]{22})"
    r"/credential$"
)
ENVELOPE = "data:application/vc+jwt,"
MAX_PDF_PAGES = 5  # ours has one; a huge file is not a certificate


@dataclass(frozen=True)
class Verdict:
    state: State
    reason: str

    @property
    def exit_code(self) -> int:
        return EXIT[self.state]


def invalid(reason: str) -> Verdict:
    return Verdict("invalid", reason)


def looks_like_jwt(text: str) -> bool:
    return bool(JWS.match(text.strip()))


def verify_bytes(data: bytes) -> Verdict:
    """Tell the kind of ``data`` from its content (not its name) and verify it."""
    if data.lstrip()[:5] == b"%PDF-":
        return verify_pdf(data)
    try:
        text = data.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        return invalid("not a certificate PDF, a VC-JWT or a JSON credential (binary data)")
    if text.startswith("{"):
        return verify_json(text)
    if looks_like_jwt(text):
        return verify_jwt(text)
    return invalid("not a certificate PDF, a VC-JWT or a JSON credential")


def verify_jwt(token: str) -> Verdict:
    """Verify with the key the kid names, which must be in some issuer's key history."""
    history = _history()
    try:
        credential = decode_vc_jwt(token, {kid: key for kid, (key, _) in history.items()})
        kid = str(jwt.get_unverified_header(token.strip())["kid"])
    except InvalidCredential as exc:
        return invalid(str(exc))
    return _credential_state(credential, history[re.split(r"[/#]", kid)[-1]][1])


def _credential_state(credential: dict[str, Any], signer: IssuerProfile) -> Verdict:
    """The state of the certificate, program certificate or badge a credential with a valid
    proof names, once the issuer whose key signed it is the one the credential and the
    certificate name."""
    found = CREDENTIAL_ID.search(str(credential.get("id", "")))
    if found is None:
        return invalid("the credential id names no certificate or badge of this deployment")
    if not _names_issuer(credential, signer):
        return invalid(f"signed with a key of {signer.name}, but it names another issuer")
    if found["kind"] == "badges":
        return _badge_state(found["code"])
    certificate: Revocable | None
    if found["kind"] == "programs/certificates":
        certificate = _program_certificate(found["code"])
    else:
        certificate = _certificate(found["code"])
    if certificate is None:
        return invalid(f"signature valid, but certificate {found['code']} is unknown here")
    if certificate.issuer_id != (None if signer.is_platform else signer.id):
        return invalid(
            f"signed with a key of {signer.name}, who did not issue {certificate.number}"
        )
    return _certificate_state(certificate, f"{certificate.number} {credential.get('name', '')}")


def _history() -> dict[str, tuple[Ed25519PublicKey, IssuerProfile]]:
    """Every issuer key, the platform's first (the deployment key) recorded if not yet."""
    platform_issuer(current_settings(), current_keystore(), clock.now())
    return key_history()


def _names_issuer(credential: dict[str, Any], signer: IssuerProfile) -> bool:
    """The credential's issuer id is the signer's (its path: the host is the caller's to pin);
    a Data Integrity credential names the signing key's did:key instead."""
    issuer = credential.get("issuer")
    named = str(issuer.get("id", "") if isinstance(issuer, dict) else issuer or "")
    if named.startswith("did:key:"):
        return True  # verify_data_integrity tied the proof's key to this very DID
    return urlsplit(named).path == urlsplit(issuer_id("http://host", signer)).path


def verify_json(text: str) -> Verdict:
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        return invalid(f"not valid JSON: {exc}")
    if not isinstance(document, dict):
        return invalid("the JSON is not a credential object")
    types = document.get("type")
    types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    envelope = document.get("id")
    if "EnvelopedVerifiableCredential" in types and isinstance(envelope, str):
        # VC 2.0 wraps a VC-JWT in JSON-LD as a data: URL.
        if not envelope.startswith(ENVELOPE):
            return invalid("the enveloped credential is not a data:application/vc+jwt URL")
        return verify_jwt(unquote(envelope.removeprefix(ENVELOPE)))
    if "VerifiableCredential" not in types:
        return invalid("the JSON is not a Verifiable Credential")
    proof = document.get("proof")
    if proof is None:
        return invalid(
            "the JSON credential carries no proof, so anyone could have written it; "
            "verify the .jwt download instead"
        )
    first = proof[0] if isinstance(proof, list) and proof else proof  # a proof set, or one
    kind = first.get("cryptosuite") or first.get("type") if isinstance(first, dict) else None
    if kind != CRYPTOSUITE:
        return invalid(f"proof {kind!r} cannot be checked here; verify the .jwt download instead")
    ours = {did_key(key): issuer for key, issuer in _history().values()}
    valid, reason = verify_data_integrity(document, trusted_issuers=frozenset(ours))
    if not valid:
        return invalid(reason)
    return _credential_state(document, ours[reason])


def verify_pdf(data: bytes) -> Verdict:
    """Check the PDF's PAdES signature against our published roots, then the certificate
    it names (revoked, unknown); a signed PDF naming none (a career record) is valid too."""
    check = check_signatures(data, current_pdf_signers().roots_pem())
    if not check.valid:
        return invalid(check.reason)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if len(reader.pages) > MAX_PDF_PAGES:
            _, code = None, None
        else:
            _, code = _pdf_code(reader)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        return invalid(f"not a readable PDF ({type(exc).__name__})")
    signed_by = f"signed by {check.signer}"
    if code is None:
        return Verdict("valid", f"{signed_by}: {check.reason or 'no certificate code in it'}")
    # A program certificate's page is <base>/programs/certificates/<code>.
    certificate: Revocable | None = _certificate(code) or _program_certificate(code)
    if certificate is None:
        return invalid(f"{signed_by}, but it names certificate {code}, which is unknown here")
    verdict = _certificate_state(certificate, certificate.number)
    if verdict.state != "valid":
        return Verdict(verdict.state, f"{verdict.reason} ({signed_by}, code {code})")
    return Verdict(
        "valid",
        f"{certificate.number} {certificate.payload['learner_name']} "
        f"({certificate.payload['jp']} JP), code {code}, {signed_by}",
    )


def _pdf_code(reader: PdfReader) -> tuple[str | None, str | None]:
    """The public base address and the verification code: from the QR code's link, else
    from the printed "Kode verifikasi" line."""
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            found = VERIFY_URL.match(str(action.get("/URI", "")))
            if found:
                return found["base"], found["code"]
    for page in reader.pages:
        found_text = CODE_TEXT.search(page.extract_text() or "")
        if found_text:
            return None, found_text[1]
    return None, None


def _certificate(code: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def _program_certificate(code: str) -> ProgramCertificate | None:
    return db.session.scalar(select(ProgramCertificate).where(ProgramCertificate.code == code))


def _certificate_state(certificate: Revocable, label: str) -> Verdict:
    """The state of a course or program certificate: revoked, or valid if its stored
    payload still matches its signature."""
    if certificate.revoked_at is not None:
        return Verdict(
            "revoked",
            f"{certificate.number} revoked on {certificate.revoked_at:%Y-%m-%d}: "
            f"{certificate.revoked_reason}",
        )
    if not stored_signature_valid(certificate.payload, certificate.signature):
        return invalid(f"the stored certificate {certificate.number} fails its signature check")
    return Verdict("valid", f"{label} ({certificate.payload['jp']} JP)")


def _badge_state(code: str) -> Verdict:
    badge = badge_by_code(code)
    if badge is None:
        return invalid(f"signature valid, but badge {code} is unknown here")
    if not badge_signature_valid(badge):
        return invalid("the stored badge fails its signature check")
    payload: dict[str, Any] = badge.payload
    return Verdict(
        "valid", f"Pembelajar ASN {payload['year']} {payload['learner_name']} ({payload['jp']} JP)"
    )
