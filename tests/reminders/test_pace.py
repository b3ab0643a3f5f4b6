"""The monthly JP-pace line: once a month to PNS behind the pace to 20 JP, in daytime."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import func, select

from elearn.extensions import db
from elearn.jobs.binding import current_jobs
from elearn.mail.binding import bind_mailer
from elearn.mail.memory import MemoryMailer
from elearn.mail.smtp import SmtpMailer
from elearn.models import EmployeeType, Reminder, User
from elearn.reminders.channels import MailChannel
from elearn.reminders.service import run_reminders
from elearn.settings import current_settings
from tests.badges.helpers import training
from tests.conftest import FrozenClock, csrf_token, run_in_parallel
from tests.factories import DEFAULT_PASSWORD, make_unit, make_user
from tests.mail.conftest import Inbox, mail_settings
from tests.reminders.helpers import WIB, WITA, hours, local, utc


def _run(app: Flask, clock: FrozenClock, now: datetime) -> str:
    clock.current = now
    result = app.test_cli_runner().invoke(args=["reminders", "run"])
    assert result.exit_code == 0, result.output
    return result.output


def _lines(user: User) -> list[Reminder]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Reminder)
            .where(Reminder.user_id == user.id, Reminder.kind == "jp_pace")
            .order_by(Reminder.id)
        )
    )


def _people() -> dict[str, User]:
    palu = make_unit("Pemerintah Kota Palu", timezone="Asia/Makassar")
    palangka = make_unit("Pemerintah Kota Palangka Raya", timezone="Asia/Pontianak")
    people = {
        "siti": make_user(unit=palu, name="Siti Palu", email="siti@palu.example.go.id"),
        "budi": make_user(unit=palangka, name="Budi Palangka", email="budi@pky.example.go.id"),
        "rina": make_user(unit=palu, name="Rina Palu", email="rina@palu.example.go.id"),
        "tono": make_user(
            unit=palu, name="Tono", email="tono@palu.example.go.id", employee_type=EmployeeType.PPPK
        ),
        "dewi": make_user(unit=palu, name="Dewi", email="dewi@palu.example.go.id"),
    }
    training(people["siti"], 6)
    training(people["rina"], 15)  # on pace in July: 20 × 182 ÷ 365 ≈ 10 JP expected
    people["dewi"].nudges_opt_out = True
    people["budi"].locale = "en"
    db.session.commit()
    return people


def test_one_line_a_month_at_seven_local_with_the_pace_needed_by_december(
    app: Flask, clock: FrozenClock, smtp_server: tuple[Inbox, int]
):
    inbox, port = smtp_server
    bind_mailer(app, SmtpMailer(mail_settings(port)))
    people = _people()
    siti, budi = people["siti"], people["budi"]

    # Hourly from 21:00 WITA on 30 June (night in both zones) to midday on 1 July.
    for now in hours(utc(2026, 6, 30, 13, 0), utc(2026, 7, 1, 12, 0)):
        _run(app, clock, now)
    (siti_line,) = _lines(siti)
    (budi_line,) = _lines(budi)
    assert local(siti_line.created_at, WITA) == datetime(2026, 7, 1, 7, 0, tzinfo=WITA)
    assert local(budi_line.created_at, WIB) == datetime(2026, 7, 1, 7, 0, tzinfo=WIB)
    assert siti_line.period == budi_line.period == "2026-07"
    assert siti_line.details == {"jp": 6, "target": 20, "year": 2026, "month": 7}
    assert siti_line.delivered_at == siti_line.created_at
    for name in ("rina", "tono", "dewi"):  # on pace; PPPK; opted out
        assert _lines(people[name]) == [], name

    mails = {m["To"]: m for m in inbox.messages}
    assert set(mails) == {"siti@palu.example.go.id", "budi@pky.example.go.id"}
    mail = mails["siti@palu.example.go.id"]
    body = mail.get_content()
    assert mail.get_content_type() == "text/plain"
    assert mail["Subject"] == "[eLearn ASN] Laju Jam Pelajaran tahun 2026"
    assert body.startswith("Yth. Siti Palu,")
    # (20 − 6) ÷ 6 months (July to December) ≈ 2,3 JP a month.
    assert (
        "Anda baru mencapai 6 JP tahun ini; untuk 20 JP sampai 31 Desember perlu ±2,3 JP"
        " per bulan." in body
    )
    assert "http://localhost/me/records" in body
    assert "berhenti menerimanya, buka http://localhost/me/notifications" in body
    english = mails["budi@pky.example.go.id"]
    assert english["Subject"] == "[eLearn ASN] Your JP pace for 2026"
    assert "you need about 3.3 JP a month" in english.get_content()

    # Later in July: nothing new. On 1 August: the next month's line.
    assert "created: 0" in _run(app, clock, utc(2026, 7, 20, 3, 0))
    output = _run(app, clock, utc(2026, 8, 1, 3, 0))
    assert "created jp_pace: 2" in output
    assert [line.period for line in _lines(siti)] == ["2026-07", "2026-08"]
    august = [m for m in inbox.messages if m["To"] == "siti@palu.example.go.id"][-1]
    assert "perlu ±2,8 JP per bulan" in august.get_content()  # 14 ÷ 5
    assert len(inbox.messages) == 4


def test_the_line_is_in_the_app_with_the_way_to_the_record(app: Flask, clock: FrozenClock):
    people = _people()
    run_reminders(utc(2026, 7, 1, 2, 0), current_settings())
    client = app.test_client()
    siti = people["siti"]
    client.post("/login", data={"login": siti.nip, "password": DEFAULT_PASSWORD,
                                "csrf_token": csrf_token(client, "/login")})  # fmt: skip
    page = client.get("/me/notifications").get_data(as_text=True)
    assert "Notifikasi (1)" in page
    assert "Laju Jam Pelajaran tahun 2026" in page
    assert "untuk 20 JP sampai 31 Desember perlu ±2,3 JP per bulan" in page
    assert 'href="/me/records"' in page


def test_the_learners_own_target_and_zone_decide(app: Flask, clock: FrozenClock):
    people = _people()
    # 1 March 07:30 WITA: Siti (6 JP) is ahead of 20 × 60 ÷ 365 ≈ 3,3; Budi (0 JP) is behind.
    run_reminders(utc(2026, 2, 28, 23, 30), current_settings())
    assert _lines(people["siti"]) == []
    assert _lines(people["budi"]) == []  # 06:30 WIB: still night in Palangka Raya
    run_reminders(utc(2026, 3, 1, 0, 30), current_settings())
    assert [line.period for line in _lines(people["budi"])] == ["2026-03"]


def test_one_line_per_learner_and_month_is_a_database_rule(app: Flask, clock: FrozenClock):
    learner = make_user()
    details = {"jp": 0, "target": 20, "year": 2026, "month": 3}
    db.session.add(Reminder(user_id=learner.id, kind="jp_pace", period="2026-03", details=details))
    db.session.commit()
    db.session.add(Reminder(user_id=learner.id, kind="jp_pace", period="2026-03", details=details))
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.commit()
    db.session.rollback()
    # A reminder needs a course (with an assignment or an enrolment) or a period.
    db.session.add(Reminder(user_id=learner.id, kind="jp_pace"))
    with pytest.raises(Exception, match="(?i)check|one_subject_or_period"):
        db.session.commit()
    db.session.rollback()


def test_parallel_passes_make_and_send_each_line_once(app: Flask, clock: FrozenClock):
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer; the race needs PostgreSQL")
    mailer = MemoryMailer()
    bind_mailer(app, mailer)
    unit = make_unit("Pemerintah Kota Palu", timezone="Asia/Makassar")
    for i in range(20):
        make_user(unit=unit, name=f"Peserta {i}", email=f"p{i}@palu.example.go.id")
    now = utc(2026, 9, 1, 2, 0)

    def one_pass() -> None:
        settings = current_settings()
        run_reminders(now, settings, [MailChannel(current_jobs(app), settings.public_base_url)])

    assert run_in_parallel(app, 4, one_pass) == []
    count = db.session.scalar(
        select(func.count()).select_from(Reminder).where(Reminder.kind == "jp_pace")
    )
    assert count == 20
    assert len(mailer.sent) == len({m.to for m in mailer.sent}) == 20
