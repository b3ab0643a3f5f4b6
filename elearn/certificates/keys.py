"""The deployment's certificate signing key, loaded once per app."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from elearn.certificates.signing import key_id, load_signing_key


def signing_key() -> Ed25519PrivateKey:
    """Return the app's Ed25519 key (from the environment or instance/)."""
    key = current_app.extensions.get("certificate_signing_key")
    if key is None:
        key = load_signing_key(
            current_app.instance_path, current_app.config.get("CERTIFICATE_SIGNING_KEY") or None
        )
        current_app.extensions["certificate_signing_key"] = key
    return key


def current_key_id() -> str:
    return key_id(signing_key().public_key())
