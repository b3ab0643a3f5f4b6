"""The issuer as a DID: did:key of the signing key (resolvable offline) and its did:web twin.

A did:key holds the public key itself (multibase base58btc of the multicodec
``ed25519-pub`` prefix 0xed01 followed by the 32 key bytes), so any verifier resolves it
without a network. did:web names the same key through the deployment's own address
(``/.well-known/did.json``), for production setups that prefer an issuer id people
recognise. See docs/credentials.md, "Data Integrity proof".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# Multicodec "ed25519-pub" (0xed) as an unsigned varint.
ED25519_PUB = b"\xed\x01"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


class UnresolvableDid(ValueError):
    """A DID or DID URL this module cannot turn into an Ed25519 public key."""


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """The Multikey form of the key: ``z6Mk…`` (Data Integrity EdDSA Cryptosuites §2.1.1)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58.b58encode(ED25519_PUB + raw).decode("ascii")


def did_key(public_key: Ed25519PublicKey) -> str:
    return f"did:key:{public_key_multibase(public_key)}"


def did_key_method(public_key: Ed25519PublicKey) -> str:
    """The verification method id: did:key's fragment repeats the key (did:key spec §3.1.1)."""
    multibase = public_key_multibase(public_key)
    return f"did:key:{multibase}#{multibase}"


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    if not isinstance(value, str) or not value.startswith("z"):
        raise UnresolvableDid("the key is not multibase base58btc (it must start with 'z')")
    try:
        decoded = base58.b58decode(value[1:])
    except ValueError:
        raise UnresolvableDid("the key is not valid base58btc") from None
    if len(decoded) != 34 or decoded[:2] != ED25519_PUB:
        raise UnresolvableDid("the key is not an Ed25519 Multikey (z6Mk…)")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


def resolve_did_key(did_url: str) -> tuple[str, Ed25519PublicKey]:
    """The controller DID and the public key of a did:key verification method."""
    if not isinstance(did_url, str) or not did_url.startswith("did:key:"):
        raise UnresolvableDid(f"{did_url!r} is not a did:key")
    did, _, fragment = did_url.partition("#")
    multibase = did.removeprefix("did:key:")
    if fragment and fragment != multibase:
        raise UnresolvableDid("a did:key verification method repeats the key as its fragment")
    return did, public_key_from_multibase(multibase)


def did_web(base_url: str) -> str:
    """did:web of the deployment's host (its port %3A-encoded, a path joined with ':')."""
    parts = urlsplit(base_url)
    if not parts.hostname:
        raise ValueError(f"{base_url!r} has no host for a did:web")
    host = parts.hostname + (f"%3A{parts.port}" if parts.port else "")
    path = ":".join(segment for segment in parts.path.split("/") if segment)
    return f"did:web:{host}" + (f":{path}" if path else "")


def did_document(
    did: str, public_key: Ed25519PublicKey, *, also_known_as: list[str]
) -> dict[str, Any]:
    """A DID document naming the key as a Multikey for assertions (signing credentials)."""
    multibase = public_key_multibase(public_key)
    method = f"{did}#{multibase}"
    document: dict[str, Any] = {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multibase,
            }
        ],
        "assertionMethod": [method],
        "authentication": [method],
    }
    if also_known_as:
        document["alsoKnownAs"] = also_known_as
    return document
