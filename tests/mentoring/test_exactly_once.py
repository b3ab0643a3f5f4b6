"""Confirmed sessions count once, whatever arrives at the same moment."""

from __future__ import annotations

import itertools
import threading
from datetime import date, time

from flask import Flask
from sqlalchemy import select

from elearn.extensions import db
from elearn.mentoring.sessions import SessionRefused, SessionReport, decide_session, record_session
from elearn.models import AuditEntry, LearnerJpTotal, MentoringSession, SessionStatus, User
from elearn.records.entries import jp_total_for_year
from tests.conftest import FrozenClock, run_in_parallel
from tests.factories import make_unit, make_user

PAIRS = 6


def _report(mentor: User, **fields: object) -> SessionReport:
    values: dict[str, object] = {
        "kind": "coaching",
        "mentor_nip": mentor.nip,
        "held_on": date(2026, 2, 20),
        "starts_at": time(9, 0),
        "duration_minutes": 135,
        "topic": "Coaching kinerja",
        "competency": "manajerial",
        "outcome": "",
        **fields,
    }
    return SessionReport(**values)  # type: ignore[arg-type]


def test_parallel_confirmations_by_distinct_mentors_each_count_once(app: Flask, clock: FrozenClock):
    unit = make_unit()
    pairs = []
    for number in range(PAIRS):
        mentee = make_user(unit=unit, name=f"Mentee {number}")
        mentor = make_user(unit=unit, name=f"Mentor {number}")
        session = record_session(mentee, _report(mentor))
        pairs.append((mentee.id, mentor.id, session.id))
    db.session.commit()
    # Every mentor confirms twice at the same moment (a double click): 2 × PAIRS threads.
    work = itertools.cycle(pairs * 2)
    lock = threading.Lock()

    def confirm() -> None:
        with lock:
            _mentee_id, mentor_id, session_id = next(work)
        mentor = db.session.get(User, mentor_id)
        assert mentor is not None
        decide_session(session_id, mentor, confirm=True, note="", minutes_per_jp=45)

    errors = run_in_parallel(app, PAIRS * 2, confirm)
    assert errors == []
    db.session.expire_all()
    sessions = db.session.scalars(select(MentoringSession)).all()
    assert {s.status for s in sessions} == {SessionStatus.CONFIRMED}
    assert {s.jp for s in sessions} == {3}  # 135 min / 45
    for mentee_id, _mentor_id, _session_id in pairs:
        mentee = db.session.get(User, mentee_id)
        assert mentee is not None and jp_total_for_year(mentee, 2026) == 3
        rollup = db.session.get(LearnerJpTotal, (mentee_id, 2026))
        assert rollup is not None and rollup.jp == 3  # the duty report's total, added once
    confirmations = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "mentoring.confirm")
    ).all()
    assert len(confirmations) == PAIRS


def test_the_same_session_recorded_at_once_is_stored_once(app: Flask, clock: FrozenClock):
    unit = make_unit()
    mentee_id = make_user(unit=unit, name="Mentee").id
    mentor = make_user(unit=unit, name="Mentor")
    mentor_nip = mentor.nip
    refused: list[SessionRefused] = []

    def submit() -> None:
        mentee = db.session.get(User, mentee_id)
        assert mentee is not None
        found = db.session.scalar(select(User).where(User.nip == mentor_nip))
        assert found is not None
        try:
            record_session(mentee, _report(found))
        except SessionRefused as exc:
            refused.append(exc)

    errors = run_in_parallel(app, 4, submit)
    # The first check or, in a race, the unique index refuses the others; none are lost
    # as a server error except a database that serialises by failing (reported, not stored).
    assert all("UniqueViolation" in type(e).__name__ or "Integrity" in type(e).__name__
               for e in errors)  # fmt: skip
    db.session.expire_all()
    assert len(db.session.scalars(select(MentoringSession)).all()) == 1
    assert len(refused) + len(errors) == 3


def test_a_rejected_session_frees_the_slot_for_a_correction(app: Flask, clock: FrozenClock):
    unit = make_unit()
    mentee = make_user(unit=unit, name="Mentee")
    mentor = make_user(unit=unit, name="Mentor")
    first = record_session(mentee, _report(mentor, duration_minutes=600 // 5))
    db.session.commit()
    decide_session(first.id, mentor, confirm=False, note="Durasinya keliru", minutes_per_jp=45)
    db.session.commit()
    second = record_session(mentee, _report(mentor, duration_minutes=90))
    decide_session(second.id, mentor, confirm=True, note="", minutes_per_jp=45)
    db.session.commit()
    assert jp_total_for_year(mentee, 2026) == 2
