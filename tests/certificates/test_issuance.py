"""Issuing exactly once, public verification, revocation."""

import re
from dataclasses import replace
from pathlib import Path

from flask import Flask, template_rendered
from jinja2 import Template
from sqlalchemy import func, select

from elearn.certificates.issuance import issue_certificate, issue_certificates_of
from elearn.extensions import db
from elearn.models import Certificate, Enrollment, ItemKind, QuizAttempt, Role, utcnow
from elearn.settings import current_settings, with_changes
from tests.certificates.helpers import complete_course
from tests.conftest import AuthActions, csrf_token, run_in_parallel, without_csrf_tokens
from tests.factories import make_unit, make_user
from tests.learning.helpers import sign_in


def test_completion_issues_one_signed_certificate(app: Flask, tmp_path: Path):
    learner, certificate = complete_course(app, tmp_path)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", certificate.code)  # 128 random bits
    assert certificate.number == "800/BKPSDM/2026/00001" or certificate.number.startswith(
        "800/BKPSDM/"
    )
    payload = certificate.payload
    assert payload["learner_name"] == learner.user.full_name and payload["jp"] == 2
    assert payload["nip"] == learner.user.nip and payload["competency"] == "teknis"
    # A second completion call changes nothing.
    enrollment = db.session.scalar(select(Enrollment))
    assert issue_certificate(enrollment, current_settings()).id == certificate.id
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_numbers_follow_the_configured_pattern_and_sequence(app: Flask, tmp_path: Path):
    numbering = replace(
        current_settings().certificates,
        number_pattern="{prefix}/{sequence:03d}/{year}",
        number_prefix="862",
    )
    with_changes(app, certificates=numbering)
    _, first = complete_course(app, tmp_path)
    _, second = complete_course(app, tmp_path)
    year = first.year
    assert (first.number, second.number) == (f"862/001/{year}", f"862/002/{year}")


def test_parallel_issuance_gives_one_certificate(app: Flask, tmp_path: Path):
    from tests.certificates.helpers import NO_QUIZZES
    from tests.learning.helpers import publish_course

    publish_course(tmp_path, **NO_QUIZZES)
    learner = sign_in(app)
    learner.enroll()
    enrollment = db.session.scalar(select(Enrollment))
    from elearn.models import utcnow

    enrollment.completed_at = utcnow()  # completed, but no certificate yet
    db.session.commit()
    enrollment_id = enrollment.id

    settings = current_settings()

    def issue() -> None:
        issue_certificate(db.session.get(Enrollment, enrollment_id), settings)

    errors = run_in_parallel(app, 6, issue)
    assert errors == []
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_the_certificate_names_the_average_of_each_quizs_best_passed_score(
    app: Flask, tmp_path: Path
):
    """Read with the enrolment by the certificate job, or on its own by the sweep's path:
    the same summary, from the best passed attempt of each quiz; a failed one does not count,
    even with a higher score (a pass mark raised since)."""
    from tests.learning.helpers import publish_course

    version = publish_course(tmp_path)
    quizzes = {i.name: i.id for i in version.items if i.kind == ItemKind.QUIZ}
    scores = {
        "kuis-siklus": [(80.0, True), (95.0, False), (90.0, True)],
        "kuis-akhir": [(73.0, True)],
    }
    enrollment_ids = []
    for _ in range(2):
        learner = sign_in(app)
        learner.enroll()
        enrollment = db.session.scalars(
            select(Enrollment).where(Enrollment.user_id == learner.user.id)
        ).one()
        for name, tries in scores.items():
            for number, (score, passed) in enumerate(tries, start=1):
                db.session.add(
                    QuizAttempt(
                        enrollment_id=enrollment.id,
                        item_id=quizzes[name],
                        number=number,
                        paper=[],
                        submitted_at=utcnow(),
                        score=score,
                        passed=passed,
                    )
                )
        enrollment.completed_at = utcnow()
        enrollment_ids.append(enrollment.id)
    db.session.commit()
    settings = current_settings()

    issue_certificates_of(enrollment_ids[:1], settings)  # the job's path
    alone = issue_certificate(db.session.get_one(Enrollment, enrollment_ids[1]), settings)
    db.session.commit()

    summaries = db.session.scalars(select(Certificate.payload).order_by(Certificate.id)).all()
    assert alone is not None and len(summaries) == 2
    assert [p["score_summary"] for p in summaries] == ["Rata-rata nilai kuis 81,5 (2 kuis)"] * 2


def test_verification_page_valid_shows_only_what_is_needed(app: Flask, tmp_path: Path):
    learner, certificate = complete_course(app, tmp_path)
    anonymous = app.test_client()
    page = anonymous.get(f"/certificates/{certificate.code}").get_data(as_text=True)
    assert "SAH" in page and learner.user.full_name in page
    assert learner.user.nip not in page and learner.user.nip[:6] + "**********" in page
    assert "2 JP" in page and certificate.number in page


def test_the_verification_page_reads_the_certificate_as_a_plain_row(app: Flask, tmp_path: Path):
    """The public page only reads: the certificate comes as a plain row, no certificate,
    version or course object held while it renders, and each viewer sees what they saw."""
    learner, certificate = complete_course(app, tmp_path)
    url = f"/certificates/{certificate.code}"
    held: list[set[str]] = []

    def note(_app: Flask, template: Template, context: dict[str, object]) -> None:
        if template.name == "certificates/verify.html":
            held.append({type(o).__name__ for o in db.session.identity_map.values()})

    with template_rendered.connected_to(note, app):
        own = learner.client.get(url).get_data(as_text=True)
        public = app.test_client().get(url).get_data(as_text=True)
        certificate.revoked_at = utcnow()
        certificate.revoked_reason = "Data <salah>"
        db.session.commit()
        revoked = app.test_client().get(url).get_data(as_text=True)

    assert len(held) == 3, held
    assert not set().union(*held) & {"Certificate", "CourseVersion", "Course"}, held
    assert "<strong>SAH</strong>" in own and certificate.number in own
    assert "Unduh PDF" in own and f"{url}/credential" in own and "Cabut sertifikat" not in own
    assert "<strong>SAH</strong>" in public and "Unduh PDF" not in public
    assert "DICABUT" in revoked and "Data &lt;salah&gt;" in revoked
    assert "<strong>SAH</strong>" not in revoked


def test_unknown_and_malformed_codes_look_the_same(app: Flask):
    client = app.test_client()
    unknown = client.get("/certificates/AAAAAAAAAAAAAAAAAAAAAA")
    malformed = client.get("/certificates/<script>")
    assert unknown.status_code == malformed.status_code == 404

    # Only the echo of the page's own address (the language switch) may differ, and the CSRF
    # tokens, which carry the second they were signed in.
    def body(response) -> str:  # type: ignore[no-untyped-def]
        page = re.sub(r'name="next" value="[^"]*"', "", response.get_data(as_text=True))
        return without_csrf_tokens(page)

    assert body(unknown) == body(malformed)


def test_tampered_stored_certificate_is_flagged(app: Flask, tmp_path: Path):
    _, certificate = complete_course(app, tmp_path)
    certificate.payload = {**certificate.payload, "jp": 40}
    db.session.commit()
    page = app.test_client().get(f"/certificates/{certificate.code}").get_data(as_text=True)
    assert "TIDAK SAH" in page


def test_a_certificate_tampered_after_a_valid_check_is_flagged(app: Flask, tmp_path: Path):
    # Signature checks are remembered; a changed payload must still be checked afresh.
    _, certificate = complete_course(app, tmp_path)
    url = f"/certificates/{certificate.code}"
    assert "TIDAK SAH" not in app.test_client().get(url).get_data(as_text=True)
    original = certificate.payload
    certificate.payload = {**original, "jp": 40}
    db.session.commit()
    assert "TIDAK SAH" in app.test_client().get(url).get_data(as_text=True)
    certificate.payload = original
    db.session.commit()
    assert "TIDAK SAH" not in app.test_client().get(url).get_data(as_text=True)


def test_pdf_and_credential_downloads_are_for_the_owner(app: Flask, tmp_path: Path):
    learner, certificate = complete_course(app, tmp_path)
    pdf = learner.client.get(f"/certificates/{certificate.code}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    credential = learner.client.get(f"/certificates/{certificate.code}/credential")
    assert credential.status_code == 200 and credential.data.count(b".") == 2
    other = sign_in(app, name="Lain")
    assert other.client.get(f"/certificates/{certificate.code}/pdf").status_code == 404
    assert other.client.get(f"/certificates/{certificate.code}/credential").status_code == 404


def test_revocation_by_course_coordinator_stops_jp(app: Flask, tmp_path: Path):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    from elearn.content.parse import parse_course
    from elearn.content.publish import store_version
    from tests.certificates.helpers import NO_QUIZZES
    from tests.content.course_fixtures import write_course

    store_version(
        parse_course(write_course(tmp_path, **NO_QUIZZES)), unit=palu, actor=None, publish=True
    )
    db.session.commit()
    learner, certificate = complete_course(app, tmp_path, unit=palu)
    assert "2</strong> / 20 JP" in learner.client.get("/me").get_data(as_text=True)

    outsider = make_user(Role.COORDINATOR, unit=mamuju, scope=[mamuju], name="Yusuf")
    client = app.test_client()
    AuthActions(client).login(outsider.nip)
    url = f"/certificates/{certificate.code}/revoke"
    token = csrf_token(client, "/")
    assert client.post(url, data={"csrf_token": token, "reason": "x"}).status_code == 404

    coordinator = make_user(Role.COORDINATOR, unit=palu, scope=[palu], name="Siti")
    client = app.test_client()
    AuthActions(client).login(coordinator.nip)
    token = csrf_token(client, f"/certificates/{certificate.code}")
    client.post(url, data={"csrf_token": token, "reason": "Plagiarisme tugas akhir"})
    page = app.test_client().get(f"/certificates/{certificate.code}").get_data(as_text=True)
    assert "DICABUT" in page and "Plagiarisme tugas akhir" in page
    assert "0</strong> / 20 JP" in learner.client.get("/me").get_data(as_text=True)


def test_verification_is_rate_limited(limited_app: Flask):
    client = limited_app.test_client()
    codes = [client.get("/certificates/AAAAAAAAAAAAAAAAAAAAAA").status_code for _ in range(31)]
    assert codes[:30] == [404] * 30 and codes[30] == 429
