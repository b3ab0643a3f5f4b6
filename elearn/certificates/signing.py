"""Ed25519 tamper evidence: the deployment's key, its JWK and kid, and signed canonical JSON."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from elearn.private_files import create_once

ENV_VAR = "CERTIFICATE_SIGNING_KEY"
KEY_FILENAME = "certificate-signing-key.pem"
# Larger integers lose precision in JavaScript and in RFC 8785's number format.
MAX_SAFE_INTEGER = 2**53 - 1

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
log = logging.getLogger(__name__)


def load_signing_key(instance_path: str, configured: str | None) -> Ed25519PrivateKey:
    """Load the key from CERTIFICATE_SIGNING_KEY, else from instance/, creating it once."""
    if configured is not None and configured.strip():
        return _parse_configured(configured.strip().strip("'\""))
    path = Path(instance_path) / KEY_FILENAME
    if path.exists():
        return _read_key_file(path)
    return _create_key_file(path)


def key_id(public_key: Ed25519PublicKey) -> str:
    """Return the RFC 7638 JWK thumbprint of the key (base64url, no padding)."""
    # RFC 7638 §3.2: only the required members, in lexicographic order, no whitespace.
    members = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": _raw_public(public_key)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return b64url_encode(hashlib.sha256(members.encode("ascii")).digest())


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    """Return the public key as an OKP JWK (RFC 8037), with its thumbprint as kid."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _raw_public(public_key),
        "kid": key_id(public_key),
        "alg": "EdDSA",
        "use": "sig",
    }


def canonical_json(data: Any) -> bytes:
    """Serialise strings, ints, bools, None, lists and dicts as RFC 8785 (JCS) UTF-8 bytes."""
    text = json.dumps(
        _canonical_value(data, "$"),
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("canonical_json: a string holds a lone surrogate") from None


def sign_payload(key: Ed25519PrivateKey, data: Mapping[str, Any]) -> str:
    """Sign canonical_json(data); return the 64-byte signature as base64url without padding."""
    return b64url_encode(key.sign(canonical_json(data)))


def verify_payload(public_key: Ed25519PublicKey, data: Mapping[str, Any], signature: str) -> bool:
    """Tell whether the signature matches data; False, never an exception, for any bad input."""
    try:
        message = canonical_json(data)
    except (ValueError, TypeError):
        return False
    return verify_message(public_key, message, signature)


def verify_message(public_key: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    """Tell whether the signature matches the signed bytes; False for any bad input."""
    try:
        raw = b64url_decode(signature)
        if len(raw) != 64:
            return False
        public_key.verify(raw, message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def b64url_encode(data: bytes) -> str:
    """Encode as base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url strictly; ValueError on any other alphabet."""
    if not isinstance(text, str) or not _B64URL.match(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _raw_public(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b64url_encode(raw)


def _canonical_value(value: Any, where: str) -> Any:
    """Check the value is in our JSON subset; return it with keys in RFC 8785 order."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise ValueError(f"canonical_json: integer at {where} is beyond ±2^53-1")
        return int(value)
    if isinstance(value, float):
        raise ValueError(f"canonical_json: float at {where}; use an int or a string")
    if isinstance(value, list | tuple):
        return [_canonical_value(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, Mapping):
        for name in value:
            if not isinstance(name, str):
                raise ValueError(f"canonical_json: non-string key {name!r} at {where}")
        # RFC 8785 §3.2.3 sorts by UTF-16 code units; Python compares code points.
        ordered = sorted(value, key=lambda name: name.encode("utf-16-be", "surrogatepass"))
        return {name: _canonical_value(value[name], f"{where}.{name}") for name in ordered}
    raise TypeError(f"canonical_json: {type(value).__name__} at {where} is not JSON data")


def _parse_configured(value: str) -> Ed25519PrivateKey:
    if "-----BEGIN" in value:
        # .env files and container settings often carry the PEM on one line with \n escapes.
        pem = value.replace("\\r\\n", "\n").replace("\\n", "\n")
        pem = "\n".join(line.strip() for line in pem.splitlines() if line.strip()) + "\n"
        return _parse_pem(pem.encode("ascii", "replace"), ENV_VAR)
    raw = _decode_base64_any(value)
    if raw is None:
        raise ValueError(
            f"{ENV_VAR} is neither a PKCS#8 PEM key nor base64/base64url of a raw "
            "32-byte Ed25519 private key"
        )
    if len(raw) == 64:
        # libsodium-style secret key: the 32-byte seed followed by the public key.
        key = Ed25519PrivateKey.from_private_bytes(raw[:32])
        public = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        if public != raw[32:]:
            raise ValueError(
                f"{ENV_VAR} holds 64 bytes whose second half is not the matching public key"
            )
        return key
    if len(raw) != 32:
        raise ValueError(
            f"{ENV_VAR} decodes to {len(raw)} bytes; a raw Ed25519 private key is 32 bytes"
        )
    return Ed25519PrivateKey.from_private_bytes(raw)


def _decode_base64_any(value: str) -> bytes | None:
    """Decode standard or URL-safe base64, padded or not; None when it is neither."""
    text = "".join(value.split()).rstrip("=")
    if not re.fullmatch(r"[A-Za-z0-9+/_-]+", text) or len(text) % 4 == 1:
        return None
    text = text.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        return None


def _parse_pem(pem: bytes, source: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        raise ValueError(
            f"{source} holds an encrypted private key; provide it unencrypted (PKCS#8)"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise ValueError(f"{source} is not a readable PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{source} must hold an Ed25519 key, not {type(key).__name__}")
    return key


def _read_key_file(path: Path) -> Ed25519PrivateKey:
    source = f"{path} (used because {ENV_VAR} is unset)"
    if path.stat().st_mode & 0o077:
        log.warning("%s is readable by other users; chmod 600 it", path)
    return _parse_pem(path.read_bytes(), source)


def _create_key_file(path: Path) -> Ed25519PrivateKey:
    """Write a new key atomically; if another process got there first, use its key."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    if not create_once(path, pem):
        return _read_key_file(path)
    log.warning("Generated a new certificate signing key at %s; back it up", path)
    return key
