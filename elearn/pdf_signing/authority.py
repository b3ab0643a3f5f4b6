"""The deployment's own CA for PDF signers, and the certificates it issues.

Each issuer (an instansi, or the platform) signs PDFs with its own ECDSA P-256 key, whose
certificate names it (CN and O: the issuer's name) and is issued by one CA made locally on
first need. Verifiers trust that CA once (/pdf-signing-certificate.pem) and then see which
instansi signed each PDF; renewing an instansi's key keeps the CA, so older PDFs still verify.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from elearn.pdf_signing.identity import SigningIdentity

CA_NAME = "eLearn ASN CA Penanda Tangan PDF (lokal)"
CA_VALID_FOR = timedelta(days=20 * 366)
SIGNER_VALID_FOR = timedelta(days=10 * 366)  # no time-stamp: a PDF verifies while this lasts
MAX_NAME = 64  # X.520 upper bound of a common name


def make_ca(now: datetime) -> SigningIdentity:
    """A self-signed CA that may only certify signers (path length 0)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + CA_VALID_FOR)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .sign(key, hashes.SHA256())
    )
    return SigningIdentity(key, (certificate,))


def issue_signer(ca: SigningIdentity, name: str, now: datetime) -> SigningIdentity:
    """A new key for ``name`` (an issuer's name) and its certificate from ``ca``."""
    key = ec.generate_private_key(ec.SECP256R1())
    shown = name.strip()[:MAX_NAME] or "eLearn ASN"
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, shown),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, shown),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(min(now + SIGNER_VALID_FOR, ca.certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .add_extension(_usage(digital_signature=True, content_commitment=True), critical=True)
        .sign(ca.key, hashes.SHA256())
    )
    return SigningIdentity(key, (certificate, *ca.chain))


def _usage(**allowed: bool) -> x509.KeyUsage:
    names = (
        "digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
        "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only",
    )  # fmt: skip
    return x509.KeyUsage(**{name: allowed.get(name, False) for name in names})
