"""``flask certificates verify`` on downloaded credentials."""

import base64
import json
from pathlib import Path

from flask import Flask

from elearn.certificates.issuance import revoke
from elearn.extensions import db
from elearn.models import Role
from tests.certificates.helpers import complete_course
from tests.factories import make_user


def download(app: Flask, tmp_path: Path) -> tuple[Path, object]:
    learner, certificate = complete_course(app, tmp_path)
    token = learner.client.get(f"/certificates/{certificate.code}/credential").get_data(
        as_text=True
    )
    path = tmp_path / "badge.jwt"
    path.write_text(token)
    return path, certificate


def test_valid_credential_verifies(app: Flask, runner, tmp_path: Path):
    path, certificate = download(app, tmp_path)
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert f"VALID — {certificate.number}" in result.output


def test_tampered_credential_fails(app: Flask, runner, tmp_path: Path):
    path, _ = download(app, tmp_path)
    header, payload, signature = path.read_text().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    text = json.dumps(claims).replace('"2 JP', '"40 JP').replace(": 2,", ": 40,")
    forged = base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()
    path.write_text(f"{header}.{forged}.{signature}")
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 1 and "INVALID" in result.output


def test_revoked_credential_fails(app: Flask, runner, tmp_path: Path):
    path, certificate = download(app, tmp_path)
    admin = make_user(Role.ADMIN, name="Admin")
    revoke(certificate, admin, "Data peserta keliru")
    db.session.commit()
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert (
        result.exit_code == 3
        and "REVOKED" in result.output
        and "Data peserta keliru" in result.output
    )


def download_pdf(app: Flask, tmp_path: Path) -> tuple[Path, object]:
    learner, certificate = complete_course(app, tmp_path)
    response = learner.client.get(f"/certificates/{certificate.code}/pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    path = tmp_path / "sertifikat.pdf"
    path.write_bytes(response.data)
    return path, certificate


def test_the_downloaded_pdf_verifies_and_then_reads_as_revoked(app: Flask, runner, tmp_path):
    path, certificate = download_pdf(app, tmp_path)
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert f"VALID — {certificate.number}" in result.output
    revoke(certificate, make_user(Role.ADMIN, name="Admin"), "Nilai keliru")
    db.session.commit()
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 3 and "REVOKED" in result.output and "Nilai keliru" in result.output


def test_an_edited_pdf_is_invalid(app: Flask, runner, tmp_path: Path):
    from pypdf import PdfReader, PdfWriter

    path, certificate = download_pdf(app, tmp_path)
    writer = PdfWriter(clone_from=PdfReader(path))
    writer.add_metadata({"/Title": "Sertifikat Pelatihan Lain 40 JP"})
    edited = tmp_path / "edited.pdf"
    with edited.open("wb") as handle:
        writer.write(handle)
    result = runner.invoke(args=["certificates", "verify", str(edited)])
    assert result.exit_code == 1, result.output
    assert "INVALID" in result.output and "edited after signing" in result.output
    assert "Traceback" not in result.output


def test_a_truncated_pdf_and_garbage_files_are_invalid_not_a_crash(
    app: Flask, runner, tmp_path: Path
):
    path, _ = download_pdf(app, tmp_path)
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(path.read_bytes()[:400])
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(bytes(range(256)) * 8)
    text = tmp_path / "notes.txt"
    text.write_text("bukan sertifikat, hanya catatan")
    json_array = tmp_path / "list.json"
    json_array.write_text("[1, 2]")
    for garbage in (cut, binary, text, json_array):
        result = runner.invoke(args=["certificates", "verify", str(garbage)])
        assert result.exit_code == 1, (garbage, result.output)
        assert (
            "INVALID" in result.output
            and result.exception is None
            or isinstance(result.exception, SystemExit)
        )
    missing = runner.invoke(args=["certificates", "verify", str(tmp_path / "absent.jwt")])
    assert missing.exit_code == 1 and "no such file" in missing.output


def test_a_jwt_string_and_json_forms_are_read(app: Flask, runner, tmp_path: Path):
    path, certificate = download(app, tmp_path)
    token = path.read_text()
    result = runner.invoke(args=["certificates", "verify", token])
    assert result.exit_code == 0 and "token: VALID" in result.output

    enveloped = tmp_path / "credential.json"
    enveloped.write_text(
        json.dumps(
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": "EnvelopedVerifiableCredential",
                "id": f"data:application/vc+jwt,{token}",
            }
        )
    )
    result = runner.invoke(args=["certificates", "verify", str(enveloped)])
    assert result.exit_code == 0, result.output

    header, payload, _ = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    bare = tmp_path / "bare.jsonld"
    bare.write_text(json.dumps(claims))
    result = runner.invoke(args=["certificates", "verify", str(bare)])
    assert result.exit_code == 1 and "carries no proof" in result.output


def test_the_json_ld_download_with_its_data_integrity_proof_verifies(
    app: Flask, runner, tmp_path: Path
):
    learner, certificate = complete_course(app, tmp_path)
    response = learner.client.get(f"/certificates/{certificate.code}/credential.jsonld")
    assert response.status_code == 200
    path = tmp_path / "credential.jsonld"
    path.write_bytes(response.data)
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert f"VALID — {certificate.number}" in result.output

    forged = json.loads(response.data)
    forged["credentialSubject"]["name"] = "Nama Lain"
    tampered = tmp_path / "tampered.jsonld"
    tampered.write_text(json.dumps(forged))
    result = runner.invoke(args=["certificates", "verify", str(tampered)])
    assert result.exit_code == 1 and "INVALID" in result.output, result.output

    revoke(certificate, make_user(Role.ADMIN, name="Admin"), "Nilai keliru")
    db.session.commit()
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 3 and "REVOKED" in result.output, result.output


def test_a_code_that_begins_with_a_dash_is_revoked_and_unrevoked(
    app: Flask, runner, tmp_path: Path
):
    _, certificate = complete_course(app, tmp_path)
    certificate.code = "-FbcWOEMcELUl1cJ7tifjQ"  # one code in 64 begins so
    db.session.commit()
    admin = make_user(Role.ADMIN, name="Admin Satu")
    for command in ("revoke", "unrevoke"):
        result = runner.invoke(
            args=[
                "certificates",
                command,
                certificate.code,
                "--reason",
                "Keliru",
                "--by",
                admin.nip,
            ]
        )
        assert result.exit_code == 0, result.output
        db.session.refresh(certificate)
        assert (certificate.revoked_at is not None) == (command == "revoke")
