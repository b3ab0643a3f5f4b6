"""Certificate and career-record PDFs carry a PAdES signature that `pyhanko sign validate`
accepts, and an edited copy is caught."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask
from fpdf import FPDF

from elearn import clock
from elearn.pdf_signing.binding import bind_pdf_signer
from elearn.pdf_signing.identity import SigningIdentity, configured_identity, parse_identity
from elearn.pdf_signing.signer import LocalPdfSigner
from elearn.pdf_signing.store import signer_store
from elearn.settings import current_settings
from tests.certificates.helpers import complete_course

PYHANKO = Path(sys.executable).with_name("pyhanko")


def validate(pdf: bytes, trusted: bytes, tmp_path: Path) -> tuple[int, str]:
    """Run `pyhanko sign validate` on ``pdf`` with ``trusted`` (PEM) as the only trust root."""
    document, root = tmp_path / "checked.pdf", tmp_path / "trusted.pem"
    document.write_bytes(pdf)
    root.write_bytes(trusted)
    result = subprocess.run(
        [str(PYHANKO), "sign", "validate", "--pretty-print", "--no-revocation-check",
         "--trust-replace", "--trust", str(root), str(document)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return result.returncode, result.stdout


def local_identity(folder: Path, name: str = "Penanda Tangan Lain") -> SigningIdentity:
    """A signer certified by the local CA of another instance folder (another deployment)."""
    identity, _ = signer_store(str(folder)).identity("platform", name, clock.now())
    return identity


def edited(pdf: bytes, old: bytes, new: bytes) -> bytes:
    """``pdf`` with one string of its first (signed) revision replaced, same length."""
    assert len(old) == len(new) and pdf.count(old) >= 1
    return pdf.replace(old, new, 1)


def test_a_certificate_pdf_is_signed_and_an_edit_is_caught(app: Flask, tmp_path: Path):
    learner, certificate = complete_course(app, tmp_path)
    pdf = learner.client.get(f"/certificates/{certificate.code}/pdf").data
    published = app.test_client().get("/pdf-signing-certificate.pem")
    assert published.status_code == 200
    assert published.data.startswith(b"-----BEGIN CERTIFICATE-----")

    code, report = validate(pdf, published.data, tmp_path)
    assert code == 0, report
    # A course of no instansi: the platform signs, under the name credentials give it.
    assert f"Common Name: {current_settings().certificates.issuer_name}" in report
    assert "The signature is judged VALID." in report
    assert "The signature covers the entire file." in report
    assert "Sertifikat eLearn ASN nomor" in pdf.decode("latin-1")  # the stated reason

    # The PDF's title names the course; a forger changing it breaks the signature.
    title = b"Dasar Manajemen Proyek"
    code, report = validate(edited(pdf, title, b"Dasar Manajemen Proyeq"), published.data, tmp_path)
    assert code != 0
    assert "VALID" in report and "judged VALID" not in report


def test_the_career_record_pdf_is_signed(app: Flask, tmp_path: Path):
    learner, _ = complete_course(app, tmp_path)
    pdf = learner.client.get("/me/records.pdf").data
    trusted = app.test_client().get("/pdf-signing-certificate.pem").data
    code, report = validate(pdf, trusted, tmp_path)
    assert code == 0, report
    assert "Riwayat pengembangan kompetensi" in pdf.decode("latin-1")

    # A look-alike signed by someone else (another deployment's key) is not trusted here.
    other = local_identity(tmp_path / "elsewhere")
    look_alike = FPDF()
    look_alike.add_page()
    foreign = LocalPdfSigner(other).sign(bytes(look_alike.output()), reason="Palsu")
    code, report = validate(foreign, trusted, tmp_path)
    assert code != 0 and "judged VALID" not in report


def _usage(**allowed: bool) -> x509.KeyUsage:
    names = (
        "digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
        "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only",
    )  # fmt: skip
    return x509.KeyUsage(**{name: allowed.get(name, False) for name in names})


def _issued_by_a_ca(tmp_path: Path) -> tuple[str, str, bytes]:
    """A signer key and its certificate issued by a test CA: (key PEM, chain PEM, CA PEM)."""
    now = datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA Uji BSrE")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(1)
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .add_extension(_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    signer_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "BKPSDM Kota Palu")])
    leaf = (
        x509.CertificateBuilder().subject_name(signer_name).issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(2)
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(_usage(digital_signature=True, content_commitment=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    chain = (leaf.public_bytes(pem) + ca.public_bytes(pem)).decode()
    return key_pem, chain, ca.public_bytes(pem)


def test_a_configured_key_and_chain_sign_and_half_a_configuration_is_refused(
    app: Flask, tmp_path: Path
):
    key_pem, chain_pem, ca_pem = _issued_by_a_ca(tmp_path)
    identity = parse_identity(key_pem.encode(), chain_pem.encode(), "kunci.pem", "rantai.pem")
    bind_pdf_signer(app, LocalPdfSigner(identity))
    learner, certificate = complete_course(app, tmp_path)
    pdf = learner.client.get(f"/certificates/{certificate.code}/pdf").data
    code, report = validate(pdf, ca_pem, tmp_path)
    assert code == 0, report
    assert "Common Name: BKPSDM Kota Palu" in report

    with pytest.raises(ValueError, match="must be set together"):
        configured_identity(key_pem, "")
    with pytest.raises(ValueError, match="PDF_SIGNING_CERT: the first certificate is not"):
        configured_identity(key_pem, ca_pem.decode())
    with pytest.raises(ValueError, match="PDF_SIGNING_KEY: not a PEM private key"):
        configured_identity("kunci", chain_pem)


def test_the_local_key_is_made_once_and_kept(tmp_path: Path):
    first = local_identity(tmp_path)
    again = local_identity(tmp_path, "Nama Lain")
    assert first.certificate == again.certificate
    for made in ("ca.pem", "platform.pem"):
        assert (tmp_path / "pdf-signers" / made).stat().st_mode & 0o077 == 0


def test_signing_works_where_an_event_loop_is_running(tmp_path: Path):
    # pyHanko's synchronous API calls asyncio.run(), which a running loop refuses
    # (Playwright's, in the same test process, made certificate downloads fail).
    signer = LocalPdfSigner(local_identity(tmp_path))
    blank = FPDF()
    blank.add_page()

    async def inside_a_loop() -> bytes:
        return signer.sign(bytes(blank.output()), reason="Uji")

    # A thread of its own: the test process may already run a loop here (Playwright's).
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed = pool.submit(asyncio.run, inside_a_loop()).result()
    assert b"/ByteRange" in signed


def test_the_room_for_the_signature_is_estimated_once_and_each_pdf_validates(tmp_path: Path):
    # pyHanko would build a dummy signature for every PDF to size the room it keeps for
    # the real one: half of a signing's CPU, for a size that does not change.
    signer = LocalPdfSigner(local_identity(tmp_path))
    signings: list[bool] = []
    sign_cms = signer._signer.async_sign

    async def counted(*args: object, **kwargs: object) -> object:
        signings.append(bool(kwargs.get("dry_run")))
        return await sign_cms(*args, **kwargs)  # type: ignore[arg-type]

    signer._signer.async_sign = counted  # type: ignore[method-assign]
    pdfs = []
    for page in range(3):
        blank = FPDF()
        blank.add_page()
        blank.set_title(f"Halaman {page}")
        pdfs.append(signer.sign(bytes(blank.output()), reason="Uji"))
    assert signings == [True, False, False, False]
    for pdf in pdfs:
        code, report = validate(pdf, signer.certificates_pem(), tmp_path)
        assert code == 0, report
