"""A PDF signer's private key and certificate chain: parsed, checked, written as PEM.

Production may name a key and certificate issued by a CA that PDF readers trust (for a
government office, BSrE/BSSN), for the platform in PDF_SIGNING_KEY/PDF_SIGNING_CERT or for
an instansi with ``flask certificates pdf-signer --key --cert``. Otherwise each signer is an
ECDSA P-256 key certified by the deployment's own CA (elearn/pdf_signing/authority.py).
ECDSA rather than the credentials' Ed25519 key: Adobe Acrobat validates RSA and ECDSA
signatures, not EdDSA.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

# The self-signed platform signer of earlier releases: no longer signs, but its certificate
# stays published (and backed up) so the PDFs it signed keep validating.
LEGACY_FILENAME = "pdf-signing.pem"

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class SigningIdentity:
    key: SigningKey
    chain: tuple[x509.Certificate, ...]  # the signer's certificate first

    @property
    def certificate(self) -> x509.Certificate:
        return self.chain[0]

    @property
    def subject(self) -> str:
        """The signer's common name, as a PDF reader shows it."""
        return common_name(self.certificate)


def common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


def configured_identity(key_pem: str, chain_pem: str) -> SigningIdentity | None:
    """The platform signer set in PDF_SIGNING_KEY/PDF_SIGNING_CERT, None if neither is set."""
    if not (key_pem.strip() or chain_pem.strip()):
        return None
    if not (key_pem.strip() and chain_pem.strip()):
        raise ValueError("PDF_SIGNING_KEY and PDF_SIGNING_CERT must be set together")
    return parse_identity(
        key_pem.encode(), chain_pem.encode(), "PDF_SIGNING_KEY", "PDF_SIGNING_CERT"
    )


def parse_identity(
    key_pem: bytes,
    chain_pem: bytes,
    key_source: str,
    chain_source: str,
    *,
    now: datetime | None = None,
) -> SigningIdentity:
    """Check a key and its chain; ValueError starting with the name of the faulty source.

    A key protected by a passphrase is refused: the app never stores a passphrase, so it
    could not sign without one (a signing service asking for it belongs behind PdfSigners).
    """
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except TypeError:
        raise ValueError(
            f"{key_source}: the key is protected by a passphrase, and the passphrase is never "
            "stored here; give the key without one (the file is kept mode 600)"
        ) from None
    except ValueError:
        raise ValueError(f"{key_source}: not a PEM private key") from None
    try:
        chain = tuple(x509.load_pem_x509_certificates(chain_pem))
    except ValueError:
        raise ValueError(f"{chain_source}: not a PEM certificate chain") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError(f"{key_source}: the key must be RSA or ECDSA, not {type(key).__name__}")
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if chain[0].public_key().public_bytes(der, spki) != key.public_key().public_bytes(der, spki):
        raise ValueError(f"{chain_source}: the first certificate is not the key's")
    if now is not None and chain[0].not_valid_after_utc <= now:
        raise ValueError(
            f"{chain_source}: the certificate expired on {chain[0].not_valid_after_utc:%Y-%m-%d}"
        )
    return SigningIdentity(key, chain)


def identity_pem(identity: SigningIdentity) -> bytes:
    """The key, then the chain: one file (mode 600) per signer."""
    key = identity.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key + chain_pem(identity)


def chain_pem(identity: SigningIdentity) -> bytes:
    """The public certificate chain, for verifiers to trust."""
    return certificates_pem(identity.chain)


def certificates_pem(certificates: tuple[x509.Certificate, ...] | list[x509.Certificate]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)
