"""The notifications page: one's own reminders, marked read, counted in the nav; nudge opt-out."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Reminder, User
from elearn.reminders.service import run_reminders
from elearn.settings import current_settings
from tests.conftest import AuthActions, FrozenClock, csrf_token
from tests.reminders.helpers import make_world, utc


def _signed_in(app: Flask, user: User):  # type: ignore[no-untyped-def]
    client = app.test_client()
    AuthActions(client).login(user.nip)
    return client


def _post(client, url: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/me/notifications")
    return client.post(url, data={"csrf_token": token, **(data or {})})


def test_the_page_lists_ones_own_and_marks_them_read_and_the_nav_counts_unread(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    world = make_world(tmp_path, clock.current)
    settings = current_settings()
    run_reminders(utc(2026, 3, 6, 2), settings)  # due_in_14
    run_reminders(utc(2026, 3, 17, 2), settings)  # due_in_3
    client = _signed_in(app, world.palangka)

    page = client.get("/me/notifications").get_data(as_text=True)
    assert "Notifikasi (2)" in page
    assert page.count("Pengingat tenggat: Dasar Manajemen Proyek") == 2
    assert "paling lambat 20 Maret 2026 22.59 WIB" in page  # the reader's zone
    assert "Notifikasi (2)" in client.get("/me").get_data(as_text=True)

    mine = list(
        db.session.scalars(select(Reminder.id).where(Reminder.user_id == world.palangka.id))
    )
    assert _post(client, f"/me/notifications/{mine[0]}/read").status_code == 302
    assert "Notifikasi (1)" in client.get("/me").get_data(as_text=True)
    assert _post(client, "/me/notifications/read").status_code == 302
    page = client.get("/me/notifications").get_data(as_text=True)
    assert "Notifikasi (" not in page and "Baru ·" not in page
    assert db.session.scalars(select(Reminder.read_at).where(Reminder.id.in_(mine))).all()


def test_another_learners_notifications_are_never_shown_nor_touched(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    world = make_world(tmp_path, clock.current)
    # 20:30 in Palu, 19:30 in Palangka Raya: only the Palangka Raya learner gets one.
    run_reminders(utc(2026, 3, 20, 12, 30), current_settings())
    theirs = db.session.scalar(select(Reminder).where(Reminder.user_id == world.palangka.id))
    assert theirs is not None
    client = _signed_in(app, world.palu)
    page = client.get("/me/notifications").get_data(as_text=True)
    assert "Belum ada notifikasi." in page and "Hari ini tenggat" not in page
    assert _post(client, f"/me/notifications/{theirs.id}/read").status_code == 404
    db.session.expire_all()
    assert db.session.get_one(Reminder, theirs.id).read_at is None
    assert client.get("/me/notifications").status_code == 200
    assert app.test_client().get("/me/notifications").status_code == 302  # to sign in


def test_a_learner_turns_nudges_off_and_on_again(app: Flask, tmp_path: Path, clock: FrozenClock):
    world = make_world(tmp_path, clock.current)
    client = _signed_in(app, world.palu)
    response = _post(client, "/me/notifications/nudges", {})  # the box left unticked
    assert response.status_code == 302 and response.location.endswith("#pengingat")
    db.session.expire_all()
    assert db.session.get_one(User, world.palu.id).nudges_opt_out is True
    page = client.get("/me/notifications").get_data(as_text=True)
    assert "Pengingat belajar dimatikan." in page
    _post(client, "/me/notifications/nudges", {"wanted": "y"})
    db.session.expire_all()
    assert db.session.get_one(User, world.palu.id).nudges_opt_out is False
    assert client.post("/me/notifications/nudges", data={"wanted": "y"}).status_code == 400
