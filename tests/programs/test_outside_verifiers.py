"""Outside verifiers on a program certificate: DCC verifier-core (Data Integrity form,
offline, the status list served from our answer) and jose (VC-JWT, from a live server),
valid before its revocation and revoked after."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from elearn.extensions import db
from elearn.models import Role
from elearn.programs.certificate import revoke_program_certificate
from tests.dcc.verifier import node_with_verifier, steps, verify_with_live_list
from tests.factories import make_unit, make_user
from tests.interop.conftest import node  # noqa: F401 - fixture
from tests.interop.test_jose import jose_check, live_server  # noqa: F401 - fixture
from tests.programs.helpers import program_certificate


@pytest.fixture(scope="module")
def dcc_node() -> str:
    return node_with_verifier()


def test_dcc_verifies_a_program_credential_and_its_revocation(
    app: Flask, tmp_path: Path, dcc_node: str
):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    learner, certificate = program_certificate(app, tmp_path, unit=palu)
    response = learner.client.get(f"/programs/certificates/{certificate.code}/credential.jsonld")
    document = response.json
    assert document["issuer"]["name"] == "Pemerintah Kota Palu"
    list_url = document["credentialStatus"]["statusListCredential"]
    assert list_url == "http://localhost/issuers/palu/status/1.jsonld"
    dcc = verify_with_live_list(app.test_client(), dcc_node, document, tmp_path)

    valid = dcc()
    assert valid["verified"] is True, valid
    assert steps(valid)["revocation_status"] is True
    assert [entry["valid"] for entry in valid["schema"]] == [True], valid["schema"]

    revoke_program_certificate(certificate, make_user(Role.ADMIN, name="Admin"), "Keliru")
    db.session.commit()
    revoked = dcc()
    assert revoked["verified"] is False and steps(revoked)["valid_signature"] is True
    assert steps(revoked)["revocation_status"] is False, revoked


def test_jose_verifies_a_program_credential_and_reads_its_revocation(
    app: Flask,
    runner,
    tmp_path: Path,
    node: str,  # noqa: F811 - the fixture
    live_server: str,  # noqa: F811 - the fixture
):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    learner, certificate = program_certificate(app, tmp_path, unit=palu)
    token = learner.client.get(f"/programs/certificates/{certificate.code}/credential").text
    token_file = tmp_path / "program.jwt"
    token_file.write_text(token)
    code, before = jose_check(node, token_file, live_server)
    assert (code, before["status"]) == (0, "valid"), before
    assert before["issuer"] == f"{live_server}/issuers/palu"

    admin = make_user(Role.ADMIN, name="Admin Satu")
    result = runner.invoke(
        args=["programs", "revoke", "--reason", "Keliru", "--by", admin.nip, "--", certificate.code]
    )
    assert result.exit_code == 0, result.output
    code, after = jose_check(node, token_file, live_server)
    assert (code, after["status"]) == (0, "revoked"), after
    assert after["index"] == before["index"]
