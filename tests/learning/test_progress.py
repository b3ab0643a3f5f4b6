"""Prerequisites, study time, resuming and moving to a newer version."""

from pathlib import Path

from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Enrollment, ItemProgress
from tests.conftest import FrozenClock
from tests.content.course_fixtures import MODULE_MD
from tests.learning.helpers import answer_form, publish_course, sign_in

ADVANCED = """---
title: Manajemen Proyek Lanjutan
summary: Lanjutan.
category: manajemen-proyek
competency: teknis
jp: 4
prerequisites: [dasar-proyek]
---
Lanjutan.
"""


def test_enrolment_is_refused_until_prerequisites_are_complete(app, tmp_path: Path):
    publish_course(tmp_path, **{"02-kuis-siklus.quiz.md": "", "03-kuis-akhir.gift": ""})
    publish_course(
        tmp_path,
        "lanjutan",
        **{"course.md": ADVANCED, "02-kuis-siklus.quiz.md": "", "03-kuis-akhir.gift": ""},
    )
    learner = sign_in(app)
    page = learner.client.get("/courses/lanjutan").get_data(as_text=True)
    assert "Prasyarat" in page and "belum selesai" in page
    response = learner.enroll("lanjutan")
    assert response.headers["Location"] == "/courses/lanjutan"
    refused = learner.client.get("/courses/lanjutan").get_data(as_text=True)
    assert "Selesaikan dahulu kursus prasyarat: Dasar Manajemen Proyek." in refused
    assert db.session.scalar(select(Enrollment)) is None

    learner.enroll("dasar-proyek")
    learner.post("/learn/dasar-proyek/siklus/complete")
    assert learner.enroll("lanjutan").headers["Location"] == "/learn/lanjutan"


def test_idle_time_is_capped_per_visit(app, tmp_path: Path, clock: FrozenClock):
    publish_course(tmp_path)
    learner = sign_in(app)
    learner.enroll()
    learner.client.get("/learn/dasar-proyek/siklus")
    clock.advance(minutes=7)
    learner.client.get("/learn/dasar-proyek/siklus")  # a reload: 7 minutes counted
    clock.advance(hours=5)  # the tab stayed open overnight
    learner.post("/learn/dasar-proyek/siklus/complete")
    row = db.session.scalar(select(ItemProgress).where(ItemProgress.completed_at.is_not(None)))
    assert row.seconds_spent == 7 * 60 + 30 * 60


def test_resume_goes_to_the_last_opened_item(app, tmp_path: Path):
    publish_course(tmp_path)
    learner = sign_in(app)
    learner.enroll()
    learner.client.get("/learn/dasar-proyek/kuis-akhir")
    assert learner.client.get("/learn/dasar-proyek").headers["Location"] == (
        "/learn/dasar-proyek/kuis-akhir"
    )
    dashboard = learner.client.get("/me").get_data(as_text=True)
    assert 'href="/learn/dasar-proyek"' in dashboard and "Lanjutkan" in dashboard


def test_learner_keeps_their_version_and_may_move_with_progress(app, tmp_path: Path):
    first = publish_course(tmp_path)
    learner = sign_in(app)
    learner.enroll()
    learner.post("/learn/dasar-proyek/siklus/complete")
    quiz = "/learn/dasar-proyek/kuis-siklus"
    learner.post(f"{quiz}/attempts")
    learner.post(
        f"{quiz}/attempts/1",
        {**answer_form(first, "kuis-siklus", correct=True), "action": "submit"},
    )

    # A new version changes the module only.
    publish_course(tmp_path / "v2", **{"01-siklus.md": MODULE_MD + "\nMateri baru.\n"})
    page = learner.client.get("/learn/dasar-proyek/siklus").get_data(as_text=True)
    assert "Materi baru." not in page  # still the enrolled version
    assert "Pindah ke versi terbaru" in page

    learner.post("/learn/dasar-proyek/move")
    page = learner.client.get("/learn/dasar-proyek/siklus").get_data(as_text=True)
    assert "Materi baru." in page
    assert "Tandai selesai" in page  # the changed module starts afresh
    quiz_page = learner.client.get(quiz).get_data(as_text=True)
    assert "Lulus" in quiz_page  # the unchanged quiz kept its passed attempt
    dashboard = learner.client.get("/me").get_data(as_text=True)
    assert "0 dari 1 modul selesai" in dashboard and "1 dari 2 kuis lulus" in dashboard
