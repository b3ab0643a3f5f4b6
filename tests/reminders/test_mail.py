"""``flask reminders run`` sends each reminder once through the mail job to a real SMTP server."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from elearn.extensions import db
from elearn.mail.binding import bind_mailer
from elearn.mail.memory import MemoryMailer
from elearn.mail.smtp import SmtpMailer
from elearn.models import Assignee, Job, JobState, User
from tests.conftest import FrozenClock
from tests.mail.conftest import Inbox, mail_settings
from tests.reminders.helpers import enrollment_of, make_world, utc


def _run(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["reminders", "run"])
    assert result.exit_code == 0, result.output
    return result.output


def _by_recipient(inbox: Inbox) -> dict[str, str]:
    found = {}
    for message in inbox.messages:
        assert message["To"] not in found, f"two messages to {message['To']}"
        found[message["To"]] = message.get_content()
    return found


def test_each_learner_gets_one_mail_in_their_zone_and_a_second_run_sends_none(
    app: Flask, tmp_path: Path, clock: FrozenClock, smtp_server: tuple[Inbox, int]
):
    inbox, port = smtp_server
    bind_mailer(app, SmtpMailer(mail_settings(port)))
    world = make_world(tmp_path, clock.current)
    clock.current = utc(2026, 3, 17, 2, 0)  # 10:00 in Palu, 09:00 in Palangka Raya

    output = _run(app)
    assert "created due_in_3: 2" in output and "sent by email: 2" in output
    bodies = _by_recipient(inbox)
    palu, palangka = bodies["siti@palu.example.go.id"], bodies["budi@palangkaraya.example.go.id"]
    assert palu.startswith("Yth. Siti Palu,")
    # The course title, and the deadline (midnight after 20 March in Palu) in each zone.
    assert "Pengingat tenggat: Dasar Manajemen Proyek" in palu
    assert "paling lambat 20 Maret 2026 23.59 WITA" in palu
    assert "paling lambat 20 Maret 2026 22.59 WIB" in palangka
    assert "http://localhost/courses/dasar-proyek" in palu
    assert "berhenti" not in palu  # a deadline reminder is not optional
    subjects = {m["Subject"] for m in inbox.messages}
    assert subjects == {"[eLearn ASN] Pengingat tenggat: Dasar Manajemen Proyek"}
    assert all(m.get_content_type() == "text/plain" for m in inbox.messages)

    again = _run(app)
    assert "created: 0" in again and "sent by email: 0" in again
    assert len(inbox.messages) == 2
    jobs = db.session.scalar(select(func.count()).select_from(Job).where(Job.kind == "mail.send"))
    assert jobs == 2
    assert world.assignment.id is not None


def test_a_nudge_mail_offers_the_opt_out_in_the_learners_language(
    app: Flask, tmp_path: Path, clock: FrozenClock, smtp_server: tuple[Inbox, int]
):
    inbox, port = smtp_server
    bind_mailer(app, SmtpMailer(mail_settings(port)))
    world = make_world(tmp_path, clock.current)
    # Nobody is assigned the course any more: a self-paced enrolment gone idle.
    db.session.execute(Assignee.__table__.delete())
    enrollment = enrollment_of(world.palu, world.course)
    enrollment.enrolled_at = utc(2026, 3, 1, 2)
    enrollment.last_seen_at = utc(2026, 3, 2, 2)
    learner = db.session.get_one(User, world.palu.id)
    learner.locale = "en"
    db.session.commit()

    clock.current = utc(2026, 3, 16, 3, 0)  # 14 days and an hour later, 11:00 in Palu
    output = _run(app)
    assert "created inactive_14: 1" in output
    (message,) = inbox.messages
    body = message.get_content()
    assert message["Subject"] == "[eLearn ASN] Continue learning: Dasar Manajemen Proyek"
    assert "You have not opened this course for 14 days." in body
    assert "http://localhost/me/notifications" in body


def test_the_hourly_job_runs_the_same_pass(app: Flask, tmp_path: Path, clock: FrozenClock):
    mailer = MemoryMailer()
    bind_mailer(app, mailer)
    make_world(tmp_path, clock.current)
    clock.current = utc(2026, 3, 20, 2, 0)  # the due day, mid-morning in both zones
    result = app.test_cli_runner().invoke(args=["jobs", "run-due"])  # inline: runs it
    assert result.exit_code == 0, result.output
    job = db.session.scalar(select(Job).where(Job.kind == "reminders.run"))
    assert job is not None and job.state == JobState.DONE
    assert job.key == f"reminders.run@{int(clock.current.timestamp()) // 3600}"
    assert job.result_info == {"created": {"due_today": 2}, "sent": {"email": 2}}
    assert sorted(m.to for m in mailer.sent) == [
        "budi@palangkaraya.example.go.id",
        "siti@palu.example.go.id",
    ]
