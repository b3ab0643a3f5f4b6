"""Career records: JP per year, external trainings and their review, unit scoping."""

import io
from datetime import UTC, date, datetime, time
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from elearn.certificates.issuance import revoke
from elearn.extensions import db
from elearn.models import (
    ExternalTraining,
    JpBadge,
    MentoringSession,
    ReviewStatus,
    Role,
    SessionKind,
    SessionStatus,
    User,
)
from elearn.records.entries import entries_of, jp_total_for_year, record_rows, yearly_totals
from elearn.settings import with_changes
from tests.certificates.helpers import complete_course
from tests.conftest import AuthActions, FrozenClock, csrf_token
from tests.factories import make_unit, make_user
from tests.learning.helpers import Learner, sign_in

PDF = b"%PDF-1.4\n%test evidence\n"


def report(learner: Learner, **fields: object):  # type: ignore[no-untyped-def]
    data = {
        "name": "Bimtek SAKIP",
        "organiser": "Bappeda Provinsi Sulawesi Tengah",
        "route": "bimbingan-teknis",
        "competency": "teknis",
        "started_on": "2026-02-02",
        "finished_on": "2026-02-04",
        "jp": "12",
        "certificate_number": "027/45/BAPPEDA/2026",
        **fields,
    }
    data.setdefault("evidence", (io.BytesIO(PDF), "sertifikat.pdf"))
    token = csrf_token(learner.client, "/me/records/new")
    return learner.client.post(
        "/me/records/new", data={"csrf_token": token, **data}, content_type="multipart/form-data"
    )


def coordinator_client(app: Flask, unit) -> object:  # type: ignore[no-untyped-def]
    coordinator = make_user(Role.COORDINATOR, unit=unit, scope=[unit], name="Koordinator")
    client = app.test_client()
    AuthActions(client).login(coordinator.nip)
    return client


def test_jp_totals_across_years_and_after_revocation(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    clock.current = datetime(2025, 12, 31, 15, 30, tzinfo=UTC)  # 23:30 WITA: still 2025
    learner, first = complete_course(app, tmp_path)
    clock.current = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 WITA: 2026 already
    complete_course(app, tmp_path, learner=learner, slug="lanjutan")
    rows = record_rows(learner.user)
    totals = {t.year: t.total for t in yearly_totals(rows, 20)}
    assert totals == {2025: 2, 2026: 2}
    admin = make_user(Role.ADMIN, name="Admin")
    revoke(first, admin, "Salah peserta")
    db.session.commit()
    assert jp_total_for_year(learner.user, 2025) == 0
    assert jp_total_for_year(learner.user, 2026) == 2
    page = learner.client.get("/me/records").get_data(as_text=True)
    assert "Dicabut" in page


def test_external_training_counts_once_verified(app: Flask, tmp_path: Path, clock: FrozenClock):
    palu = make_unit(code="palu")
    learner = sign_in(app, unit=palu)
    response = report(learner)
    assert response.status_code == 302
    assert jp_total_for_year(learner.user, 2026) == 0  # pending
    training = db.session.scalar(select(ExternalTraining))

    client = coordinator_client(app, palu)
    page = client.get("/records/review").get_data(as_text=True)
    assert "Bimtek SAKIP" in page
    assert client.get(f"/records/trainings/{training.id}/evidence").data == PDF
    token = csrf_token(client, "/records/review")
    client.post(
        f"/records/trainings/{training.id}/review",
        data={"csrf_token": token, "decision": "verify", "note": ""},
    )
    db.session.expire_all()
    assert training.status == ReviewStatus.VERIFIED
    assert jp_total_for_year(learner.user, 2026) == 12
    record = learner.client.get("/me/records").get_data(as_text=True)
    assert "12</strong> / 20 JP" in record and "Terverifikasi" in record


def test_rejection_needs_a_reason(app: Flask, clock: FrozenClock):
    palu = make_unit(code="palu")
    learner = sign_in(app, unit=palu)
    report(learner)
    training = db.session.scalar(select(ExternalTraining))
    client = coordinator_client(app, palu)
    token = csrf_token(client, "/records/review")
    url = f"/records/trainings/{training.id}/review"
    client.post(url, data={"csrf_token": token, "decision": "reject", "note": ""})
    db.session.expire_all()
    assert training.status == ReviewStatus.PENDING
    client.post(
        url, data={"csrf_token": token, "decision": "reject", "note": "Bukti tidak terbaca"}
    )
    db.session.expire_all()
    assert training.status == ReviewStatus.REJECTED


def test_bad_reports_are_refused_with_reasons(app: Flask, clock: FrozenClock):
    learner = sign_in(app)
    page = report(learner, finished_on="2026-01-01").get_data(as_text=True)
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai." in page
    fake = (io.BytesIO(b"<html>bukan pdf</html>"), "bukti.pdf")
    assert "Isi berkas bukti tidak sesuai" in report(learner, evidence=fake).get_data(as_text=True)
    # A small limit keeps the upload below the size at which Werkzeug spools to disk.
    with_changes(app, evidence_max_bytes=100_000)
    big = (io.BytesIO(b"%PDF-" + b"0" * 200_000), "besar.pdf")
    assert "Bukti paling besar" in report(learner, evidence=big).get_data(as_text=True)
    future = report(learner, started_on="2026-05-01", finished_on="2026-05-02")
    assert "belum selesai" in future.get_data(as_text=True)
    assert db.session.scalar(select(ExternalTraining)) is None


def test_coordinators_see_only_their_units(app: Flask, clock: FrozenClock):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    learner = sign_in(app, unit=palu, name="Andi Palu")
    report(learner)
    training = db.session.scalar(select(ExternalTraining))
    outsider = coordinator_client(app, mamuju)
    assert "Bimtek SAKIP" not in outsider.get("/records/review").get_data(as_text=True)
    assert outsider.get(f"/records/trainings/{training.id}/evidence").status_code == 404
    assert outsider.get(f"/records/learners/{learner.user.id}").status_code == 404
    assert "Andi Palu" not in outsider.get("/records/learners").get_data(as_text=True)
    token = csrf_token(outsider, "/")
    response = outsider.post(
        f"/records/trainings/{training.id}/review", data={"csrf_token": token, "decision": "verify"}
    )
    assert response.status_code == 404
    insider = coordinator_client(app, palu)
    assert insider.get(f"/records/learners/{learner.user.id}").status_code == 200
    other_learner = sign_in(app, unit=palu, name="Lain")
    assert other_learner.client.get(f"/records/trainings/{training.id}/evidence").status_code in (
        403,
        404,
    )


def test_csv_export_is_siasn_shaped_and_safe(app: Flask, clock: FrozenClock):
    learner = sign_in(app)
    report(learner, name='=HYPERLINK("http://x","klik")')
    response = learner.client.get("/me/records.csv")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    header, row = text.lstrip("\ufeff").splitlines()[:2]
    assert header.startswith('"nipBaru","namaKursus","institusiPenyelenggara","jenisDiklatId"')
    assert f'"{learner.user.nip}"' in row
    assert "\"'=HYPERLINK(" in row
    assert '"02-02-2026","04-02-2026"' in row and '"8"' in row  # bimtek → jenisDiklatId 8
    pdf = learner.client.get("/me/records.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")


def test_dashboard_and_record_list_trainings_without_their_evidence(app: Flask, clock: FrozenClock):
    learner = sign_in(app)
    report(learner, name="Bimtek SAKIP", finished_on="2026-02-04")
    report(
        learner,
        name="Workshop SPBE",
        started_on="2026-01-12",
        finished_on="2026-01-13",
        certificate_number="12/SPBE/2026",
    )
    for training in db.session.scalars(select(ExternalTraining)):
        training.status = ReviewStatus.VERIFIED
    db.session.commit()

    dashboard = learner.client.get("/me")
    record = learner.client.get("/me/records")

    # The two verified trainings count on both pages (the evidence is never read there:
    # it is deferred with raiseload, so reading it would be a 500).
    assert dashboard.status_code == record.status_code == 200
    assert '<strong class="big">24</strong> / 20 JP' in dashboard.get_data(as_text=True)
    page = record.get_data(as_text=True)
    assert page.index("Bimtek SAKIP") < page.index("Workshop SPBE")  # newest first
    assert learner.client.get(f"/records/trainings/{training.id}/evidence").data == PDF


def test_record_entries_come_as_plain_rows_and_keep_no_objects(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    """Certificates, badges, confirmed sessions and trainings are read as plain rows for
    /me and the record: the pages only read them, and they list and count the same."""
    learner, certificate = complete_course(app, tmp_path)
    mentor = make_user(name="Budi Mentor")
    report(learner, name="Workshop SPBE", jp="3")
    db.session.add_all(
        [
            JpBadge(
                code="lencana-2025", user_id=learner.user.id, year=2025, jp=21,
                issued_at=datetime(2026, 1, 2, tzinfo=UTC), payload={}, signature="-", key_id="-",
            ),
            MentoringSession(
                mentee_id=learner.user.id, mentor_id=mentor.id, kind=SessionKind.MENTORING,
                held_on=date(2026, 3, 2), starts_at=time(9), duration_minutes=90,
                topic="Menyusun SAKIP", competency="manajerial", status=SessionStatus.CONFIRMED,
                jp=2,
            ),
        ]
    )  # fmt: skip
    for training in db.session.scalars(select(ExternalTraining)):
        training.status = ReviewStatus.VERIFIED
    db.session.commit()
    learner_id, number = learner.user.id, certificate.number
    db.session.expunge_all()

    entries = entries_of(db.session.get_one(User, learner_id))

    assert [c.number for c in entries.certificates] == [number]
    assert [(b.code, b.year) for b in entries.badges] == [("lencana-2025", 2025)]
    assert [(s.topic, name) for s, name in entries.sessions] == [("Menyusun SAKIP", "Budi Mentor")]
    assert [t.name for t in entries.trainings] == ["Workshop SPBE"]
    held = {type(o).__name__ for o in db.session.identity_map.values()}
    assert not held & {"Certificate", "JpBadge", "MentoringSession", "ExternalTraining"}, held
    assert '<strong class="big">7</strong> / 20 JP' in learner.client.get("/me").get_data(
        as_text=True
    )  # 2 from the course, 3 from the training, 2 from the session
    page = learner.client.get("/me/records").get_data(as_text=True)
    assert number in page and "Pembelajar ASN 2025" in page and "Workshop SPBE" in page
    assert "Mentoring: Menyusun SAKIP" in page and "Mentor: Budi Mentor" in page
