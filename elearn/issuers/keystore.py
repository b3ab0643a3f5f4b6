"""Where issuers' private keys live: instance/issuer-keys/<kid>.pem, and the deployment key.

Only public keys go into the database (``issuer_key``). A private key is a PKCS#8 PEM file
named by its RFC 7638 thumbprint, mode 600, written once; the platform's first key is the
deployment's CERTIFICATE_SIGNING_KEY, so credentials issued before issuers were per instansi
keep the key they were signed with.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from elearn.certificates.keys import signing_key
from elearn.certificates.signing import key_id
from elearn.private_files import create_once

FOLDER = "issuer-keys"


class MissingPrivateKey(LookupError):
    """An issuer's current key whose private half is not on this server."""


@dataclass(frozen=True)
class KeyStore:
    folder: Path
    deployment_key: Ed25519PrivateKey

    @property
    def deployment_kid(self) -> str:
        return key_id(self.deployment_key.public_key())

    def private_key(self, kid: str) -> Ed25519PrivateKey:
        """The private key of ``kid``; MissingPrivateKey names the file it looked for."""
        if kid == self.deployment_kid:
            return self.deployment_key
        path = self.folder / f"{kid}.pem"
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise MissingPrivateKey(
                f"{path}: the private key of {kid} is unreadable ({exc})"
            ) from None
        if not isinstance(key, Ed25519PrivateKey) or key_id(key.public_key()) != kid:
            raise MissingPrivateKey(f"{path}: not the Ed25519 key {kid}")
        return key

    def new_key(self) -> Ed25519PrivateKey:
        """Make a key and write its file (before any row names it)."""
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        create_once(self.folder / f"{key_id(key.public_key())}.pem", pem)
        return key

    def discard(self, kid: str) -> None:
        """Remove the file of a key no row names (it lost a race to become current)."""
        if kid != self.deployment_kid:
            (self.folder / f"{kid}.pem").unlink(missing_ok=True)


def current_keystore() -> KeyStore:
    """The app's key store (instance/issuer-keys and the deployment key)."""
    return KeyStore(Path(current_app.instance_path) / FOLDER, signing_key())
