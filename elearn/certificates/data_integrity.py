"""The credential secured with a Data Integrity proof, cryptosuite ``eddsa-rdfc-2022``.

W3C "Verifiable Credential Data Integrity 1.0" and "Data Integrity EdDSA Cryptosuites v1.0"
§3.2: the credential and the proof options are each canonicalized with RDFC-1.0 (PyLD's
URDNA2015, the same algorithm), hashed with SHA-256, and the two hashes (options first)
are signed with the deployment's Ed25519 key. The issuer is the key's did:key, so any
verifier resolves it offline.

JSON-LD contexts come only from ``contexts/`` (see its README): a document naming any other
context is refused, never fetched. Terms a context does not define make signing and
verifying fail, as the specification's "safe mode" asks, rather than being left unsigned.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from pyld import jsonld

from elearn import clock
from elearn.certificates.credential import CLOCK_SKEW
from elearn.certificates.did import UnresolvableDid, did_key, did_key_method, resolve_did_key

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"
CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
# URL -> file in contexts/; nothing else is ever loaded.
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-context-3.0.3.json",
}


_PYLD_LOCK = threading.Lock()


class DataIntegrityError(ValueError):
    """A document that cannot be signed or whose proof does not hold."""


@cache
def _context(url: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CONTEXTS_DIR / CONTEXT_FILES[url]).read_text("utf-8"))
    return document


def load_document(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """PyLD document loader: the stored contexts, and a refusal for any other URL."""
    if url not in CONTEXT_FILES:
        raise jsonld.JsonLdError(
            f"context {url} is not one this deployment holds; it is never fetched",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(_context(url))}


def _refuse_dropped(term: str | None) -> None:
    raise DataIntegrityError(f"the term {term!r} is not defined by the credential's contexts")


def canonical_nquads(document: Mapping[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (stored contexts only, safe mode)."""
    processor = jsonld.JsonLdProcessor(on_property_dropped=_refuse_dropped)
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": load_document,
    }
    try:
        # PyLD's processed-context cache is process-wide and not thread-safe (gthread workers).
        with _PYLD_LOCK:
            nquads: str = processor.normalize(dict(document), options)
    except jsonld.JsonLdError as exc:
        raise DataIntegrityError(
            f"not JSON-LD this deployment can canonicalize: {_cause(exc)}"
        ) from None
    return nquads


def with_did_issuer(credential: Mapping[str, Any], public_key: Ed25519PublicKey) -> dict[str, Any]:
    """The credential with the key's did:key as ``issuer.id`` (name and url kept)."""
    document = copy.deepcopy(dict(credential))
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        document["issuer"] = {**issuer, "id": did_key(public_key)}
    else:
        document["issuer"] = did_key(public_key)
    return document


def add_proof(
    credential: Mapping[str, Any], key: Ed25519PrivateKey, *, created: datetime
) -> dict[str, Any]:
    """Return the credential, issuer as did:key, with an eddsa-rdfc-2022 proof.

    ``created`` is the issue instant, so every download of a certificate is the same file.
    """
    document = with_did_issuer(credential, key.public_key())
    document.pop("proof", None)
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": _timestamp(created),
        "verificationMethod": did_key_method(key.public_key()),
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = key.sign(_hash_data(document, options))
    # A list: the 1EdTech OB 3.0 JSON schema types `proof` as an array (VC DI allows a set).
    document["proof"] = [{**options, "proofValue": "z" + base58.b58encode(signature).decode()}]
    return document


def verify_data_integrity(
    document: Any, *, trusted_issuers: frozenset[str] | None = None
) -> tuple[bool, str]:
    """Check an eddsa-rdfc-2022 proof; (True, issuer DID) or (False, why). Never raises.

    The key comes from the proof's did:key verification method, which must belong to the
    issuer. A did:key is anyone's to make, so pass ``trusted_issuers`` (e.g. this
    deployment's ``did_key(signing_key().public_key())``) to accept only known issuers.
    """
    try:
        return True, _verify(document, trusted_issuers)
    except (DataIntegrityError, UnresolvableDid) as exc:
        return False, str(exc)
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        return False, f"malformed credential ({type(exc).__name__}: {exc})"


def _verify(document: Any, trusted_issuers: frozenset[str] | None) -> str:
    if not isinstance(document, Mapping):
        raise DataIntegrityError("the credential is not a JSON object")
    proof = document.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise DataIntegrityError("exactly one proof is expected")
        proof = proof[0]
    if not isinstance(proof, Mapping):
        raise DataIntegrityError("the credential carries no Data Integrity proof")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise DataIntegrityError(
            f"proof {proof.get('type')!r}/{proof.get('cryptosuite')!r} is not "
            f"{PROOF_TYPE}/{CRYPTOSUITE}"
        )
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        raise DataIntegrityError(f"the proof's purpose is not {PROOF_PURPOSE}")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise DataIntegrityError("proofValue is not multibase base58btc")
    try:
        signature = base58.b58decode(value[1:])
    except ValueError:
        raise DataIntegrityError("proofValue is not valid base58btc") from None
    if len(signature) != 64:
        raise DataIntegrityError("proofValue is not a 64-byte Ed25519 signature")
    controller, public_key = resolve_did_key(str(proof.get("verificationMethod")))
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if issuer_id != controller:
        raise DataIntegrityError("the proof's key does not belong to the credential's issuer")
    if trusted_issuers is not None and controller not in trusted_issuers:
        raise DataIntegrityError(f"the issuer {controller} is not one this verifier trusts")
    options = {name: item for name, item in proof.items() if name != "proofValue"}
    unsigned = {name: item for name, item in document.items() if name != "proof"}
    if not _signature_holds(public_key, signature, _hash_data(unsigned, options)):
        raise DataIntegrityError("the proof does not match the credential: it was altered")
    _check_validity(document)
    return controller


def _check_validity(document: Mapping[str, Any]) -> None:
    """validFrom has passed and validUntil (when given) has not, as for the VC-JWT."""
    now = clock.now()
    valid_from = _moment(document.get("validFrom"), "validFrom")
    if valid_from > now + CLOCK_SKEW:
        raise DataIntegrityError(f"not valid before {document['validFrom']}")
    if "validUntil" in document:
        if _moment(document["validUntil"], "validUntil") < now - CLOCK_SKEW:
            raise DataIntegrityError(f"expired on {document['validUntil']}")


def _moment(value: Any, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise DataIntegrityError(f"{name} is not a date-time with a time zone")
    return moment


def _signature_holds(public_key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def _hash_data(document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """eddsa-rdfc-2022 §3.2.4: SHA-256(canonical proof config) ‖ SHA-256(canonical document)."""
    if "@context" not in document:
        raise DataIntegrityError("the credential has no @context")
    config = {"@context": document["@context"], **options}
    return (
        hashlib.sha256(canonical_nquads(config).encode("utf-8")).digest()
        + hashlib.sha256(canonical_nquads(document).encode("utf-8")).digest()
    )


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cause(exc: BaseException) -> str:
    """The innermost message: PyLD wraps a loader refusal in several generic errors."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    message = getattr(exc, "message", None) or exc
    return str(message).splitlines()[0].strip("(',)")
