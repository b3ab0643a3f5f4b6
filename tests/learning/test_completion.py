"""After completion: the completion page with the certificate, /me's links, and the landing."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Certificate
from tests.certificates.helpers import NO_QUIZZES, complete_course
from tests.conftest import AuthActions
from tests.factories import make_user
from tests.learning.helpers import answer_form, publish_course, sign_in

DONE = "/learn/dasar-proyek/done"


def test_finishing_the_last_module_lands_on_the_certificate(app: Flask, tmp_path: Path):
    publish_course(tmp_path, **NO_QUIZZES)
    learner = sign_in(app)
    learner.enroll()
    assert learner.client.get(DONE).status_code == 404  # not completed yet
    response = learner.post(
        "/learn/dasar-proyek/siklus/complete", page="/learn/dasar-proyek/siklus"
    )
    assert response.headers["Location"] == DONE

    page = learner.client.get(DONE).get_data(as_text=True)
    assert "Selamat! Anda telah menyelesaikan kursus ini." in page
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None and certificate.user_id == learner.user.id
    code = certificate.code
    assert f'href="/certificates/{code}">Lihat sertifikat</a>' in page
    assert f'href="/certificates/{code}/pdf">Unduh PDF</a>' in page
    assert f'href="http://localhost/certificates/{code}">' in page  # the verify link
    assert f"Nomor sertifikat: {certificate.number}" in page
    assert 'href="/me/records">Lihat riwayat</a>' in page
    assert 'href="/learn/dasar-proyek/evaluation">Beri penilaian kursus</a>' in page

    # After the optional evaluation the page says it was sent.
    learner.post(
        "/learn/dasar-proyek/evaluation",
        {"relevance": "5", "clarity": "4", "applicability": "4", "comment": ""},
        page="/learn/dasar-proyek/evaluation",
    )
    again = learner.client.get(DONE).get_data(as_text=True)
    assert "Terima kasih, penilaian Anda sudah terkirim." in again


def test_passing_the_last_quiz_lands_on_the_completion_page(app: Flask, tmp_path: Path):
    version = publish_course(tmp_path, **{"03-kuis-akhir.gift": ""})
    learner = sign_in(app)
    learner.enroll()
    learner.post("/learn/dasar-proyek/siklus/complete", page="/learn/dasar-proyek/siklus")
    quiz = "/learn/dasar-proyek/kuis-siklus"
    learner.post(f"{quiz}/attempts", page=quiz)
    right = answer_form(version, "kuis-siklus", correct=True)
    response = learner.post(
        f"{quiz}/attempts/1", {**right, "action": "submit"}, page=f"{quiz}/attempts/1"
    )
    assert response.headers["Location"] == DONE
    page = learner.client.get(DONE).get_data(as_text=True)
    assert "Lihat sertifikat</a>" in page and "/pdf" in page
    # The quiz's result links to it too.
    review = learner.client.get(f"{quiz}/attempts/1").get_data(as_text=True)
    assert f'href="{DONE}">Lihat sertifikat</a>' in review


def test_a_course_without_certificate_says_so(app: Flask, tmp_path: Path):
    from tests.content.course_fixtures import COURSE_MD

    no_certificate = COURSE_MD.replace("certificate: true", "certificate: false")
    publish_course(tmp_path, **NO_QUIZZES, **{"course.md": no_certificate})
    learner = sign_in(app)
    learner.enroll()
    learner.post("/learn/dasar-proyek/siklus/complete", page="/learn/dasar-proyek/siklus")
    page = learner.client.get(DONE).get_data(as_text=True)
    assert "Kursus ini tidak memberikan sertifikat." in page and "Unduh PDF" not in page


def test_me_links_each_completed_course_to_its_certificate(app: Flask, tmp_path: Path):
    learner, _certificate = complete_course(app, tmp_path)
    page = learner.client.get("/me").get_data(as_text=True)
    assert f'<a href="{DONE}">Sertifikat</a>' in page


def test_me_shows_the_next_step(app: Flask, tmp_path: Path):
    publish_course(tmp_path)
    learner = sign_in(app)
    page = learner.client.get("/me").get_data(as_text=True)
    assert "Langkah berikutnya" in page
    assert 'href="/courses/">Mulai dari katalog</a>' in page
    learner.enroll()
    learner.client.get("/learn/dasar-proyek/siklus")
    page = learner.client.get("/me").get_data(as_text=True)
    assert 'href="/learn/dasar-proyek">Lanjutkan Dasar Manajemen Proyek</a>' in page
    assert "Mulai dari katalog" not in page


def test_sign_in_lands_on_me(app: Flask):
    user = make_user()
    client = app.test_client()
    response = AuthActions(client).login(user.nip)
    assert response.headers["Location"] == "/me"
    page = client.get("/me").get_data(as_text=True)
    assert "Selamat datang" in page and "Mulai dari katalog" in page
    # Already signed in, /login leads there too.
    assert client.get("/login").headers["Location"] == "/me"
