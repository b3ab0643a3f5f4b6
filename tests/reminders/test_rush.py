"""Two passes at the same moment create each reminder once and send each mail once."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from elearn.extensions import db
from elearn.jobs.binding import current_jobs
from elearn.mail.binding import bind_mailer
from elearn.mail.memory import MemoryMailer
from elearn.models import Reminder
from elearn.reminders.channels import MailChannel
from elearn.reminders.service import run_reminders
from elearn.settings import current_settings
from tests.conftest import FrozenClock, run_in_parallel
from tests.factories import make_user
from tests.reminders.helpers import make_assignment, make_world, utc


def test_parallel_passes_create_and_send_each_reminder_once(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer; the race needs PostgreSQL")
    mailer = MemoryMailer()
    bind_mailer(app, mailer)
    world = make_world(tmp_path, clock.current)
    learners = [
        make_user(unit=world.palu.unit, name=f"Peserta {i}", email=f"p{i}@palu.example.go.id")
        for i in range(20)
    ]
    make_assignment(world.course, learners, clock.current)
    clock.current = now = utc(2026, 3, 20, 2, 0)  # the due day, mid-morning in both zones

    def one_pass() -> None:
        settings = current_settings()
        run_reminders(now, settings, [MailChannel(current_jobs(app), settings.public_base_url)])

    errors = run_in_parallel(app, 4, one_pass)
    assert errors == []
    count = db.session.scalar(select(func.count()).select_from(Reminder))
    assert count == 22
    kinds = set(db.session.scalars(select(Reminder.kind)))
    assert kinds == {"due_today"}
    assert len(mailer.sent) == 22
    assert len({m.to for m in mailer.sent}) == 22
