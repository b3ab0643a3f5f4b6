"""``flask certificates revoke --by``: an admin cannot revoke their own certificate."""

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import AuditEntry, Role
from tests.certificates.helpers import complete_course
from tests.conftest import AuthActions
from tests.factories import make_user
from tests.learning.helpers import Learner


def test_cli_refuses_revoking_ones_own_certificate(app: Flask, runner, tmp_path: Path):
    admin = make_user(Role.ADMIN, Role.LEARNER, name="Admin Satu")
    client = app.test_client()
    AuthActions(client).login(admin.nip)
    _, certificate = complete_course(app, tmp_path, learner=Learner(admin, client))
    code = certificate.code

    result = runner.invoke(
        args=["certificates", "revoke", code, "--reason", "Sendiri", "--by", admin.nip]
    )
    assert result.exit_code == 1
    assert "nobody revokes their own certificate; another admin must run this" in result.output
    db.session.expire_all()
    assert certificate.revoked_at is None
    refused = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "certificates.revoke.refused_own")
    )
    assert refused is not None and refused.user_id == admin.id

    other = make_user(Role.ADMIN, name="Admin Dua")
    result = runner.invoke(
        args=["certificates", "revoke", code, "--reason", "Data keliru", "--by", other.nip]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert certificate.revoked_at is not None and certificate.revoked_by_id == other.id
    done = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certificates.revoke"))
    assert done is not None and done.user_id == other.id
