"""Program certificates as credentials: issued by the program's instansi, each with a status
list bit; revocation (admins and the unit's coordinators) sets it, only an admin clears it,
and both credential forms say so to any verifier."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from elearn.certificates import status_list
from elearn.certificates.credential import STATUS_LIST_TYPES, decode_vc_jwt
from elearn.certificates.data_integrity import verify_data_integrity
from elearn.certificates.did import did_key
from elearn.extensions import db
from elearn.issuers.registry import key_history
from elearn.models import AuditEntry, IssuerProfile, Role, StatusListEntry
from tests.certificates.test_data_integrity import schema_errors
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_unit, make_user
from tests.issuers.helpers import jwt_parts
from tests.programs.helpers import PROGRAM, program_certificate


def trusted_keys() -> dict[str, Any]:
    return {kid: key for kid, (key, _) in key_history().items()}


def vc_jwt_of(learner, code: str) -> tuple[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    response = learner.client.get(f"/programs/certificates/{code}/credential")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    assert response.headers["Content-Disposition"].endswith('.jwt"')
    token = response.get_data(as_text=True)
    return token, decode_vc_jwt(token, trusted_keys())


def is_revoked(app: Flask, status: dict[str, str]) -> bool:
    """What the issuer's status list, fetched by anyone, says of the credential's bit."""
    url = status["statusListCredential"].removeprefix("http://localhost")
    listed = decode_vc_jwt(
        app.test_client().get(url).get_data(as_text=True),
        trusted_keys(),
        kinds=STATUS_LIST_TYPES,
    )
    return status_list.is_revoked_in(listed, status)


def test_the_program_credential_is_its_instansis_with_the_summed_jp(
    app: Flask, runner, tmp_path: Path
):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    learner, certificate = program_certificate(app, tmp_path, unit=palu)
    issuer = db.session.scalar(select(IssuerProfile).where(IssuerProfile.unit_id == palu.id))
    assert issuer is not None and certificate.issuer_id == issuer.id
    assert certificate.payload["issuer_name"] == "Pemerintah Kota Palu"
    entry = db.session.scalar(
        select(StatusListEntry).where(StatusListEntry.program_certificate_id == certificate.id)
    )
    assert entry is not None and entry.revoked is False

    page = learner.client.get(f"/programs/certificates/{certificate.code}").get_data(True)
    assert f"/programs/certificates/{certificate.code}/credential.jsonld" in page
    token, credential = vc_jwt_of(learner, certificate.code)
    header, claims = jwt_parts(token)
    assert header["kid"].startswith("http://localhost/issuers/palu/keys/")
    assert claims["iss"] == credential["issuer"]["id"] == "http://localhost/issuers/palu"
    assert (
        credential["id"] == f"http://localhost/programs/certificates/{certificate.code}/credential"
    )
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["id"] == f"http://localhost/programs/{PROGRAM}"
    assert achievement["achievementType"] == "LearningProgram"
    assert credential["credentialSubject"]["result"][0]["value"] == "8"  # 3 + 5 JP
    assert "Kursus kursus-a" in credential["evidence"][0]["narrative"]
    status = credential["credentialStatus"]
    assert status["statusListCredential"] == "http://localhost/issuers/palu/status/1"
    assert status["statusListIndex"] == str(entry.status_index)
    assert is_revoked(app, status) is False
    assert schema_errors(claims) == []

    # Nobody else downloads it; the public page offers them no download.
    other = make_user(unit=palu, name="Lain")
    client = app.test_client()
    AuthActions(client).login(other.nip)
    assert client.get(f"/programs/certificates/{certificate.code}/credential").status_code == 404
    assert "credential.jsonld" not in client.get(
        f"/programs/certificates/{certificate.code}"
    ).get_data(True)

    # Our own verifier knows the credential and tells it valid.
    path = tmp_path / "program.jwt"
    path.write_text(token)
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 0 and f"VALID — {certificate.number}" in result.output
    # And its PDF, as downloaded; edited, it is refused.
    pdf = tmp_path / "program.pdf"
    pdf.write_bytes(learner.client.get(f"/programs/certificates/{certificate.code}/pdf").data)
    result = runner.invoke(args=["certificates", "verify", str(pdf)])
    assert result.exit_code == 0 and f"VALID — {certificate.number}" in result.output
    assert "signed by Pemerintah Kota Palu" in result.output  # the program's instansi
    pdf.write_bytes(pdf.read_bytes() + b"\n%edited\n")
    result = runner.invoke(args=["certificates", "verify", str(pdf)])
    assert result.exit_code == 1 and "edited after signing" in result.output


def test_a_program_of_no_unit_is_the_platforms(app: Flask, tmp_path: Path):
    learner, certificate = program_certificate(app, tmp_path)
    assert certificate.issuer_id is None
    _, credential = vc_jwt_of(learner, certificate.code)
    assert credential["issuer"]["id"] == "http://localhost/certificates/issuer"
    status = credential["credentialStatus"]
    assert status["statusListCredential"] == "http://localhost/certificates/status/1"
    assert is_revoked(app, status) is False


def test_the_json_ld_form_verifies_offline_and_passes_the_ob_schema(app: Flask, tmp_path: Path):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    learner, certificate = program_certificate(app, tmp_path, unit=palu)
    url = f"/programs/certificates/{certificate.code}/credential.jsonld"
    response = learner.client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/vc+ld+json"
    document = response.get_json()
    ours = frozenset(did_key(key) for key in trusted_keys().values())
    valid, signer = verify_data_integrity(document, trusted_issuers=ours)
    assert valid is True and signer.startswith("did:key:z6Mk")
    assert schema_errors(document) == []
    _, credential = vc_jwt_of(learner, certificate.code)
    # The same facts as the VC-JWT; its status list is the JSON-LD one.
    different = ("proof", "issuer", "credentialStatus")
    assert {k: v for k, v in document.items() if k not in different} == {
        k: v for k, v in credential.items() if k not in different
    }
    status = document["credentialStatus"]
    assert status["statusListCredential"] == "http://localhost/issuers/palu/status/1.jsonld"
    # Edited, it fails.
    document["credentialSubject"]["result"][0]["value"] = "80"
    assert verify_data_integrity(document, trusted_issuers=ours)[0] is False


def test_revocation_sets_the_bit_and_only_an_admin_takes_it_back(
    app: Flask, runner, tmp_path: Path
):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    learner, certificate = program_certificate(app, tmp_path, unit=palu)
    code = certificate.code
    page_url = f"/programs/certificates/{code}"
    token, credential = vc_jwt_of(learner, code)
    status = credential["credentialStatus"]
    token_file = tmp_path / "program.jwt"
    token_file.write_text(token)

    # Not the holder, not a coordinator of another instansi: their revoke is not found.
    outsider = make_user(Role.COORDINATOR, scope=[mamuju], name="Koordinator Mamuju")
    for who in (learner.user, outsider):
        client = app.test_client()
        AuthActions(client).login(who.nip)
        assert "Cabut sertifikat" not in client.get(page_url).get_data(True)
        refused = client.post(
            f"{page_url}/revoke", data={"csrf_token": csrf_token(client, "/"), "reason": "X"}
        )
        assert refused.status_code == 404

    coordinator = make_user(Role.COORDINATOR, scope=[palu], name="Koordinator Palu")
    client = app.test_client()
    AuthActions(client).login(coordinator.nip)
    page = client.get(page_url).get_data(True)
    assert "Cabut sertifikat" in page and f'action="{page_url}/revoke"' in page
    empty = client.post(
        f"{page_url}/revoke", data={"csrf_token": csrf_token(client, page_url), "reason": " "}
    )
    assert empty.status_code == 302
    db.session.expire_all()
    assert certificate.revoked_at is None  # no reason, no revocation
    done = client.post(
        f"{page_url}/revoke",
        data={"csrf_token": csrf_token(client, page_url), "reason": "Kursus diulang"},
        follow_redirects=True,
    )
    assert "Sertifikat program dicabut" in done.get_data(as_text=True)
    public_page = app.test_client().get(page_url).get_data(as_text=True)
    assert "DICABUT" in public_page and "Kursus diulang" in public_page
    assert is_revoked(app, status) is True
    pdf_bytes = learner.client.get(f"{page_url}/pdf").data
    assert "DICABUT" in PdfReader(io.BytesIO(pdf_bytes)).pages[0].extract_text()
    (tmp_path / "program.pdf").write_bytes(pdf_bytes)
    result = runner.invoke(args=["certificates", "verify", str(tmp_path / "program.pdf")])
    assert result.exit_code == 3 and "REVOKED" in result.output
    # The credential downloaded before says revoked to our verifier too.
    result = runner.invoke(args=["certificates", "verify", str(token_file)])
    assert (
        result.exit_code == 3 and "REVOKED" in result.output and "Kursus diulang" in result.output
    )
    revoked = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "programs.certificates.revoke")
    )
    assert revoked is not None and revoked.user_id == coordinator.id

    # Only an admin takes it back: the coordinator is refused (and that is recorded).
    assert "Batalkan pencabutan" not in client.get(page_url).get_data(True)
    refused = client.post(
        f"{page_url}/unrevoke", data={"csrf_token": csrf_token(client, "/"), "reason": "Keliru"}
    )
    assert refused.status_code == 403
    cli_refused = runner.invoke(
        args=["programs", "unrevoke", "--reason", "Keliru", "--by", coordinator.nip, "--", code]
    )
    assert cli_refused.exit_code == 1 and "only an admin may unrevoke" in cli_refused.output
    db.session.expire_all()
    refusals = db.session.scalars(
        select(AuditEntry.user_id).where(
            AuditEntry.action == "programs.certificates.unrevoke.refused"
        )
    ).all()
    assert refusals == [coordinator.id, coordinator.id]
    assert is_revoked(app, status) is True

    admin = make_user(Role.ADMIN, name="Admin Satu")
    client = app.test_client()
    AuthActions(client).login(admin.nip)
    page = client.get(page_url).get_data(True)
    assert "Batalkan pencabutan" in page and f'action="{page_url}/unrevoke"' in page
    done = client.post(
        f"{page_url}/unrevoke",
        data={"csrf_token": csrf_token(client, page_url), "reason": "Keputusan banding"},
        follow_redirects=True,
    )
    assert "Sertifikat program kembali sah" in done.get_data(as_text=True)
    assert is_revoked(app, status) is False
    assert runner.invoke(args=["certificates", "verify", str(token_file)]).exit_code == 0
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "programs.certificates.unrevoke")
    )
    assert entry is not None and entry.user_id == admin.id
    assert entry.filters["reason"] == "Keputusan banding"
    assert entry.filters["revoked_reason"] == "Kursus diulang"
    assert entry.filters["revoked_by_id"] == coordinator.id


def test_the_cli_revokes_and_unrevokes_like_the_course_one(app: Flask, runner, tmp_path: Path):
    learner, certificate = program_certificate(app, tmp_path)
    _, credential = vc_jwt_of(learner, certificate.code)
    status = credential["credentialStatus"]
    admin, other_admin = make_user(Role.ADMIN, name="Admin Satu"), make_user(Role.ADMIN)

    def programs(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(args=["programs", *args])

    unknown = programs("revoke", "--reason", "Ganda", "--by", admin.nip, "--", "x" * 22)
    assert unknown.exit_code == 1 and "unknown program certificate" in unknown.output
    learner_as_admin = programs("revoke", "--reason", "X", "--by", "000", "--", certificate.code)
    assert learner_as_admin.exit_code == 1 and "--by must be the NIP of an admin" in (
        learner_as_admin.output
    )
    result = programs("revoke", "--reason", "Ganda", "--by", admin.nip, "--", certificate.code)
    assert result.exit_code == 0 and f"{certificate.number} revoked" in result.output
    assert is_revoked(app, status) is True
    again = programs("revoke", "--reason", "Ganda", "--by", admin.nip, "--", certificate.code)
    assert again.exit_code == 1 and "already revoked" in again.output
    result = programs(
        "unrevoke", "--reason", "Banding", "--by", other_admin.nip, "--", certificate.code
    )
    assert result.exit_code == 0 and "unrevoked" in result.output
    assert is_revoked(app, status) is False
    listed = json.loads(
        app.test_client()
        .get(status["statusListCredential"].removeprefix("http://localhost") + ".jsonld")
        .text
    )
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
