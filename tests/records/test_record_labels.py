"""People read labels, never slugs: learning routes, competency types and review states.

The career record keeps the Indonesian terms as data (the PDF and the SIASN CSV use them);
pages show each in the reader's language.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from elearn import clock
from elearn.assignments.service import AssignmentData, create_assignment
from elearn.assignments.targets import Target
from elearn.extensions import db
from elearn.models import Course, Role, TargetKind
from elearn.settings import current_settings
from tests.certificates.helpers import complete_course
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_unit, make_user
from tests.learning.helpers import sign_in
from tests.records.test_records import coordinator_client, report

SLUGS = ("bimbingan-teknis", "sosial-kultural", "pelatihan-teknis", ">teknis<", "e-learning ·")


def _in_english(client: FlaskClient) -> None:
    token = csrf_token(client, "/")
    client.post("/language/en", data={"csrf_token": token, "next": "/"})


def _no_slugs(page: str) -> None:
    shown = [slug for slug in SLUGS if slug in page]
    assert not shown, shown


def test_career_record_shows_labels_in_the_readers_language(app: Flask, tmp_path: Path) -> None:
    learner, _ = complete_course(app, tmp_path)  # an e-learning row, competency "teknis"
    assert report(learner, competency="sosial-kultural").status_code == 302

    page = learner.client.get("/me/records").get_data(as_text=True)
    assert "<td>E-learning · Teknis</td>" in page
    assert "<td>Bimbingan teknis · Sosial kultural</td>" in page
    assert "<td>Menunggu verifikasi</td>" in page and "<td>Terverifikasi</td>" in page
    _no_slugs(page)

    _in_english(learner.client)
    page = learner.client.get("/me/records").get_data(as_text=True)
    assert "<td>E-learning · Technical</td>" in page
    assert "<td>Technical guidance (bimtek) · Socio-cultural</td>" in page
    assert "<td>Awaiting verification</td>" in page and "<td>Verified</td>" in page
    form = learner.client.get("/me/records/new").get_data(as_text=True)
    assert ">Socio-cultural</option>" in form and ">Technical training</option>" in form
    assert "Sosial kultural" not in form and "Pelatihan teknis" not in form


def test_the_siasn_csv_keeps_the_indonesian_terms(app: Flask, tmp_path: Path) -> None:
    learner, _ = complete_course(app, tmp_path)
    assert report(learner).status_code == 302
    _in_english(learner.client)
    csv = learner.client.get("/me/records.csv").get_data(as_text=True)
    # SIASN's jenis diklat 8 comes from the Indonesian label, whatever the page's language.
    assert '"8","Sertifikat"' in csv
    assert '"Bimbingan teknis","teknis","Eksternal","Menunggu verifikasi"' in csv


def test_coordinator_review_shows_labels(app: Flask) -> None:
    palu = make_unit(code="palu")
    learner = sign_in(app, unit=palu)
    assert report(learner, competency="sosial-kultural").status_code == 302
    client = coordinator_client(app, palu)
    page = client.get("/records/review").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Bimbingan teknis · Sosial kultural" in page
    _no_slugs(page)
    page = client.get(f"/records/learners/{learner.user.id}").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Bimbingan teknis · Sosial kultural" in page
    _no_slugs(page)


def test_assignment_list_names_the_course_not_its_slug(app: Flask, tmp_path: Path) -> None:
    learner, _ = complete_course(app, tmp_path)
    course = db.session.scalar(select(Course).where(Course.slug == "dasar-proyek"))
    assert course is not None and course.published_version is not None
    unit = learner.user.unit
    admin = make_user(Role.ADMIN, unit=unit, name="Admin")
    data = AssignmentData(
        course_id=course.id,
        reason="Wajib 2026",
        starts_on=date(2026, 1, 1),
        due_on=date(2026, 12, 31),
        targets=[Target(TargetKind.UNIT, unit_id=unit.id, include_subunits=True)],
    )
    create_assignment(data, admin, current_settings(), clock.now())
    db.session.commit()
    client = app.test_client()
    AuthActions(client).login(admin.nip)
    page = client.get("/coordinator/assignments/").get_data(as_text=True)
    assert f'<span class="muted">{course.published_version.title}</span>' in page
    assert f'<span class="muted">{course.slug}</span>' not in page


def test_a_refused_report_says_why_in_the_readers_language(app: Flask) -> None:
    learner = sign_in(app, unit=make_unit(code="palu"))
    dates = {"started_on": "2026-02-04", "finished_on": "2026-02-02"}
    page = report(learner, **dates).get_data(as_text=True)
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai." in page
    _in_english(learner.client)
    page = report(learner, **dates).get_data(as_text=True)
    assert "The end date cannot be before the start date." in page
    assert "Tanggal selesai" not in page
