"""The learner's list of follow-up surveys waiting for an answer (/me/follow-ups)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from elearn.evaluation.follow_up import FollowUpPlan, create_follow_ups
from elearn.extensions import db
from tests.conftest import AuthActions, FrozenClock
from tests.evaluation.helpers import learner_in, publish_with_tests
from tests.factories import make_unit, make_user


@pytest.fixture
def world(app: Flask, tmp_path: Path, clock: FrozenClock):  # type: ignore[no-untyped-def]
    """Siti (supervisor Budi) completed the course 10 days ago; her surveys are out."""
    version = publish_with_tests(tmp_path)
    unit = make_unit(code="palu")
    boss = make_user(unit=unit, name="Budi Atasan")
    siti = learner_in(version, unit, name="Siti Aminah")
    siti.user.supervisor_id = boss.id
    siti.completed_at = clock.current
    db.session.commit()
    clock.advance(days=10)
    create_follow_ups(clock.current, FollowUpPlan(10, ZoneInfo("Asia/Makassar")))
    return {"siti": siti.user, "boss": boss}


def page_of(app: Flask, user) -> str:  # type: ignore[no-untyped-def]
    client = app.test_client()
    AuthActions(client).login(user.nip)
    response = client.get("/me/follow-ups")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def survey_links(page: str) -> list[str]:
    import re

    return re.findall(r'href="(/evaluation/follow-up/\d+)"', page)


def test_learner_sees_her_survey_and_the_supervisor_his_teams(app: Flask, world):  # type: ignore[no-untyped-def]
    own = page_of(app, world["siti"])
    assert len(survey_links(own)) == 1
    assert "Dasar Manajemen Proyek" in own
    assert "Survei tentang anggota tim Anda" not in own
    boss = page_of(app, world["boss"])
    assert len(survey_links(boss)) == 1
    assert "Siti Aminah · Dasar Manajemen Proyek" in boss
    assert "Tidak ada survei yang menunggu jawaban Anda." in boss  # none of his own
    assert survey_links(own) != survey_links(boss)


def test_answered_and_closed_surveys_leave_the_list(app: Flask, world, clock):  # type: ignore[no-untyped-def]
    from tests.conftest import csrf_token

    client = app.test_client()
    AuthActions(client).login(world["siti"].nip)
    [url] = survey_links(client.get("/me/follow-ups").get_data(as_text=True))
    token = csrf_token(client, url)
    assert client.post(url, data={"rating": "4", "csrf_token": token}).status_code == 302
    assert survey_links(client.get("/me/follow-ups").get_data(as_text=True)) == []
    assert len(survey_links(page_of(app, world["boss"]))) == 1
    clock.advance(days=30)  # the supervisor's survey closed unanswered
    assert survey_links(page_of(app, world["boss"])) == []


def test_the_dashboard_links_to_the_list(app: Flask, world):  # type: ignore[no-untyped-def]
    client = app.test_client()
    AuthActions(client).login(world["siti"].nip)
    assert 'href="/me/follow-ups"' in client.get("/me").get_data(as_text=True)
