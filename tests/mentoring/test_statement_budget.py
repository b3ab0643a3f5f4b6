"""The mentee's list and the mentor's page read a fixed number of statements."""

from __future__ import annotations

from datetime import date, time

import pytest
from flask import Flask

from elearn.extensions import db
from elearn.mentoring.sessions import SessionReport, decide_session, record_session
from tests.conftest import FrozenClock
from tests.factories import make_unit
from tests.learning.helpers import Learner, sign_in
from tests.learning.test_statement_budget import BUDGET, _get

PAGES = ("/me/mentoring", "/me/mentoring/requests", "/me/records")


def _sessions(mentee: Learner, mentor: Learner, count: int, first_day: int) -> None:
    for day in range(first_day, first_day + count):
        session = record_session(
            mentee.user,
            SessionReport(
                kind="mentoring",
                mentor_nip=mentor.user.nip,
                held_on=date(2026, 1, day),
                starts_at=time(9, 0),
                duration_minutes=90,
                topic=f"Sesi {day}",
                competency="teknis",
                outcome="",
            ),
        )
        if day % 2:
            decide_session(session.id, mentor.user, confirm=True, note="", minutes_per_jp=45)
    db.session.commit()


@pytest.mark.parametrize("page", PAGES)
def test_pages_stay_within_budget_whatever_the_sessions(app: Flask, clock: FrozenClock, page: str):
    unit = make_unit()
    mentee = sign_in(app, name="Mentee", unit=unit)
    mentor = sign_in(app, name="Mentor", unit=unit)
    viewer = mentor if page.endswith("requests") else mentee
    _sessions(mentee, mentor, 1, 1)
    few = _get(app, viewer, page)
    _sessions(mentee, mentor, 12, 2)
    many = _get(app, viewer, page)
    assert len(many) == len(few), "\n".join(many)
    assert len(many) <= BUDGET, "\n".join(many)
