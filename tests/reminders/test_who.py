"""Who gets reminders: not the exempt, not who completed, and nudges only for the idle."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask

from elearn.extensions import db
from elearn.learning.enrollment import enroll
from elearn.models import Assignee, AssigneeState, User
from elearn.reminders.service import run_reminders
from elearn.settings import current_settings
from tests.conftest import FrozenClock
from tests.factories import make_user
from tests.reminders.helpers import (
    RecordingChannel,
    World,
    enrollment_of,
    make_assignment,
    make_world,
    reminders_of,
    utc,
)

DUE_DAY_MORNING = utc(2026, 3, 20, 1, 0)  # 09:00 in Palu, 08:00 in Palangka Raya


def test_exempt_and_completed_learners_get_no_reminders(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    world = make_world(tmp_path, clock.current)
    third = make_user(unit=world.palu.unit, name="Rina Palu", email="rina@palu.example.go.id")
    make_assignment(world.course, [third], clock.current)
    db.session.execute(
        Assignee.__table__.update()
        .where(Assignee.user_id == world.palu.id)
        .values(state=AssigneeState.EXEMPT, exempt_reason="Cuti melahirkan")
    )
    enrollment_of(world.palangka, world.course).completed_at = utc(2026, 3, 15, 3)
    db.session.commit()

    channel = RecordingChannel()
    for day in range(0, 30):
        run_reminders(DUE_DAY_MORNING + timedelta(days=day - 15), current_settings(), [channel])
    assert reminders_of(world.palu) == {}
    assert reminders_of(world.palangka) == {}
    assert set(reminders_of(third)) == {
        "due_in_14", "due_in_3", "due_today", "overdue_week_1", "overdue_week_2",
    }  # fmt: skip
    assert {n.user_id for n in channel.notices} == {third.id}


def _idle_enrolment(learner: User, world: World, idle_days: int) -> None:
    enrollment = enrollment_of(learner, world.course)
    enrollment.enrolled_at = DUE_DAY_MORNING - timedelta(days=60)
    enrollment.last_seen_at = DUE_DAY_MORNING - timedelta(days=idle_days)


def test_a_nudge_after_fourteen_idle_days_once_and_none_for_the_opted_out(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    world = make_world(tmp_path, clock.current)
    # Self-paced enrolments: nobody is assigned the course any more.
    db.session.execute(Assignee.__table__.delete())
    opted_out = make_user(unit=world.palu.unit, name="Tono", email="tono@palu.example.go.id")
    recent = make_user(unit=world.palu.unit, name="Dewi", email="dewi@palu.example.go.id")
    for user in (opted_out, recent):
        enroll(user, world.course)
    db.session.commit()
    _idle_enrolment(world.palu, world, 15)
    _idle_enrolment(world.palangka, world, 14)
    _idle_enrolment(opted_out, world, 30)
    _idle_enrolment(recent, world, 13)
    opted_out.nudges_opt_out = True
    db.session.commit()

    channel = RecordingChannel()
    summary = run_reminders(DUE_DAY_MORNING, current_settings(), [channel])
    assert dict(summary.created) == {"inactive_14": 2}
    assert set(reminders_of(world.palu)) == {"inactive_14"}
    assert set(reminders_of(world.palangka)) == {"inactive_14"}
    assert reminders_of(opted_out) == {} and reminders_of(recent) == {}
    assert [n.kind.is_nudge for n in channel.notices] == [True, True]
    # A week later only Dewi's enrolment has newly gone idle; the others had theirs.
    later = run_reminders(DUE_DAY_MORNING + timedelta(days=7), current_settings(), [channel])
    assert dict(later.created) == {"inactive_14": 1}
    assert set(reminders_of(recent)) == {"inactive_14"} and len(channel.notices) == 3
    assert reminders_of(opted_out) == {}


def test_an_assigned_course_gets_deadline_reminders_not_nudges(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    world = make_world(tmp_path, clock.current)
    _idle_enrolment(world.palu, world, 20)
    db.session.commit()
    summary = run_reminders(DUE_DAY_MORNING, current_settings())
    assert dict(summary.created) == {"due_today": 2}
