"""The follow-up answer page (addressee only, CSRF, validation, closing) and the report."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from elearn.evaluation.follow_up import FollowUpPlan, create_follow_ups
from elearn.extensions import db
from elearn.models import FollowUpSurvey, Respondent, Role
from tests.conftest import AuthActions, FrozenClock, csrf_token
from tests.evaluation.helpers import attempt, item, learner_in, publish_with_tests
from tests.factories import make_unit, make_user


@pytest.fixture
def world(app: Flask, tmp_path: Path, clock: FrozenClock):  # type: ignore[no-untyped-def]
    """Siti (Palu, supervisor Budi) and Rina (Mamuju) completed, with tests and surveys."""
    version = publish_with_tests(tmp_path)
    palu, mamuju = make_unit(code="palu"), make_unit("Pemerintah Kabupaten Mamuju", code="mj")
    boss = make_user(unit=palu, name="Budi Atasan")
    siti = learner_in(version, palu, name="Siti Aminah")
    siti.user.supervisor_id = boss.id
    rina = learner_in(version, mamuju, name="Rina")
    pre, post = item(version, "tes-awal"), item(version, "tes-akhir")
    for enrollment, (a, b) in ((siti, (40, 70)), (rina, (60, 90))):
        attempt(enrollment, pre, a, 0)
        attempt(enrollment, post, b, 10)
        enrollment.completed_at = clock.current
    db.session.commit()
    clock.advance(days=60)
    create_follow_ups(clock.current, FollowUpPlan(60, ZoneInfo("Asia/Makassar")))
    return {"siti": siti.user, "boss": boss, "rina": rina.user, "palu": palu, "mamuju": mamuju}


def survey(respondent: Respondent, enrollment_user_id: int) -> FollowUpSurvey:
    from elearn.models import Enrollment

    found = db.session.scalar(
        select(FollowUpSurvey)
        .join(Enrollment, Enrollment.id == FollowUpSurvey.enrollment_id)
        .where(FollowUpSurvey.respondent == respondent, Enrollment.user_id == enrollment_user_id)
    )
    assert found is not None
    return found


def signed_in(app: Flask, user) -> object:  # type: ignore[no-untyped-def]
    client = app.test_client()
    AuthActions(client).login(user.nip)
    return client


def test_only_the_addressee_answers_with_csrf_and_a_valid_rating(app: Flask, world, clock):  # type: ignore[no-untyped-def]
    question = survey(Respondent.SUPERVISOR, world["siti"].id)
    url = f"/evaluation/follow-up/{question.id}"
    assert signed_in(app, world["siti"]).get(url).status_code == 404  # not hers to answer
    boss = signed_in(app, world["boss"])
    page = boss.get(url).get_data(as_text=True)
    assert "Siti Aminah" in page and "Dasar Manajemen Proyek" in page
    assert boss.post(url, data={"rating": "4"}).status_code == 400  # no CSRF token
    token = csrf_token(boss, url)
    assert boss.post(url, data={"rating": "9", "csrf_token": token}).status_code == 400
    answered = boss.post(url, data={"rating": "4", "comment": " Sudah ", "csrf_token": token})
    assert answered.status_code == 302
    db.session.refresh(question)
    assert (question.rating, question.comment) == (4, "Sudah")
    boss.post(url, data={"rating": "5", "csrf_token": token})  # changed while open
    db.session.refresh(question)
    assert question.rating == 5
    clock.advance(days=30)
    closed = boss.post(url, data={"rating": "1", "csrf_token": token})
    assert closed.status_code == 409
    db.session.refresh(question)
    assert question.rating == 5
    assert "sudah ditutup" in boss.get(url).get_data(as_text=True)


def test_report_is_scoped_and_exports_the_same_tables(app: Flask, world):  # type: ignore[no-untyped-def]
    question = survey(Respondent.LEARNER, world["siti"].id)
    question.rating, question.answered_at = 3, question.created_at
    db.session.commit()
    evaluator = make_user(Role.EVALUATOR, unit=world["palu"], scope=[world["palu"]])
    client = signed_in(app, evaluator)
    page = client.get("/reports/evaluation").get_data(as_text=True)
    assert "Pemerintah Kota Palu" in page and "Pemerintah Kabupaten Mamuju" not in page
    assert 'href="/reports/evaluation"' in client.get("/reports/").get_data(as_text=True)
    gain = client.get("/reports/evaluation/gain.csv").get_data(as_text=True).splitlines()
    assert gain[1:] == [
        '"Dasar Manajemen Proyek","","1","40.0","70.0","30.0","0.5","0.5"',
        '"Dasar Manajemen Proyek","Pemerintah Kota Palu","1","40.0","70.0","30.0","0.5","0.5"',
    ]
    follow = client.get("/reports/evaluation/follow-up.csv").get_data(as_text=True).splitlines()
    assert follow[1:] == [
        '"Dasar Manajemen Proyek","peserta","1","1","3.0"',
        '"Dasar Manajemen Proyek","atasan","1","0",""',
    ]
    admin = signed_in(app, make_user(Role.ADMIN, unit=world["mamuju"]))
    everyone = admin.get("/reports/evaluation/gain.csv").get_data(as_text=True).splitlines()
    assert everyone[1].startswith('"Dasar Manajemen Proyek","","2","50.0","80.0","30.0"')
    learner = signed_in(app, world["rina"])
    assert learner.get("/reports/evaluation").status_code == 403
