"""The PDF signer's private key and certificate chain: configured, or made once locally.

Production names a key and a certificate issued by a CA that PDF readers trust (for a
government office, BSrE/BSSN). Without one, ``make run`` and tests get an ECDSA P-256
key with a self-signed certificate in instance/ (readers then say "signer unknown",
but still detect edits). ECDSA P-256 rather than the certificates' Ed25519 key: Adobe
Acrobat validates RSA and ECDSA signatures, not EdDSA.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from elearn import clock
from elearn.private_files import create_once

FILENAME = "pdf-signing.pem"  # the key, then the certificate
SUBJECT = "eLearn ASN (penanda tangan lokal)"
VALID_FOR = timedelta(days=10 * 366)

log = logging.getLogger(__name__)

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class SigningIdentity:
    key: SigningKey
    chain: tuple[x509.Certificate, ...]  # the signer's certificate first

    @property
    def certificate(self) -> x509.Certificate:
        return self.chain[0]


def load_identity(instance_path: str, key_pem: str, chain_pem: str) -> SigningIdentity:
    """The configured key and chain; both unset: instance/pdf-signing.pem, made if missing."""
    if key_pem.strip() or chain_pem.strip():
        if not (key_pem.strip() and chain_pem.strip()):
            raise ValueError("PDF_SIGNING_KEY and PDF_SIGNING_CERT must be set together")
        return _parse(key_pem.encode(), chain_pem.encode(), "PDF_SIGNING_KEY/PDF_SIGNING_CERT")
    path = Path(instance_path) / FILENAME
    if not path.exists():
        made = _self_signed()
        if create_once(path, _pem(made)):
            log.warning("Generated a self-signed PDF signing key at %s; back it up", path)
            return made
    data = path.read_bytes()
    return _parse(data, data, str(path))


def _parse(key_pem: bytes, chain_pem: bytes, source: str) -> SigningIdentity:
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
        chain = tuple(x509.load_pem_x509_certificates(chain_pem))
    except ValueError:
        raise ValueError(f"{source}: not a PEM private key and certificate chain") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError(f"{source}: the key must be RSA or ECDSA, not {type(key).__name__}")
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if chain[0].public_key().public_bytes(der, spki) != key.public_key().public_bytes(der, spki):
        raise ValueError(f"{source}: the first certificate is not the key's")
    return SigningIdentity(key, chain)


def _self_signed() -> SigningIdentity:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SUBJECT)])
    now: datetime = clock.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + VALID_FOR)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return SigningIdentity(key, (certificate,))


def _pem(identity: SigningIdentity) -> bytes:
    key = identity.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key + b"".join(c.public_bytes(serialization.Encoding.PEM) for c in identity.chain)


def chain_pem(identity: SigningIdentity) -> bytes:
    """The public certificate chain, for verifiers to trust."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in identity.chain)
