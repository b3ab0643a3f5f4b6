"""Coaching and mentoring records: recording, the mentor's decision, JP on the career record."""

from __future__ import annotations

import csv
import io

from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from elearn.extensions import db
from elearn.mentoring.jp_rule import session_jp
from elearn.models import (
    AuditEntry,
    JpBadge,
    LearnerJpTotal,
    MentoringSession,
    Role,
    SessionStatus,
)
from elearn.records.entries import jp_total_for_year, record_rows
from elearn.settings import with_changes
from tests.conftest import AuthActions, FrozenClock, csrf_token
from tests.factories import make_unit, make_user
from tests.learning.helpers import Learner, sign_in
from tests.mentoring.helpers import decide, record


def _only_session() -> MentoringSession:
    db.session.expire_all()
    return db.session.scalars(select(MentoringSession)).one()


def _coordinator(app: Flask, of: Learner) -> Learner:
    user = make_user(Role.COORDINATOR, name="Koordinator", unit=of.user.unit, scope=[of.user.unit])
    client = app.test_client()
    AuthActions(client).login(user.nip)
    return Learner(user, client)


def _pair(app: Flask) -> tuple[Learner, Learner]:
    unit = make_unit()
    mentee = sign_in(app, name="Rina Mentee", unit=unit)
    mentor = sign_in(app, name="Budi Mentor", unit=unit)
    return mentee, mentor


def test_jp_rule_rounds_down_per_session():
    assert session_jp(100, 45) == 2
    assert session_jp(44, 45) == 0
    assert session_jp(90, 45) == 2
    assert session_jp(120, 60) == 2


def test_confirmed_session_counts_on_the_career_record(app: Flask, clock: FrozenClock):
    mentee, mentor = _pair(app)
    response = record(mentee, mentor)
    assert response.status_code == 302
    page = mentee.client.get("/me/mentoring").get_data(as_text=True)
    assert "Menunggu konfirmasi mentor" in page and "Budi Mentor" in page
    assert jp_total_for_year(mentee.user, 2026) == 0
    assert "Menyusun rencana aksi SAKIP" not in mentee.client.get("/me/records").get_data(
        as_text=True
    )

    waiting = mentor.client.get("/me/mentoring").get_data(as_text=True)
    assert "1 sesi menunggu konfirmasi Anda sebagai mentor." in waiting
    requests = mentor.client.get("/me/mentoring/requests").get_data(as_text=True)
    assert "Permintaan konfirmasi mentoring" in requests and "Rina Mentee" in requests
    session = _only_session()
    assert decide(mentor, session.id).status_code == 302

    session = _only_session()
    assert session.status == SessionStatus.CONFIRMED and session.jp == 2  # 100 min / 45
    assert "menunggu konfirmasi Anda" not in mentor.client.get("/me/mentoring").get_data(
        as_text=True
    )
    assert jp_total_for_year(mentee.user, 2026) == 2
    [row] = record_rows(mentee.user)
    assert row.organiser == "Mentor: Budi Mentor" and row.route == "Mentoring"
    assert row.source == "Coaching/Mentoring" and row.competency == "manajerial"

    page = mentee.client.get("/me/records").get_data(as_text=True)
    assert "Mentor: Budi Mentor" in page and "Mentoring: Menyusun rencana aksi SAKIP" in page
    assert '<strong class="big">2</strong> / 20 JP' in page
    dashboard = mentee.client.get("/me").get_data(as_text=True)
    assert '<strong class="big">2</strong> / 20 JP' in dashboard

    exported = mentee.client.get("/me/records.csv").get_data(as_text=True)
    [csv_row] = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert csv_row["institusiPenyelenggara"] == "Mentor: Budi Mentor"
    assert csv_row["jumlahJam"] == "2" and csv_row["jalurPengembangan"] == "Mentoring"
    assert csv_row["tanggalKursus"] == "20-02-2026" and csv_row["dihitung"] == "ya"

    pdf = mentee.client.get("/me/records.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Budi Mentor" in text and "Menyusun rencana aksi" in text

    # The mentor's own record does not gain the mentee's hours.
    assert jp_total_for_year(mentor.user, 2026) == 0


def test_minutes_per_jp_is_a_setting(app: Flask, clock: FrozenClock):
    with_changes(app, mentoring_minutes_per_jp=60)
    mentee, mentor = _pair(app)
    record(mentee, mentor, duration_minutes="100")
    decide(mentor, _only_session().id)
    assert _only_session().jp == 1


def test_rejected_session_does_not_count_and_needs_a_reason(app: Flask, clock: FrozenClock):
    mentee, mentor = _pair(app)
    record(mentee, mentor, kind="coaching")
    session_id = _only_session().id

    page = decide(mentor, session_id, "reject").get_data(as_text=True)
    page = mentor.client.get("/me/mentoring/requests").get_data(as_text=True)
    assert "Alasan penolakan wajib diisi." in page
    assert _only_session().status == SessionStatus.PENDING

    decide(mentor, session_id, "reject", note="Sesi itu dibatalkan, tidak berlangsung.")
    session = _only_session()
    assert session.status == SessionStatus.REJECTED and session.jp == 0
    assert jp_total_for_year(mentee.user, 2026) == 0
    assert record_rows(mentee.user) == []
    mine = mentee.client.get("/me/mentoring").get_data(as_text=True)
    assert "Ditolak mentor" in mine and "Sesi itu dibatalkan" in mine
    # Deciding again changes nothing.
    again = decide(mentor, session_id, "confirm")
    assert again.status_code == 302 and _only_session().status == SessionStatus.REJECTED


def test_validation_messages_keep_the_input(app: Flask, clock: FrozenClock):
    mentee, mentor = _pair(app)
    cases = {
        "Sesi yang belum berlangsung belum dapat dicatat.": {"held_on": "2026-03-05"},
        "Durasi sesi harus 15–480 menit.": {"duration_minutes": "600"},
        "Tidak ada pegawai aktif dengan NIP mentor tersebut.": {"mentor_nip": "198609262015051999"},
        "Anda tidak dapat menjadi mentor bagi diri sendiri.": {"mentor_nip": mentee.user.nip},
    }
    for message, fields in cases.items():
        response = record(mentee, mentor, topic="Topik yang tidak boleh hilang", **fields)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, message
        assert message in page, message
        assert 'value="Topik yang tidak boleh hilang"' in page
    short = record(mentee, mentor, duration_minutes="5").get_data(as_text=True)
    assert "Durasi sesi harus 15–480 menit." in short
    assert db.session.scalars(select(MentoringSession)).all() == []

    # The mentor's grouped NIP (as shown on pages) is accepted.
    nip = mentor.user.nip
    grouped = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    assert record(mentee, mentor, mentor_nip=grouped).status_code == 302
    duplicate = record(mentee, mentor).get_data(as_text=True)
    assert "Sesi dengan mentor ini pada tanggal dan jam yang sama sudah dicatat." in duplicate
    assert len(db.session.scalars(select(MentoringSession)).all()) == 1


def test_inactive_mentor_is_refused(app: Flask, clock: FrozenClock):
    mentee, mentor = _pair(app)
    mentor.user.is_active = False
    db.session.commit()
    page = record(mentee, mentor).get_data(as_text=True)
    assert "Tidak ada pegawai aktif dengan NIP mentor tersebut." in page


def test_only_the_named_mentor_decides(app: Flask, clock: FrozenClock):
    mentee, mentor = _pair(app)
    other = sign_in(app, name="Orang Lain", unit=mentee.user.unit)
    coordinator = _coordinator(app, mentee)
    record(mentee, mentor)
    session_id = _only_session().id

    admin = make_user(Role.ADMIN, name="Admin")
    admin_client = app.test_client()
    AuthActions(admin_client).login(admin.nip)
    for intruder in (other, mentee, coordinator, Learner(admin, admin_client)):
        assert decide(intruder, session_id).status_code == 404
        requests = intruder.client.get("/me/mentoring/requests").get_data(as_text=True)
        assert "Menyusun rencana aksi SAKIP" not in requests
    assert _only_session().status == SessionStatus.PENDING

    # No CSRF token, no decision.
    no_token = mentor.client.post(
        f"/me/mentoring/requests/{session_id}", data={"decision": "confirm"}
    )
    assert no_token.status_code in (302, 400)
    assert _only_session().status == SessionStatus.PENDING

    decide(mentor, session_id)
    assert _only_session().status == SessionStatus.CONFIRMED
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("mentoring.confirm") == 1


def test_confirmed_session_cannot_be_withdrawn_but_pending_can(app: Flask, clock: FrozenClock):
    mentee, mentor = _pair(app)
    record(mentee, mentor)
    record(mentee, mentor, starts_at="13:00", topic="Sesi kedua")
    first, second = db.session.scalars(select(MentoringSession).order_by(MentoringSession.id))
    decide(mentor, first.id)
    token = csrf_token(mentee.client, "/me/mentoring")

    refused = mentee.client.post(
        f"/me/mentoring/{first.id}/withdraw", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Sesi yang sudah diputuskan mentor tidak dapat diubah" in refused.get_data(as_text=True)
    other = sign_in(app, name="Orang Lain", unit=mentee.user.unit)
    other_token = csrf_token(other.client, "/me/mentoring")
    assert (
        other.client.post(
            f"/me/mentoring/{second.id}/withdraw", data={"csrf_token": other_token}
        ).status_code
        == 404
    )
    mentee.client.post(f"/me/mentoring/{second.id}/withdraw", data={"csrf_token": token})
    db.session.expire_all()
    remaining = db.session.scalars(select(MentoringSession)).all()
    assert [s.id for s in remaining] == [first.id]
    assert remaining[0].status == SessionStatus.CONFIRMED


def test_learners_see_only_their_own_and_coordinators_their_units(app: Flask, clock: FrozenClock):
    mentee, mentor = _pair(app)
    elsewhere = make_unit("Pemerintah Kabupaten Mamuju")
    far_mentee = sign_in(app, name="Sari Jauh", unit=elsewhere)
    record(mentee, mentor, topic="Topik Rina")
    record(far_mentee, mentor, topic="Topik Sari")
    bystander = sign_in(app, name="Pengamat", unit=mentee.user.unit)
    page = bystander.client.get("/me/mentoring").get_data(as_text=True)
    assert "Topik Rina" not in page and "Topik Sari" not in page
    assert "Topik Sari" not in mentee.client.get("/me/mentoring").get_data(as_text=True)

    coordinator = _coordinator(app, mentee)
    units = coordinator.client.get("/mentoring/units").get_data(as_text=True)
    assert "Topik Rina" in units and "Topik Sari" not in units
    assert "<form" not in units.split("<main", 1)[-1].split("</main>")[0]  # read-only
    assert mentee.client.get("/mentoring/units").status_code == 403
    # The coordinator's view of the learner's record carries confirmed sessions only.
    learner_page = coordinator.client.get(f"/records/learners/{mentee.user.id}")
    assert "Topik Rina" not in learner_page.get_data(as_text=True)


def test_anonymising_keeps_the_jp_and_drops_the_names(app: Flask, clock: FrozenClock):
    mentee, mentor = _pair(app)
    record(mentee, mentor)
    decide(mentor, _only_session().id)
    later = sign_in(app, name="Dewi Pending", unit=mentee.user.unit)
    record(later, mentor, topic="Belum dikonfirmasi")
    admin = make_user(Role.ADMIN, name="Admin")
    admin_client = app.test_client()
    AuthActions(admin_client).login(admin.nip)

    def anonymise(user_id: int) -> None:
        token = csrf_token(admin_client, f"/admin/users/{user_id}")
        response = admin_client.post(
            f"/admin/users/{user_id}/anonymise", data={"csrf_token": token}
        )
        assert response.status_code == 302

    anonymise(mentor.user.id)
    db.session.expire_all()
    [row] = record_rows(mentee.user)
    assert row.jp == 2 and "Budi Mentor" not in row.organiser
    assert row.organiser.startswith("Mentor: Pengguna terhapus")
    assert jp_total_for_year(mentee.user, 2026) == 2
    pending = db.session.scalars(
        select(MentoringSession).where(MentoringSession.mentee_id == later.user.id)
    ).one()
    assert pending.status == SessionStatus.REJECTED  # a departed mentor can never confirm it

    anonymise(mentee.user.id)
    db.session.expire_all()
    confirmed = db.session.scalars(
        select(MentoringSession).where(MentoringSession.mentee_id == mentee.user.id)
    ).one()
    assert confirmed.outcome == "" and confirmed.jp == 2
    assert jp_total_for_year(confirmed.mentee, 2026) == 2


def test_my_data_lists_sessions(app: Flask, clock: FrozenClock):
    mentee, mentor = _pair(app)
    record(mentee, mentor)
    data = mentee.client.get("/me/data.json").get_json() or {}
    assert [s["topic"] for s in data["mentoring_sessions"]] == ["Menyusun rencana aksi SAKIP"]
    mentor_data = mentor.client.get("/me/data.json").get_json() or {}
    assert len(mentor_data["mentoring_sessions_as_mentor"]) == 1


def test_refusals_speak_the_readers_language(app: Flask, clock: FrozenClock):
    mentee, mentor = _pair(app)
    token = csrf_token(mentee.client, "/")
    mentee.client.post("/language/en", data={"csrf_token": token, "next": "/"})
    page = record(mentee, mentor, mentor_nip=mentee.user.nip).get_data(as_text=True)
    assert "You cannot be your own mentor." in page
    page = record(mentee, mentor, duration_minutes="600").get_data(as_text=True)
    assert "A session must last 15–480 minutes." in page
    assert "Mentoring confirmation requests" in mentee.client.get("/me/mentoring").get_data(
        as_text=True
    )


def test_confirmed_jp_reach_the_duty_report_and_the_badge(app: Flask, clock: FrozenClock):
    mentee, mentor = _pair(app)
    record(mentee, mentor, duration_minutes="450", starts_at="08:00")
    record(mentee, mentor, duration_minutes="450", starts_at="13:00", kind="coaching")
    first, second = db.session.scalars(select(MentoringSession).order_by(MentoringSession.id))
    decide(mentor, first.id)
    db.session.expire_all()
    total = db.session.get(LearnerJpTotal, (mentee.user.id, 2026))
    assert total is not None and total.jp == 10
    assert db.session.scalars(select(JpBadge)).all() == []

    decide(mentor, second.id)
    db.session.expire_all()
    total = db.session.get(LearnerJpTotal, (mentee.user.id, 2026))
    assert total is not None and total.jp == 20
    [badge] = db.session.scalars(select(JpBadge)).all()
    assert badge.user_id == mentee.user.id and badge.year == 2026
    # A second confirmation of the same session (another tab) changes nothing.
    decide(mentor, second.id)
    db.session.expire_all()
    assert db.session.get(LearnerJpTotal, (mentee.user.id, 2026)).jp == 20  # type: ignore[union-attr]
