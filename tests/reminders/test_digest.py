"""The coordinators' weekly digest of overdue learners in their scope."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from elearn.extensions import db
from elearn.jobs.binding import current_jobs
from elearn.mail.binding import bind_mailer
from elearn.mail.memory import MemoryMailer
from elearn.mail.smtp import SmtpMailer
from elearn.models import Assignee, AssigneeState, Assignment, Reminder, Role, User
from elearn.reminders.channels import MailChannel
from elearn.reminders.service import run_reminders
from elearn.settings import current_settings, with_changes
from tests.conftest import AuthActions, FrozenClock, csrf_token, run_in_parallel
from tests.factories import make_unit, make_user
from tests.learning.helpers import course_of, publish_course
from tests.mail.conftest import Inbox, mail_settings
from tests.reminders.helpers import WITA, enrollment_of, hours, local, make_assignment, utc

MONDAY_SEVEN_WITA = utc(2026, 3, 22, 23, 0)  # Monday 23 March 2026, 07:00 in Palu


@dataclass
class Scene:
    coordinator: User  # Palu and its sub-units
    elsewhere: User  # a Mamuju coordinator: nothing overdue in scope
    assignment: Assignment
    budi: User  # overdue, in a sub-unit
    cici: User  # overdue
    eka: User  # overdue, but in Mamuju: outside the Palu coordinator's units


def _scene(tmp_path: Path, now: datetime) -> Scene:
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    dinkes = make_unit("Dinas Kesehatan", parent=palu, code="palu-dinkes")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    coordinator = make_user(
        Role.COORDINATOR, unit=palu, scope=[palu], name="Koordinator Palu",
        email="koordinator@palu.example.go.id",
    )  # fmt: skip
    elsewhere = make_user(
        Role.COORDINATOR, unit=mamuju, scope=[mamuju], name="Koordinator Mamuju",
        email="koordinator@mamuju.example.go.id",
    )  # fmt: skip
    publish_course(tmp_path)
    course = course_of()
    course.unit_id = palu.id  # a Palu course: its coordinator manages it
    db.session.commit()
    ani = make_user(unit=palu, name="Ani Tepat")
    budi = make_user(unit=dinkes, name="Budi Dinkes")
    cici = make_user(unit=palu, name="Cici Palu")
    dedi = make_user(unit=palu, name="Dedi Cuti")
    eka = make_user(unit=mamuju, name="Eka Mamuju")
    assignment = make_assignment(course, [ani, budi, cici, dedi, eka], now)  # due 20 March
    enrollment_of(ani, course).completed_at = utc(2026, 3, 19, 3, 0)
    exempt = db.session.scalar(select(Assignee).where(Assignee.user_id == dedi.id))
    assert exempt is not None
    exempt.state, exempt.exempt_reason = AssigneeState.EXEMPT, "Cuti melahirkan"
    db.session.commit()
    return Scene(coordinator, elsewhere, assignment, budi, cici, eka)


def _digests(user: User) -> list[Reminder]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Reminder)
            .where(Reminder.user_id == user.id, Reminder.kind == "overdue_digest")
            .order_by(Reminder.id)
        )
    )


def _run(app: Flask, clock: FrozenClock, now: datetime) -> str:
    clock.current = now
    result = app.test_cli_runner().invoke(args=["reminders", "run"])
    assert result.exit_code == 0, result.output
    return result.output


def _signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    AuthActions(client).login(user.nip)
    return client


def test_one_digest_a_week_by_mail_on_monday_morning_listing_the_overdue_in_scope(
    app: Flask, tmp_path: Path, clock: FrozenClock, smtp_server: tuple[Inbox, int]
):
    inbox, port = smtp_server
    bind_mailer(app, SmtpMailer(mail_settings(port)))
    scene = _scene(tmp_path, clock.current)

    # Hourly from Sunday 20:00 to Monday 14:00 in Palu.
    for now in hours(utc(2026, 3, 22, 12, 0), utc(2026, 3, 23, 6, 0)):
        _run(app, clock, now)
    (digest,) = _digests(scene.coordinator)
    assert local(digest.created_at, WITA) == datetime(2026, 3, 23, 7, 0, tzinfo=WITA)
    assert digest.period == "2026-W13"
    assert digest.details is not None and digest.details["count"] == 2
    assert [e["name"] for e in digest.details["learners"]] == ["Budi Dinkes", "Cici Palu"]
    assert _digests(scene.elsewhere) == []  # nothing overdue in Mamuju's own courses

    to_coordinator = [m for m in inbox.messages if m["To"] == "koordinator@palu.example.go.id"]
    assert not [m for m in inbox.messages if m["To"] == "koordinator@mamuju.example.go.id"]
    (mail,) = to_coordinator
    assert mail.get_content_type() == "text/plain"
    assert mail["Subject"] == "[eLearn ASN] Ringkasan mingguan: 2 peserta lewat tenggat"
    body = mail.get_content()
    assert body.startswith("Yth. Koordinator Palu,")
    nip = scene.budi.nip
    grouped = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    assert (
        f"- Budi Dinkes (NIP {grouped}), Pemerintah Kota Palu › Dinas Kesehatan"
        " — Dasar Manajemen Proyek, lewat tenggat 3 hari" in body
    )
    link = f"http://localhost/coordinator/assignments/{scene.assignment.id}?status=overdue"
    assert link in body
    assert "Cici Palu" in body and "Ani Tepat" not in body and "Dedi Cuti" not in body
    assert "Eka Mamuju" not in body
    assert "Semua penugasan: http://localhost/coordinator/assignments/" in body
    assert "berhenti" not in body  # a coordinator's duty, not an optional nudge

    # Again this week (Wednesday): nothing. The next Monday: the next week's digest.
    _run(app, clock, utc(2026, 3, 25, 2, 0))
    assert len(_digests(scene.coordinator)) == 1
    _run(app, clock, utc(2026, 3, 30, 1, 0))
    second = _digests(scene.coordinator)[-1]
    assert second.period == "2026-W14" and second.details is not None
    assert [e["days"] for e in second.details["learners"]] == [10, 10]

    # Once everyone is done, no digest at all.
    for learner in (scene.budi, scene.cici):
        enrollment_of(learner, scene.assignment.course).completed_at = utc(2026, 4, 1)
    db.session.commit()
    assert "overdue_digest" not in _run(app, clock, utc(2026, 4, 6, 1, 0))
    assert len(_digests(scene.coordinator)) == 2


def test_the_digest_in_the_app_links_to_the_overdue_drill_down(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    scene = _scene(tmp_path, clock.current)
    with_changes(app, reminders=replace(current_settings().reminders, digest_size=1))
    clock.current = MONDAY_SEVEN_WITA
    run_reminders(clock.current, current_settings())
    (digest,) = _digests(scene.coordinator)
    assert digest.details is not None and len(digest.details["learners"]) == 1

    client = _signed_in(app, scene.coordinator)
    page = client.get("/me/notifications").get_data(as_text=True)
    assert "Ringkasan mingguan: 2 peserta lewat tenggat" in page
    assert "1 yang paling lama tercantum di bawah" in page
    path = f"/coordinator/assignments/{scene.assignment.id}?status=overdue"
    assert f'href="{path}"' in page
    drill_down = client.get(path)
    assert drill_down.status_code == 200
    assert "Budi Dinkes" in drill_down.get_data(as_text=True)


def test_the_digest_waits_for_the_configured_weekday(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    scene = _scene(tmp_path, clock.current)
    with_changes(app, reminders=replace(current_settings().reminders, digest_weekday=3))
    run_reminders(MONDAY_SEVEN_WITA, current_settings())
    assert _digests(scene.coordinator) == []
    run_reminders(utc(2026, 3, 24, 23, 0), current_settings())  # Wednesday 07:00 WITA
    assert [d.period for d in _digests(scene.coordinator)] == ["2026-W13"]


def test_one_digest_per_coordinator_and_week_is_a_database_rule(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    scene = _scene(tmp_path, clock.current)
    run_reminders(MONDAY_SEVEN_WITA, current_settings())
    db.session.add(
        Reminder(
            user_id=scene.coordinator.id, kind="overdue_digest", period="2026-W13",
            details={"count": 0, "learners": []},
        )
    )  # fmt: skip
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.commit()
    db.session.rollback()


def test_parallel_passes_send_each_coordinator_one_digest(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer; the race needs PostgreSQL")
    mailer = MemoryMailer()
    bind_mailer(app, mailer)
    scene = _scene(tmp_path, clock.current)
    palu = scene.coordinator.unit
    others = [
        make_user(Role.COORDINATOR, unit=palu, scope=[palu], name=f"Koordinator {i}",
                  email=f"k{i}@palu.example.go.id")
        for i in range(5)
    ]  # fmt: skip

    def one_pass() -> None:
        settings = current_settings()
        run_reminders(
            MONDAY_SEVEN_WITA, settings, [MailChannel(current_jobs(app), settings.public_base_url)]
        )

    assert run_in_parallel(app, 4, one_pass) == []
    for coordinator in (scene.coordinator, *others):
        assert len(_digests(coordinator)) == 1, coordinator.full_name
    digests = [m for m in mailer.sent if m.subject.startswith("[eLearn ASN] Ringkasan")]
    assert len(digests) == len({m.to for m in digests}) == 6


def test_an_anonymised_learner_leaves_the_stored_digests(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    scene = _scene(tmp_path, clock.current)
    _run(app, clock, MONDAY_SEVEN_WITA)
    budi_nip = scene.budi.nip
    admin = _signed_in(app, make_user(Role.ADMIN, name="Admin"))
    token = csrf_token(admin, f"/admin/users/{scene.budi.id}")
    response = admin.post(f"/admin/users/{scene.budi.id}/anonymise", data={"csrf_token": token})
    assert response.status_code == 302

    (digest,) = _digests(scene.coordinator)
    assert digest.details is not None
    assert budi_nip not in str(digest.details) and "Budi" not in str(digest.details)
    names = [entry["name"] for entry in digest.details["learners"]]
    assert names == [f"Pengguna terhapus #{scene.budi.id}", "Cici Palu"]
    page = _signed_in(app, scene.coordinator).get("/me/notifications").get_data(as_text=True)
    assert "Budi Dinkes" not in page and budi_nip not in page
    assert f"Pengguna terhapus #{scene.budi.id} (NIP -)" in page
    assert "Cici Palu" in page
