"""``flask siasn push`` against the stand-in SIASN: once per record, refusals per row."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Job, JobState, PushState, ReviewStatus, Role, SiasnPerson, SiasnPush
from elearn.siasn.client import SiasnClient
from elearn.siasn.push import push_year
from elearn.siasn.settings import SiasnSettings
from tests.certificates.helpers import complete_course
from tests.conftest import AuthActions, FrozenClock, csrf_token, run_in_parallel
from tests.factories import make_unit, make_user
from tests.siasn.conftest import add_training, configure_siasn, give_codes
from tests.siasn.standin import StandIn


def pushes() -> list[SiasnPush]:
    db.session.expire_all()
    return list(db.session.scalars(select(SiasnPush).order_by(SiasnPush.id)))


def push(runner: FlaskCliRunner, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(args=["siasn", "push", "--year", "2026", *args])


def test_each_countable_record_is_sent_once_and_a_rerun_sends_nothing(
    app: Flask, runner: FlaskCliRunner, standin: StandIn, tmp_path: Path, clock: FrozenClock
):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    give_codes(palu)
    learner, certificate = complete_course(app, tmp_path, unit=palu)
    other = make_user(unit=palu, name="Siti Rahma")
    kursus = add_training(other, name="Seminar Kearsipan", route="seminar")
    diklat = add_training(other, name="PKA Angkatan II", route="pelatihan-struktural")
    add_training(other, name="Belum diverifikasi", status=ReviewStatus.PENDING)
    add_training(other, name="Ditolak", status=ReviewStatus.REJECTED)
    add_training(other, name="Tahun lalu", finished_on=date(2025, 11, 3))
    standin.people = {learner.user.nip: "pns-1", other.nip: "pns-2"}

    result = push(runner)

    assert result.exit_code == 0, result.output
    assert "sent\t3" in result.output
    assert standin.count("/kursus/save") == 2
    assert standin.count("/diklat/save") == 1
    assert standin.count("/upload-dok") == 3
    assert standin.count("/pns/data-utama/") == 2  # one look-up per person, then cached
    saved = {row["namaKursus"] if row["kind"] == "kursus" else row["nomor"]: row
             for row in standin.saved}  # fmt: skip
    assert set(saved) == {certificate.payload["course_title"], "Seminar Kearsipan",
                          "027/45/BAPPEDA/2026"}  # fmt: skip
    assert saved["Seminar Kearsipan"]["pnsOrangId"] == "pns-2"
    assert saved["Seminar Kearsipan"]["path"][0]["dok_uri"].endswith("sertifikat.pdf")
    rows = pushes()
    assert {(r.certificate_id, r.training_id, r.shape) for r in rows} == {
        (certificate.id, None, "kursus"),
        (None, kursus.id, "kursus"),
        (None, diklat.id, "diklat"),
    }
    assert all(r.state == PushState.SENT for r in rows)
    assert {r.siasn_id for r in rows} == {row["id"] for row in standin.saved}
    assert db.session.get(SiasnPerson, other.id).pns_orang_id == "pns-2"  # type: ignore[union-attr]

    calls = len(standin.calls)
    again = push(runner)

    assert again.exit_code == 0, again.output
    assert "sent\t3" in again.output
    assert len(standin.calls) == calls  # not even a token request
    assert len(pushes()) == 3


def test_tokens_that_expire_mid_run_are_renewed(
    app: Flask, runner: FlaskCliRunner, standin: StandIn
):
    palu = make_unit(code="palu")
    give_codes(palu)
    people = [make_user(unit=palu, name=f"Peserta {n}") for n in range(3)]
    for user in people:
        add_training(user, name=f"Kursus {user.id}", route="kursus")
    standin.people = {user.nip: f"pns-{user.id}" for user in people}
    standin.expire_after_saves = 1

    result = push(runner)

    assert result.exit_code == 0, result.output
    assert "sent\t3" in result.output
    assert len(standin.saved) == 3  # the save refused for its token was not counted twice
    assert standin.count("/oauth2/token") == 2
    assert standin.count("openid-connect/token") == 2


def test_refusals_are_reported_per_row_and_the_others_still_go(
    app: Flask, runner: FlaskCliRunner, standin: StandIn
):
    palu = make_unit(code="palu")
    give_codes(palu)
    known = make_user(unit=palu, name="Andi Pratama")
    unknown = make_user(unit=palu, name="Budi Santoso")
    add_training(known, name="Kursus Arsip Digital", route="kursus")
    add_training(known, name="Kursus Ganda", route="kursus")
    add_training(unknown, name="Kursus Statistik", route="kursus")
    standin.people = {known.nip: "pns-andi"}
    standin.refuse_names = {"Kursus Ganda"}

    result = push(runner)

    assert result.exit_code == 0, result.output
    assert "sent\t1" in result.output
    assert "refused\t2" in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("refused\t#")]
    assert len(lines) == 2
    assert any("Budi Santoso" in line and "NIP tidak ditemukan di SIASN" in line for line in lines)
    assert any("Kursus Ganda" in line and "sudah ada pada riwayat" in line for line in lines)
    assert unknown.nip not in result.output  # masked
    assert [row["namaKursus"] for row in standin.saved] == ["Kursus Arsip Digital"]

    # The evaluator of the instansi sees the same refusals on the page.
    evaluator = make_user(Role.EVALUATOR, unit=palu, scope=[palu], name="Evaluator")
    client = app.test_client()
    AuthActions(client).login(evaluator.nip)
    page = client.get("/siasn/?year=2026").get_data(as_text=True)
    assert "NIP tidak ditemukan di SIASN" in page
    assert "namaKursus sudah ada pada riwayat" in page
    assert "Kursus Statistik" in page

    # A rerun does not send refused rows again unless asked to.
    calls = len(standin.calls)
    assert push(runner).exit_code == 0
    assert len(standin.calls) == calls
    standin.people[unknown.nip] = "pns-budi"
    assert "sent\t2" in push(runner, "--retry-refused").output
    assert [row["namaKursus"] for row in standin.saved] == [
        "Kursus Arsip Digital", "Kursus Statistik"
    ]  # fmt: skip


def test_missing_codes_refuse_the_row_without_calling_siasn(
    app: Flask, runner: FlaskCliRunner, standin: StandIn
):
    palu = make_unit(code="palu")
    user = make_user(unit=palu)
    add_training(user, route="kursus")
    standin.people = {user.nip: "pns-1"}

    result = push(runner)

    assert "Data belum lengkap: instansiId, jenisKursus, lokasiId" in result.output
    assert standin.calls == []


def test_siasn_down_fails_the_job_and_its_retry_sends_only_the_rest(
    app: Flask, runner: FlaskCliRunner, standin: StandIn, clock: FrozenClock
):
    palu = make_unit(code="palu")
    give_codes(palu)
    users = [make_user(unit=palu, name=f"Peserta {n}") for n in range(2)]
    for user in users:
        add_training(user, name=f"Kursus {user.id}", route="kursus")
    standin.people = {user.nip: f"pns-{user.id}" for user in users}
    standin.fail_next = 1  # one 503: the client's own retry gets past it

    first = push(runner, "--instansi", "palu")
    assert "sent\t2" in first.output
    assert len(standin.saved) == 2

    later = add_training(users[0], name="Kursus Susulan", route="kursus")
    standin.fail_next = 100  # down for longer than the client retries
    failed = push(runner, "--instansi", "palu")

    assert failed.exit_code == 1
    assert "failed" in failed.output
    job = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
    assert job is not None and job.state == JobState.FAILED
    row = db.session.scalar(select(SiasnPush).where(SiasnPush.training_id == later.id))
    assert row is not None and row.state == PushState.PENDING

    standin.fail_next = 0
    clock.advance(hours=1)  # past the job's backoff
    assert runner.invoke(args=["jobs", "run-due"]).exit_code == 0
    db.session.expire_all()
    assert db.session.get_one(Job, job.id).state == JobState.DONE
    assert [row["namaKursus"] for row in standin.saved][-1] == "Kursus Susulan"
    assert len(standin.saved) == 3


def test_push_without_credentials_stops_at_once(app: Flask, runner: FlaskCliRunner):
    configure_siasn(
        app,
        SIASN_CONSUMER_KEY="",
        SIASN_SSO_PASSWORD="",
        SIASN_CONSUMER_SECRET="x",
        SIASN_SSO_CLIENT_ID="x",
        SIASN_SSO_USERNAME="x",
    )

    result = push(runner)

    assert result.exit_code == 1
    assert "SIASN credentials not set: SIASN_CONSUMER_KEY, SIASN_SSO_PASSWORD" in result.output


def test_an_admin_pushes_from_the_page(app: Flask, standin: StandIn):
    palu = make_unit(code="palu")
    give_codes(palu)
    user = make_user(unit=palu)
    add_training(user, route="kursus")
    standin.people = {user.nip: "pns-1"}
    admin = make_user(Role.ADMIN, unit=palu, name="Admin")
    evaluator = make_user(Role.EVALUATOR, unit=palu, scope=[palu], name="Evaluator")
    client = app.test_client()
    AuthActions(client).login(evaluator.nip)
    assert "Kirim ke SIASN" not in client.get("/siasn/?year=2026").get_data(as_text=True)
    token = csrf_token(client, "/siasn/?year=2026")
    assert client.post("/siasn/push?year=2026", data={"csrf_token": token}).status_code == 403
    assert standin.saved == []

    AuthActions(client).logout()
    AuthActions(client).login(admin.nip)
    assert "Kirim ke SIASN" in client.get("/siasn/?year=2026").get_data(as_text=True)
    token = csrf_token(client, "/siasn/?year=2026")
    response = client.post("/siasn/push?year=2026", data={"csrf_token": token})

    assert response.status_code == 302
    assert len(standin.saved) == 1
    assert [p.state for p in pushes()] == [PushState.SENT]


def test_two_push_runs_at_once_send_each_record_once(app: Flask, standin: StandIn):
    palu = make_unit(code="palu")
    give_codes(palu)
    users = [make_user(unit=palu, name=f"Peserta {n}") for n in range(4)]
    for user in users:
        add_training(user, name=f"Kursus {user.id}", route="kursus")
        add_training(user, name=f"Seminar {user.id}", route="seminar")
    standin.people = {user.nip: f"pns-{user.id}" for user in users}
    settings = SiasnSettings.from_config(app.config)

    def run() -> None:
        push_year(
            SiasnClient(settings),
            2026,
            None,
            default_zone="Asia/Makassar",
            document_for=lambda record: ("bukti.pdf", b"%PDF-1.4\n", "application/pdf"),
            lease=timedelta(minutes=10),
        )

    errors = run_in_parallel(app, 2, run)

    assert errors == []
    names = sorted(row["namaKursus"] for row in standin.saved)
    assert len(names) == 8 and len(set(names)) == 8
    assert all(p.state == PushState.SENT for p in pushes())


def test_push_of_one_instansi_leaves_the_others(
    app: Flask, runner: FlaskCliRunner, standin: StandIn
):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    give_codes(palu)
    give_codes(mamuju)
    dinas = make_unit("Dinas Kesehatan", parent=palu, code="palu-dinkes")
    in_palu = make_user(unit=dinas, name="Orang Palu")
    in_mamuju = make_user(unit=mamuju, name="Orang Mamuju")
    add_training(in_palu, name="Kursus Palu", route="kursus")
    add_training(in_mamuju, name="Kursus Mamuju", route="kursus")
    standin.people = {in_palu.nip: "pns-palu", in_mamuju.nip: "pns-mamuju"}

    result = push(runner, "--instansi", "palu")

    assert "sent\t1" in result.output
    assert [row["namaKursus"] for row in standin.saved] == ["Kursus Palu"]
    assert [row["pnsOrangId"] for row in standin.saved] == ["pns-palu"]
    assert push(runner, "--instansi", "palu-dinkes").exit_code != 0  # not an instansi
    assert "sent\t2" in push(runner).output


def test_refused_credentials_kill_the_job_without_sending(
    app: Flask, runner: FlaskCliRunner, standin: StandIn
):
    palu = make_unit(code="palu")
    give_codes(palu)
    user = make_user(unit=palu)
    add_training(user, route="kursus")
    standin.people = {user.nip: "pns-1"}
    configure_siasn(app, SIASN_SSO_PASSWORD="salah")

    result = push(runner)

    assert result.exit_code == 1
    assert "sso token refused: HTTP 401" in result.output
    job = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
    assert job is not None and job.state == JobState.DEAD
    assert standin.saved == []
    assert [p.state for p in pushes()] == [PushState.PENDING]


def test_a_save_whose_answer_is_lost_is_not_sent_again(
    app: Flask, runner: FlaskCliRunner, standin: StandIn
):
    palu = make_unit(code="palu")
    give_codes(palu)
    user = make_user(unit=palu, name="Andi Pratama")
    add_training(user, name="Kursus Lambat", route="kursus")
    add_training(user, name="Kursus Cepat", route="kursus")
    standin.people = {user.nip: "pns-1"}
    configure_siasn(app, SIASN_TIMEOUT_SECONDS=1)
    standin.slow_saves = 1.5  # SIASN stores it, but answers after we stopped waiting

    result = push(runner)

    assert result.exit_code == 0, result.output
    assert "uncertain\t2" in result.output
    assert "Jawaban SIASN tidak diterima (ReadTimeout" in result.output
    assert len(standin.saved) == 2  # each went out once, and only once
    standin.slow_saves = 0
    again = push(runner, "--retry-refused")
    assert "uncertain\t2" in again.output
    assert len(standin.saved) == 2
    # Once someone checked SIASN (and removed what it had), they can be sent again.
    assert "sent\t2" in push(runner, "--retry-uncertain").output
    assert len(standin.saved) == 4


def test_a_gateway_that_refuses_fresh_tokens_stops_the_job(
    app: Flask, runner: FlaskCliRunner, standin: StandIn
):
    palu = make_unit(code="palu")
    give_codes(palu)
    user = make_user(unit=palu)
    add_training(user, route="kursus")
    standin.people = {user.nip: "pns-1"}

    class Forgetful(set[str]):
        def add(self, element: str) -> None:  # the gateway forgets what it issued
            pass

    standin.gateway_tokens = Forgetful()

    result = push(runner)

    assert result.exit_code == 1
    assert "pns: HTTP 401 with fresh tokens" in result.output
    assert standin.count("/oauth2/token") == 2  # signed in again once, not in a loop
    assert [p.state for p in pushes()] == [PushState.PENDING]
