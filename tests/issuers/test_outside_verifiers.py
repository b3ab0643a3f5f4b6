"""Outside verifiers on an instansi's credentials: DCC verifier-core (Data Integrity form,
offline, the status list served from our answer) and jose (VC-JWT, from a live server),
before and after a key rotation and a revocation."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from elearn.certificates.issuance import revoke
from elearn.extensions import db
from elearn.models import Role
from tests.dcc.verifier import node_with_verifier, steps, verify_with_live_list
from tests.factories import make_unit, make_user
from tests.interop.conftest import node  # noqa: F401 - fixture
from tests.interop.test_jose import jose_check, live_server  # noqa: F401 - fixture
from tests.issuers.helpers import download_jwt, instansi_certificate


@pytest.fixture(scope="module")
def dcc_node() -> str:
    return node_with_verifier()


def test_dcc_verifies_an_instansi_credential_and_its_revocation(
    app: Flask, runner, tmp_path: Path, dcc_node: str
):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    learner, certificate = instansi_certificate(app, tmp_path, palu, "kursus-palu")
    response = learner.client.get(f"/certificates/{certificate.code}/credential.jsonld")
    document = response.json
    assert document["issuer"]["id"].startswith("did:key:z6Mk")
    assert document["issuer"]["name"] == "Pemerintah Kota Palu"
    list_url = document["credentialStatus"]["statusListCredential"]
    assert list_url == "http://localhost/issuers/palu/status/1.jsonld"
    dcc = verify_with_live_list(app.test_client(), dcc_node, document, tmp_path)
    credential_file = tmp_path / "credential.jsonld"  # the file it checks
    valid = dcc()
    assert valid["verified"] is True, valid
    assert steps(valid)["revocation_status"] is True
    # Our own CLI agrees, and still does after a rotation (the old key stays trusted).
    assert runner.invoke(args=["certificates", "verify", str(credential_file)]).exit_code == 0
    assert runner.invoke(args=["certificates", "rotate-key", "--instansi", "palu"]).exit_code == 0
    assert runner.invoke(args=["certificates", "verify", str(credential_file)]).exit_code == 0

    revoke(certificate, make_user(Role.ADMIN, name="Admin"), "Data keliru")
    db.session.commit()
    revoked = dcc()
    assert revoked["verified"] is False and steps(revoked)["valid_signature"] is True
    assert steps(revoked)["revocation_status"] is False, revoked


def test_jose_verifies_an_instansi_credential_across_a_rotation(
    app: Flask,
    runner,
    tmp_path: Path,
    node: str,  # noqa: F811 - the fixture
    live_server: str,  # noqa: F811 - the fixture
):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    learner, certificate = instansi_certificate(app, tmp_path, palu, "kursus-palu")
    old = tmp_path / "lama.jwt"
    old.write_text(download_jwt(learner, certificate))
    code, before = jose_check(node, old, live_server)
    assert (code, before["status"]) == (0, "valid"), before
    assert before["issuer"] == f"{live_server}/issuers/palu"
    assert before["issuerName"] == "Pemerintah Kota Palu"

    assert runner.invoke(args=["certificates", "rotate-key", "--instansi", "palu"]).exit_code == 0
    code, after_rotation = jose_check(node, old, live_server)
    assert (code, after_rotation["status"]) == (0, "valid"), after_rotation
    new = tmp_path / "baru.jwt"
    new.write_text(download_jwt(learner, certificate))
    code, fresh = jose_check(node, new, live_server)
    assert code == 0 and fresh["kid"] != before["kid"]

    revoke(certificate, make_user(Role.ADMIN, name="Admin"), "Data keliru")
    db.session.commit()
    code, revoked = jose_check(node, old, live_server)
    assert (code, revoked["status"]) == (0, "revoked"), revoked
