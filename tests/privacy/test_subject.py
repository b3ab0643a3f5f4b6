"""Personal data (UU 27/2022): a copy of one's data, anonymisation, nothing secret in logs."""

import json
import logging
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Role, User
from tests.certificates.helpers import complete_course
from tests.conftest import AuthActions, csrf_token
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.learning.helpers import sign_in


def test_learner_downloads_all_their_data_and_nothing_else(app: Flask, tmp_path: Path, clock):
    learner, certificate = complete_course(app, tmp_path)
    complete_course(app, tmp_path, learner=sign_in(app, name="Orang Lain"))
    response = learner.client.get("/me/data.json")
    assert response.status_code == 200
    data = json.loads(response.data)
    assert data["profile"]["nip"] == learner.user.nip
    assert [c["number"] for c in data["certificates"]] == [certificate.number]
    assert len(data["enrollments"]) == 1 and data["learning_events"]
    text = response.get_data(as_text=True)
    assert "Orang Lain" not in text
    assert learner.user.password_hash not in text and "password" not in text


def test_anonymised_user_keeps_verifiable_certificates(app: Flask, tmp_path: Path, clock):
    learner, certificate = complete_course(app, tmp_path)
    original_name, original_nip = learner.user.full_name, learner.user.nip
    admin = make_user(Role.ADMIN, name="Admin")
    client = app.test_client()
    AuthActions(client).login(admin.nip)
    token = csrf_token(client, f"/admin/users/{learner.user.id}")
    response = client.post(f"/admin/users/{learner.user.id}/anonymise", data={"csrf_token": token})
    assert response.status_code == 302

    db.session.expire_all()
    user = db.session.get(User, learner.user.id)
    assert user.full_name.startswith("Pengguna terhapus") and user.nip != original_nip
    assert not user.is_active and user.email is None
    assert db.session.scalar(select(User).where(User.nip == original_nip)) is None
    assert learner.client.get("/me").status_code == 302  # signed out for good
    assert AuthActions(app.test_client()).login(original_nip).status_code == 200

    page = app.test_client().get(f"/certificates/{certificate.code}").get_data(as_text=True)
    assert "SAH" in page and original_name in page  # as issued


def test_no_nip_password_or_token_in_logs(
    app: Flask, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    user = make_user(name="Rahasia")
    client = app.test_client()
    AuthActions(app.test_client()).login(user.nip, "salah-sandi-123")
    AuthActions(client).login(user.nip, DEFAULT_PASSWORD)
    client.get("/me")
    client.get("/tidak-ada")
    from elearn.api.tokens import create_token

    evaluator = make_user(Role.EVALUATOR, name="Evaluator", scope=[user.unit])
    issued = create_token(evaluator, "skrip")
    db.session.commit()
    api = app.test_client()
    api.get("/api/v1/enrollments", headers={"Authorization": f"Bearer {issued.secret}"})
    api.get("/api/v1/enrollments", headers={"Authorization": f"Bearer {issued.secret}x"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert issued.secret not in logged
    assert user.nip not in logged
    assert DEFAULT_PASSWORD not in logged and "salah-sandi-123" not in logged
    assert user.session_token not in logged
