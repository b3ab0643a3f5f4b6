"""The level-3 survey job on a frozen clock: day N, both recipients, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from elearn.evaluation.follow_up import FollowUpPlan, create_follow_ups
from elearn.extensions import db
from elearn.mail.binding import bind_mailer
from elearn.mail.memory import MemoryMailer
from elearn.models import FollowUpSurvey, Job, Respondent
from elearn.settings import with_changes
from tests.conftest import FrozenClock
from tests.evaluation.helpers import learner_in, publish_with_tests
from tests.factories import make_unit, make_user

SUBJECT = "Survei tindak lanjut"
COMPLETED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 16:00 in Palu (WITA), on 2 March


def surveys_mailed(mailer: MemoryMailer) -> list[str]:
    return sorted(m.to for m in mailer.sent if SUBJECT in m.subject)


def run_due(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["jobs", "run-due"])  # inline: runs it
    assert result.exit_code == 0, result.output


@pytest.fixture
def world(app: Flask, tmp_path: Path, clock: FrozenClock):  # type: ignore[no-untyped-def]
    """A learner with a supervisor and one without, both completing on 2 March."""
    with_changes(app, follow_up_days=10)
    mailer = MemoryMailer()
    bind_mailer(app, mailer)
    version = publish_with_tests(tmp_path)
    unit = make_unit(code="palu")
    boss = make_user(unit=unit, name="Budi Atasan", email="budi@palu.example.go.id")
    siti = learner_in(version, unit, name="Siti Aminah", email="siti@palu.example.go.id")
    siti.user.supervisor_id = boss.id
    alone = learner_in(version, unit, name="Rina", email="rina@palu.example.go.id")
    for enrollment in (siti, alone):
        enrollment.completed_at = COMPLETED
    db.session.commit()
    return mailer, siti


def test_sent_on_day_n_to_learner_and_supervisor_once(app: Flask, clock: FrozenClock, world):  # type: ignore[no-untyped-def]
    mailer, siti = world
    clock.current = COMPLETED + timedelta(days=9)  # day N−1
    run_due(app)
    assert surveys_mailed(mailer) == []
    clock.current = COMPLETED + timedelta(days=10, hours=-15)  # day N, 01:00 in Palu
    run_due(app)
    assert surveys_mailed(mailer) == []  # night there: the first pass after 07:00 sends it
    clock.current = COMPLETED + timedelta(days=10)  # day N, 16:00
    run_due(app)
    assert surveys_mailed(mailer) == [
        "budi@palu.example.go.id",
        "rina@palu.example.go.id",
        "siti@palu.example.go.id",
    ]
    to_boss = next(
        m for m in mailer.sent if m.to == "budi@palu.example.go.id" and SUBJECT in m.subject
    )
    assert "Apakah Siti Aminah sudah menerapkan kompetensi" in to_boss.text
    survey = db.session.scalar(
        select(FollowUpSurvey).where(FollowUpSurvey.respondent == Respondent.SUPERVISOR)
    )
    assert survey is not None and survey.enrollment_id == siti.id
    assert f"http://localhost/evaluation/follow-up/{survey.id}" in to_boss.text

    clock.current += timedelta(hours=1)  # a rerun the same day
    run_due(app)
    clock.current = COMPLETED + timedelta(days=11)  # day N+1
    run_due(app)
    assert len(surveys_mailed(mailer)) == 3
    assert db.session.scalar(select(func.count()).select_from(FollowUpSurvey)) == 3
    kinds = db.session.scalars(select(Job.kind).where(Job.kind == "evaluation.follow-up")).all()
    assert len(kinds) == 5  # one pass per hour that ran


def test_a_parallel_or_repeated_pass_creates_nothing_twice(app: Flask, clock: FrozenClock, world):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    plan = FollowUpPlan(10, ZoneInfo("Asia/Makassar"))
    now = COMPLETED + timedelta(days=10)
    assert create_follow_ups(now, plan) == 3
    assert create_follow_ups(now, plan) == 0
    assert create_follow_ups(now + timedelta(days=1), plan) == 0


def test_old_completions_are_not_surveyed(app: Flask, clock: FrozenClock, world):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    plan = FollowUpPlan(10, ZoneInfo("Asia/Makassar"))
    assert create_follow_ups(COMPLETED + timedelta(days=10 + 30), plan) == 3  # last catch-up day
    db.session.execute(FollowUpSurvey.__table__.delete())
    assert create_follow_ups(COMPLETED + timedelta(days=10 + 31), plan) == 0


def test_a_course_can_set_its_own_day(app: Flask, clock: FrozenClock, world):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    from elearn.models import CourseVersion

    version = db.session.scalar(select(CourseVersion))
    assert version is not None
    version.follow_up_days = 5
    db.session.commit()
    plan = FollowUpPlan(10, ZoneInfo("Asia/Makassar"))  # the platform's days, not this course's
    assert create_follow_ups(COMPLETED + timedelta(days=4), plan) == 0
    assert create_follow_ups(COMPLETED + timedelta(days=5), plan) == 3


def test_follow_up_days_in_course_md_is_checked(tmp_path: Path):
    from elearn.content.errors import ContentErrors
    from elearn.content.parse import parse_course
    from tests.content.course_fixtures import COURSE_MD, write_course

    good = write_course(
        tmp_path / "a", **{"course.md": COURSE_MD.replace("jp: 2", "jp: 2\nfollow_up_days: 90")}
    )
    assert parse_course(good).meta.follow_up_days == 90
    bad = write_course(
        tmp_path / "b", **{"course.md": COURSE_MD.replace("jp: 2", "jp: 2\nfollow_up_days: 0")}
    )
    with pytest.raises(ContentErrors) as raised:
        parse_course(bad)
    assert [str(e) for e in raised.value.errors] == [
        f"{bad}/course.md:1: 'follow_up_days' harus bilangan bulat 1–730"
    ]


def test_every_survey_is_marked_mailed_across_chunks(app: Flask, world, monkeypatch):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    from elearn.evaluation import follow_up
    from elearn.jobs.binding import current_jobs

    monkeypatch.setattr(follow_up, "CHUNK", 2)  # three surveys: two chunks
    now = COMPLETED + timedelta(days=10)
    assert create_follow_ups(now, FollowUpPlan(10, ZoneInfo("Asia/Makassar"))) == 3
    assert follow_up.mail_follow_ups(now, current_jobs(app), "http://localhost") == 3
    mailed = db.session.scalars(select(FollowUpSurvey.mailed_at)).all()
    assert mailed == [now, now, now]
    assert follow_up.mail_follow_ups(now, current_jobs(app), "http://localhost") == 0
    assert len(surveys_mailed(world[0])) == 3
