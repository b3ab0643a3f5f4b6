"""Each instansi signs its own PDFs (a key certified by the deployment's CA), managed with
`flask certificates pdf-signer`, and `flask certificates verify` checks those signatures."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import Result
from cryptography.hazmat.primitives import serialization
from flask import Flask
from flask.testing import FlaskCliRunner
from fpdf import FPDF
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader
from sqlalchemy import select

from elearn.certificates.issuance import document_of
from elearn.certificates.pdf import render_certificate_pdf
from elearn.extensions import db
from elearn.issuers.logo import checked_logo
from elearn.models import AuditEntry, Certificate, IssuerProfile
from elearn.pdf_signing.signer import LocalPdfSigner
from elearn.settings import current_settings
from tests.certificates.helpers import complete_course
from tests.certificates.test_pdf_signature import (
    _issued_by_a_ca,
    edited,
    local_identity,
    validate,
)
from tests.factories import make_unit
from tests.issuers.helpers import instansi_certificate
from tests.issuers.test_admin import png
from tests.learning.helpers import Learner, sign_in

ROOTS = "/pdf-signing-certificate.pem"


@pytest.fixture
def app(app: Flask, tmp_path: Path) -> Flask:
    """The app with an instance folder of its own, so its CA and signers are made afresh."""
    app.instance_path = str(tmp_path / "instance")
    Path(app.instance_path).mkdir()
    return app


def verify(runner: FlaskCliRunner, data: bytes, tmp_path: Path, name: str = "dok.pdf") -> Result:
    path = tmp_path / name
    path.write_bytes(data)
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def signer_of(pdf: bytes) -> tuple[str, str]:
    """The common name and serial number of the certificate that signed ``pdf``."""
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    certificate = signature.signer_cert
    return certificate.subject.native["common_name"], str(certificate.serial_number)


def roots(app: Flask) -> bytes:
    response = app.test_client().get(ROOTS)
    assert response.status_code == 200
    return response.data


def certificate_pdf(learner: Learner, certificate: Certificate) -> bytes:
    response = learner.client.get(f"/certificates/{certificate.code}/pdf")
    assert response.status_code == 200
    return response.data


def test_each_instansi_signs_its_own_certificates(app: Flask, runner, tmp_path: Path):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    palu_learner, palu_certificate = instansi_certificate(app, tmp_path, palu, "kursus-palu")
    mamuju_learner, mamuju_certificate = instansi_certificate(
        app, tmp_path, mamuju, "kursus-mamuju"
    )
    palu_pdf = certificate_pdf(palu_learner, palu_certificate)
    mamuju_pdf = certificate_pdf(mamuju_learner, mamuju_certificate)

    published = roots(app)
    assert published.count(b"-----BEGIN CERTIFICATE-----") == 1  # one CA for every signer
    for pdf, name in (
        (palu_pdf, "Pemerintah Kota Palu"),
        (mamuju_pdf, "Pemerintah Kabupaten Mamuju"),
    ):
        code, report = validate(pdf, published, tmp_path)
        assert code == 0, report
        assert f"Common Name: {name}" in report and "The signature is judged VALID." in report
    assert signer_of(palu_pdf)[0] != signer_of(mamuju_pdf)[0]

    result = verify(runner, palu_pdf, tmp_path)
    assert result.exit_code == 0, result.output
    assert f"VALID — {palu_certificate.number}" in result.output
    assert f"code {palu_certificate.code}, signed by Pemerintah Kota Palu" in result.output
    result = verify(runner, mamuju_pdf, tmp_path)
    assert result.exit_code == 0 and "signed by Pemerintah Kabupaten Mamuju" in result.output


def test_verify_rejects_edited_foreign_and_unsigned_pdfs(app: Flask, runner, tmp_path: Path):
    learner, certificate = complete_course(app, tmp_path)
    pdf = certificate_pdf(learner, certificate)
    published = roots(app)

    # Bytes changed inside the signed revision.
    forged = edited(pdf, b"Dasar Manajemen Proyek", b"Dasar Manajemen Proyeq")
    result = verify(runner, forged, tmp_path)
    assert result.exit_code == 1 and "INVALID — edited after signing" in result.output
    assert validate(forged, published, tmp_path)[0] != 0

    # An incremental update appended after the signature (what a PDF editor saves).
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root["/Lang"] = generic.pdf_string("en")
    writer.update_root()
    appended = io.BytesIO()
    writer.write(appended)
    result = verify(runner, appended.getvalue(), tmp_path)
    assert result.exit_code == 1, result.output
    assert "content was added after" in result.output

    # A look-alike naming the real certificate, signed by another deployment's signer.
    look_alike = FPDF()
    look_alike.add_page()
    look_alike.set_font("helvetica", size=12)
    look_alike.cell(text=f"Kode verifikasi: {certificate.code}")
    foreign = LocalPdfSigner(local_identity(tmp_path / "elsewhere", "Pemerintah Kota Palu"))
    result = verify(runner, foreign.sign(bytes(look_alike.output()), reason="Palsu"), tmp_path)
    assert result.exit_code == 1
    assert "unknown signer: Pemerintah Kota Palu is not a signer of this deployment" in (
        result.output
    )

    base = current_settings().public_base_url or "http://localhost"
    unsigned = render_certificate_pdf(document_of(certificate, base))
    result = verify(runner, unsigned, tmp_path)
    assert result.exit_code == 1 and "no signature" in result.output

    result = verify(runner, b"%PDF-1.7\nbukan isi PDF", tmp_path)
    assert result.exit_code == 1 and "not a readable PDF" in result.output


def test_the_career_record_is_signed_by_the_learners_instansi(app: Flask, runner, tmp_path):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    learner, _ = instansi_certificate(app, tmp_path, palu, "kursus-palu")
    record = learner.client.get("/me/records.pdf").data
    code, report = validate(record, roots(app), tmp_path)
    assert code == 0 and "Common Name: Pemerintah Kota Palu" in report, report
    result = verify(runner, record, tmp_path)
    assert result.exit_code == 0, result.output
    assert "VALID — signed by Pemerintah Kota Palu: Riwayat pengembangan kompetensi" in (
        result.output
    )

    # An instansi that issues nothing has no issuer profile: the platform signs.
    palangka = make_unit("Pemerintah Kota Palangka Raya", code="palangkaraya")
    other = sign_in(app, unit=palangka, name="Dewi Lestari")
    assert signer_of(other.client.get("/me/records.pdf").data)[0] == (
        current_settings().certificates.issuer_name
    )
    assert (
        db.session.scalar(select(IssuerProfile).where(IssuerProfile.unit_id == palangka.id)) is None
    )


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_the_cli_shows_renews_and_installs_a_signer(app: Flask, runner, tmp_path: Path):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    shown = runner.invoke(args=["certificates", "pdf-signer", "--instansi", "palu"])
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith("palu: Pemerintah Kota Palu\n")
    assert "eLearn ASN CA Penanda Tangan PDF (lokal)" in shown.output
    assert runner.invoke(args=["certificates", "pdf-signer", "--instansi", "palu"]).output == (
        shown.output
    )
    assert audit_actions().count("pdf_signing.create") == 1

    learner, certificate = instansi_certificate(app, tmp_path, palu, "kursus-palu")
    before = certificate_pdf(learner, certificate)
    first_signer = signer_of(learner.client.get("/me/records.pdf").data)

    renewed = runner.invoke(args=["certificates", "pdf-signer", "--instansi", "palu", "--renew"])
    assert renewed.exit_code == 0 and "(renewed)" in renewed.output, renewed.output
    assert renewed.output.splitlines()[-1] != shown.output.splitlines()[-1]  # a new SHA-256
    after = signer_of(learner.client.get("/me/records.pdf").data)
    assert after[0] == first_signer[0] and after[1] != first_signer[1]
    # Same CA: what the old key signed still verifies.
    assert verify(runner, before, tmp_path).exit_code == 0

    key_pem, chain_pem, _ = _issued_by_a_ca(tmp_path)
    key_file, chain_file = tmp_path / "bsre-key.pem", tmp_path / "bsre-chain.pem"
    key_file.write_text(key_pem)
    chain_file.write_text(chain_pem)
    installed = runner.invoke(
        args=["certificates", "pdf-signer", "--instansi", "palu", "--key", str(key_file),
              "--cert", str(chain_file)]
    )  # fmt: skip
    assert installed.exit_code == 0, installed.output
    assert installed.output.startswith("palu: BKPSDM Kota Palu (installed)")
    assert roots(app).count(b"-----BEGIN CERTIFICATE-----") == 2
    record = learner.client.get("/me/records.pdf").data
    assert signer_of(record)[0] == "BKPSDM Kota Palu"
    result = verify(runner, record, tmp_path)
    assert result.exit_code == 0 and "signed by BKPSDM Kota Palu" in result.output
    assert verify(runner, before, tmp_path).exit_code == 0
    assert audit_actions()[-2:] == ["pdf_signing.renew", "pdf_signing.install"]


def test_the_cli_refuses_a_passphrase_and_mismatched_files(app: Flask, runner, tmp_path: Path):
    make_unit("Pemerintah Kota Palu", code="palu")
    key_pem, chain_pem, ca_pem = _issued_by_a_ca(tmp_path)
    key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    locked = tmp_path / "terkunci.pem"
    locked.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"rahasia-sekali"),
        )
    )
    chain, ca, plain = tmp_path / "chain.pem", tmp_path / "ca.pem", tmp_path / "key.pem"
    chain.write_text(chain_pem)
    ca.write_bytes(ca_pem)
    plain.write_text(key_pem)

    def install(key_file: Path, cert_file: Path) -> Result:
        return runner.invoke(
            args=["certificates", "pdf-signer", "--instansi", "palu", "--key", str(key_file),
                  "--cert", str(cert_file)]
        )  # fmt: skip

    refused = install(locked, chain)
    assert refused.exit_code == 1
    assert f"{locked}: the key is protected by a passphrase" in refused.output
    mismatched = install(plain, ca)
    assert mismatched.exit_code == 1
    assert f"{ca}: the first certificate is not the key's" in mismatched.output
    missing = install(tmp_path / "tidak-ada.pem", chain)
    assert missing.exit_code == 1 and "tidak-ada.pem: No such file" in missing.output
    half = runner.invoke(
        args=["certificates", "pdf-signer", "--instansi", "palu", "--key", str(plain)]
    )
    assert half.exit_code == 1 and "--key and --cert go together" in half.output
    unknown = runner.invoke(args=["certificates", "pdf-signer", "--instansi", "tidak-ada"])
    assert unknown.exit_code == 1 and "no instansi has this unit code" in unknown.output
    assert not any(a.startswith("pdf_signing.install") for a in audit_actions())
    assert not (Path(app.instance_path) / "pdf-signers" / "palu.pem").exists()


def test_the_issuer_logo_is_on_the_certificate_pdf(app: Flask, runner, tmp_path: Path):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    learner, certificate = instansi_certificate(app, tmp_path, palu, "kursus-palu")
    without = certificate_pdf(learner, certificate)
    assert len(PdfReader(io.BytesIO(without)).pages[0].images) == 1  # the QR code

    issuer = db.session.scalar(select(IssuerProfile).where(IssuerProfile.unit_id == palu.id))
    assert issuer is not None
    issuer.logo_png, issuer.logo_sha256 = checked_logo(png(60, 60))
    db.session.commit()
    with_logo = certificate_pdf(learner, certificate)
    assert len(PdfReader(io.BytesIO(with_logo)).pages[0].images) == 2
    assert verify(runner, with_logo, tmp_path).exit_code == 0
