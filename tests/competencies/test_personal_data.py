"""Competency results are personal data (UU 27/2022): in the copy, gone on anonymisation."""

from __future__ import annotations

import json

from sqlalchemy import select

from elearn.extensions import db
from elearn.models import CompetencyAssessment, Role, User
from tests.competencies.helpers import add_assessments, load_dictionary
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_user
from tests.learning.helpers import sign_in


def test_copy_of_my_data_holds_my_results_and_supervisor_only(app):
    load_dictionary()
    learner = sign_in(app)
    boss = make_user(nip="197810152003121009", name="Budi Santoso")
    learner.user.supervisor = boss
    db.session.commit()
    add_assessments(
        f"{learner.user.nip},M.01,2,2026-02-10,Assessment Center\n"
        "197810152003121009,M.01,4,2026-02-10,Penilaian Atasan\n"
    )
    data = json.loads(learner.client.get("/me/data.json").data)
    assert data["supervisor_nip"] == "197810152003121009"
    assert data["competency_assessments"] == [
        {
            "competency": "M.01",
            "level": 2,
            "assessed_on": "2026-02-10",
            "source": "Assessment Center",
            "created_at": data["competency_assessments"][0]["created_at"],
        }
    ]


def test_anonymising_removes_results_and_supervisor_links(app):
    load_dictionary()
    leaving = make_user(nip="197810152003121009", name="Budi Santoso")
    report = make_user(name="Andi Pratama")
    report.supervisor = leaving
    db.session.commit()
    add_assessments("197810152003121009,M.01,4,2026-02-10,Assessment Center\n")
    admin = make_user(Role.ADMIN)
    client = app.test_client()
    AuthActions(client).login(admin.nip)
    token = csrf_token(client, f"/admin/users/{leaving.id}")
    assert (
        client.post(f"/admin/users/{leaving.id}/anonymise", data={"csrf_token": token}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.scalar(select(CompetencyAssessment)) is None
    refreshed = db.session.get(User, report.id)
    assert refreshed is not None and refreshed.supervisor_id is None
