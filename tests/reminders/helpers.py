"""Shared setup for reminder tests: a WITA and a WIB learner under one assignment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from elearn.assignments.assignees import assign_learners
from elearn.assignments.service import due_instant
from elearn.extensions import db
from elearn.models import Assignment, Course, Enrollment, Reminder, User
from elearn.reminders.channels import Notice
from tests.factories import make_unit, make_user
from tests.learning.helpers import course_of, publish_course

WITA = ZoneInfo("Asia/Makassar")  # Palu: UTC+8
WIB = ZoneInfo("Asia/Pontianak")  # Palangka Raya: UTC+7
DUE = date(2026, 3, 20)


@dataclass
class RecordingChannel:
    """A channel that keeps what it was handed (as a WhatsApp gateway would send it)."""

    name: str = "recording"
    notices: list[Notice] = field(default_factory=list)

    def deliver(self, notice: Notice) -> bool:
        self.notices.append(notice)
        return True


@dataclass
class World:
    course: Course
    assignment: Assignment
    palu: User  # WITA
    palangka: User  # WIB


def make_world(tmp_path: Path, now: datetime, due_on: date = DUE) -> World:
    """A course assigned (by a Palu coordinator, WITA) to a Palu and a Palangka Raya learner."""
    publish_course(tmp_path)
    course = course_of()
    palu = make_user(
        unit=make_unit("Pemerintah Kota Palu", timezone="Asia/Makassar"),
        name="Siti Palu",
        email="siti@palu.example.go.id",
    )
    palangka = make_user(
        unit=make_unit("Pemerintah Kota Palangka Raya", timezone="Asia/Pontianak"),
        name="Budi Palangka",
        email="budi@palangkaraya.example.go.id",
    )
    assignment = make_assignment(course, [palu, palangka], now, due_on)
    return World(course, assignment, palu, palangka)


def make_assignment(
    course: Course, learners: list[User], now: datetime, due_on: date = DUE
) -> Assignment:
    assignment = Assignment(
        course_id=course.id,
        reason="Wajib: Keamanan Informasi 2026",
        starts_on=date(2026, 3, 1),
        due_on=due_on,
        due_at=due_instant(due_on, WITA),
        timezone=WITA.key,
        created_at=now,
    )
    db.session.add(assignment)
    db.session.flush()
    assign_learners(assignment, [u.id for u in learners], now)
    db.session.commit()
    return assignment


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def reminders_of(user: User) -> dict[str, Reminder]:
    rows = db.session.scalars(
        select(Reminder).where(Reminder.user_id == user.id).order_by(Reminder.id)
    )
    found: dict[str, Reminder] = {}
    for row in rows:
        assert row.kind not in found, f"{row.kind} twice for {user.full_name}"
        found[row.kind] = row
    return found


def enrollment_of(user: User, course: Course) -> Enrollment:
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)
    )
    assert enrollment is not None
    return enrollment


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def hours(start: datetime, end: datetime) -> list[datetime]:
    """Every whole hour from ``start`` up to ``end``: the hourly job's passes."""
    count = int((end - start) / timedelta(hours=1))
    return [start + timedelta(hours=i) for i in range(count + 1)]
