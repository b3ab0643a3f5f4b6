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
        result.exit_code == 1
        and "REVOKED" in result.output
        and "Data peserta keliru" in result.output
    )
