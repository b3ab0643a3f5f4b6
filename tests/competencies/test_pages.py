"""Kompetensi saya (own profile only), Bawahan langsung (direct reports only), admin pages."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import AuditEntry, Competency, CompetencyStandard, Role
from tests.competencies.courses import publish_developing
from tests.competencies.helpers import add_assessments, load_dictionary, set_standards
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_user
from tests.learning.helpers import Learner, sign_in
from tests.learning.test_statement_budget import BUDGET, _get

ANALYST = "Analis Kebijakan"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _learner_with_gaps(app: Flask, tmp_path: Path) -> Learner:
    load_dictionary()
    set_standards(f"{ANALYST},M.01,3\n{ANALYST},M.02,2\n{ANALYST},SK.01,2\n")
    learner = sign_in(app)
    learner.user.position = ANALYST
    db.session.commit()
    add_assessments(
        f"{learner.user.nip},M.01,2,2026-02-10,Assessment Center Palu\n"
        f"{learner.user.nip},M.02,2,2026-02-10,Assessment Center Palu\n"
    )
    publish_developing(tmp_path, "integritas-asn", "Integritas ASN", "M.01", 3)
    return learner


def test_my_competencies_shows_required_current_gaps_and_courses(app, tmp_path):
    learner = _learner_with_gaps(app, tmp_path)
    colleague = make_user(nip="199203142019032002")
    colleague.position = ANALYST
    db.session.commit()
    add_assessments("199203142019032002,SK.01,4,2026-01-05,Uji Kompetensi Rahasia\n")

    page = learner.client.get("/me/competencies")
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert "Jabatan: Analis Kebijakan" in text
    assert "Kompetensi yang belum memenuhi standar jabatan: 2." in text
    # The status is in words and a symbol, not only a colour.
    assert "M.01 Integritas Manajerial 3 2 ⚠ Kesenjangan 1 level" in text
    assert "M.02 Kerjasama Manajerial 2 2 ✓ Memenuhi" in text
    assert "SK.01 Perekat Bangsa Sosial kultural 2 belum dinilai ⚠ Kesenjangan 2 level" in text
    assert "10 Februari 2026 · Assessment Center Palu" in text
    assert "Integritas ASN — mengembangkan hingga level 3, 2 JP" in text
    assert 'href="/courses/integritas-asn"' in page.get_data(as_text=True)
    assert "Belum ada kursus terbit yang mengembangkan kompetensi ini" in text  # SK.01
    assert "Rahasia" not in text  # another learner's results never show


def test_my_competencies_explains_a_missing_jabatan_or_standard(app):
    learner = sign_in(app)
    text = _text(learner.client.get("/me/competencies").get_data(as_text=True))
    assert "Jabatan Anda belum tercatat" in text
    learner.user.position = "Juru Ukur"
    db.session.commit()
    text = _text(learner.client.get("/me/competencies").get_data(as_text=True))
    assert "Belum ada standar kompetensi untuk jabatan Juru Ukur." in text


def test_the_dashboard_and_the_record_lead_to_my_competencies(app):
    learner = sign_in(app)
    for page in ("/me", "/me/records"):
        assert 'href="/me/competencies"' in learner.client.get(page).get_data(as_text=True)


def test_competency_pages_need_sign_in(client):
    for url in ("/me/competencies", "/me/team", "/admin/competencies"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_my_competencies_within_statement_budget(app, tmp_path):
    learner = _learner_with_gaps(app, tmp_path)
    statements = _get(app, learner, "/me/competencies")
    assert len(statements) <= BUDGET, "\n".join(statements)


def test_supervisor_sees_only_direct_reports_with_their_gaps(app):
    load_dictionary()
    set_standards(f"{ANALYST},M.01,3\n")
    supervisor = sign_in(app, name="Budi Santoso")
    report = make_user(name="Andi Pratama")
    indirect = make_user(name="Citra Indirect")
    stranger = make_user(name="Dodi Lain")
    other_boss = make_user(name="Eka Atasan Lain")
    report.position = indirect.position = stranger.position = ANALYST
    report.supervisor = supervisor.user
    indirect.supervisor = report
    stranger.supervisor = other_boss
    db.session.commit()
    add_assessments(f"{report.nip},M.01,1,2026-02-10,Assessment Center\n")

    text = _text(supervisor.client.get("/me/team").get_data(as_text=True))
    assert "Andi Pratama" in text
    assert "M.01 Integritas 3 1 ⚠ Kesenjangan 2 level" in text
    assert "Citra" not in text and "Dodi" not in text

    alone = sign_in(app, name="Tanpa Bawahan")
    text = _text(alone.client.get("/me/team").get_data(as_text=True))
    assert "Tidak ada pegawai yang tercatat dengan Anda sebagai atasan langsung." in text


def test_admin_pages_are_for_admins_only(app):
    load_dictionary()
    learner = sign_in(app)
    competency = db.session.scalar(select(Competency).where(Competency.code == "M.01"))
    assert competency is not None
    assert learner.client.get("/admin/competencies").status_code == 403
    assert learner.client.get(f"/admin/competencies/{competency.id}").status_code == 403
    token = csrf_token(learner.client, "/me/competencies")
    response = learner.client.post(
        "/admin/competencies/standards",
        data={
            "csrf_token": token,
            "position": "X",
            "competency_id": competency.id,
            "required_level": 2,
        },
    )
    assert response.status_code == 403
    assert db.session.scalar(select(CompetencyStandard)) is None


def test_admin_edits_a_competency_and_the_standards(app):
    load_dictionary()
    admin = make_user(Role.ADMIN)
    client = app.test_client()
    AuthActions(client).login(admin.nip)
    competency = db.session.scalar(select(Competency).where(Competency.code == "M.02"))
    assert competency is not None
    url = f"/admin/competencies/{competency.id}"
    form = {
        "name": "Kerja Sama",
        "kind": "manajerial",
        **{f"level_{n}": f"Uraian {n}" for n in range(1, 6)},
    }
    assert client.post(url, data=form).status_code == 400  # no CSRF token
    db.session.refresh(competency)
    assert competency.name == "Kerjasama"

    response = client.post(url, data={**form, "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    db.session.expire_all()
    assert competency.name == "Kerja Sama"
    assert competency.description(5) == "Uraian 5"

    token = csrf_token(client, "/admin/competencies")
    data = {"csrf_token": token, "position": " Analis Kebijakan ", "competency_id": competency.id}
    client.post("/admin/competencies/standards", data={**data, "required_level": 2})
    client.post("/admin/competencies/standards", data={**data, "required_level": 4})
    standard = db.session.scalar(select(CompetencyStandard))
    assert standard is not None
    assert (standard.position, standard.required_level) == ("Analis Kebijakan", 4)
    page = _text(client.get("/admin/competencies").get_data(as_text=True))
    assert "Analis Kebijakan M.02 Kerja Sama 4" in page

    client.post(f"/admin/competencies/standards/{standard.id}/delete", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.scalar(select(CompetencyStandard)) is None
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == [
        "competencies.edit",
        "competencies.standard.set",
        "competencies.standard.set",
        "competencies.standard.remove",
    ]


def test_team_page_within_statement_budget(app):
    load_dictionary()
    set_standards(f"{ANALYST},M.01,3\n{ANALYST},M.02,2\n")
    supervisor = sign_in(app)
    for n in range(3):
        report = make_user(name=f"Bawahan {n}")
        report.position = ANALYST
        report.supervisor = supervisor.user
    db.session.commit()
    statements = _get(app, supervisor, "/me/team")
    assert len(statements) <= 3, "\n".join(statements)
