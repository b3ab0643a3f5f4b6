"""The deployment's certificate signing key, loaded once per app."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from elearn.certificates.signing import canonical_json, key_id, load_signing_key, verify_message
from elearn.settings import current_settings


def signing_key() -> Ed25519PrivateKey:
    """Return the app's Ed25519 key (from the environment or instance/)."""
    key = current_app.extensions.get("certificate_signing_key")
    if key is None:
        key = load_signing_key(
            current_app.instance_path, current_settings().certificate_signing_key or None
        )
        current_app.extensions["certificate_signing_key"] = key
    return key


def current_key_id() -> str:
    return key_id(signing_key().public_key())


def signature_check() -> Callable[[bytes, str], bool]:
    """The app's check of signed bytes against a signature, remembering its answers.

    The answer depends only on the app's key, the bytes and the signature, so a certificate
    whose payload or signature changed is checked afresh. The public key is derived once.
    """
    check = current_app.extensions.get("certificate_signature_check")
    if check is None:
        public_key = signing_key().public_key()

        def verify(message: bytes, signature: str) -> bool:
            return verify_message(public_key, message, signature)

        check = current_app.extensions.setdefault(
            "certificate_signature_check", lru_cache(maxsize=4096)(verify)
        )
    return check


def stored_signature_valid(payload: Mapping[str, Any], signature: str) -> bool:
    """Check a stored payload (a certificate's, a badge's) against its Ed25519 signature.

    A row changed in the database, even into something that is not JSON data, fails.
    """
    try:
        message = canonical_json(payload)
    except (ValueError, TypeError):
        return False
    return signature_check()(message, signature)
