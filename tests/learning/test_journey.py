"""A learner goes from the catalog to completion, through the Flask test client."""

from pathlib import Path

from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Enrollment, LearningEvent, Verb
from tests.conftest import FrozenClock
from tests.learning.helpers import (
    QUIZ_URL,
    answer_form,
    publish_course,
    sign_in,
)


def events(user_id: int) -> list[str]:
    rows = db.session.scalars(
        select(LearningEvent.verb)
        .where(LearningEvent.user_id == user_id)
        .order_by(LearningEvent.id)
    )
    return [str(v) for v in rows]


def test_catalog_search_and_filters(app, tmp_path: Path):
    publish_course(tmp_path)
    learner = sign_in(app)
    page = learner.client.get("/courses/?q=manajemen").get_data(as_text=True)
    assert "Dasar Manajemen Proyek" in page and "2 JP" in page
    assert "Dasar Manajemen Proyek" not in learner.client.get("/courses/?q=kepemimpinan").get_data(
        as_text=True
    )
    assert "Dasar Manajemen Proyek" in learner.client.get(
        "/courses/?competency=teknis&jp=1-2"
    ).get_data(as_text=True)
    assert "Dasar Manajemen Proyek" not in learner.client.get("/courses/?jp=6-10").get_data(
        as_text=True
    )
    assert "Dasar Manajemen Proyek" not in learner.client.get(
        "/courses/?category=kepemimpinan"
    ).get_data(as_text=True)


def test_from_catalog_to_completion(app, tmp_path: Path, clock: FrozenClock):
    version = publish_course(tmp_path)
    learner = sign_in(app)
    course_page = learner.client.get("/courses/dasar-proyek").get_data(as_text=True)
    assert "Ikuti kursus ini" in course_page

    response = learner.enroll()
    assert response.headers["Location"] == "/learn/dasar-proyek"
    assert (
        learner.client.get("/learn/dasar-proyek").headers["Location"]
        == "/learn/dasar-proyek/siklus"
    )

    module = learner.client.get("/learn/dasar-proyek/siklus").get_data(as_text=True)
    assert '<h2 id="tahap-proyek">Tahap proyek</h2>' in module
    assert 'href="#tahap-penutupan"' in module  # table of contents
    clock.advance(minutes=4)
    learner.post("/learn/dasar-proyek/siklus/complete", page="/learn/dasar-proyek/siklus")

    # The dashboard resumes at the module last opened.
    learner.client.get(QUIZ_URL)
    dashboard = learner.client.get("/me").get_data(as_text=True)
    assert "1 dari 1 modul selesai" in dashboard and "0 dari 2 kuis lulus" in dashboard
    assert learner.client.get("/learn/dasar-proyek").headers["Location"] == QUIZ_URL

    # Fail the first quiz, then pass it.
    started = learner.post(f"{QUIZ_URL}/attempts", page=QUIZ_URL)
    attempt_url = started.headers["Location"]
    assert attempt_url == f"{QUIZ_URL}/attempts/1"
    wrong = answer_form(version, "kuis-siklus", correct=False)
    review = learner.post(attempt_url, {**wrong, "action": "submit"}, page=attempt_url)
    page = learner.client.get(review.headers["Location"]).get_data(as_text=True)
    assert "Tidak Lulus" in page and "Nilai: 0,0" in page
    assert "JP adalah satuan jam pelajaran" in page  # feedback after submission

    learner.post(f"{QUIZ_URL}/attempts", page=QUIZ_URL)
    right = answer_form(version, "kuis-siklus", correct=True)
    learner.post(
        f"{QUIZ_URL}/attempts/2", {**right, "action": "submit"}, page=f"{QUIZ_URL}/attempts/2"
    )
    assert "Lulus" in learner.client.get(f"{QUIZ_URL}/attempts/2").get_data(as_text=True)

    gift = "/learn/dasar-proyek/kuis-akhir"
    learner.post(f"{gift}/attempts", page=gift)
    final = learner.post(
        f"{gift}/attempts/1",
        {**answer_form(version, "kuis-akhir", correct=True), "action": "submit"},
        page=f"{gift}/attempts/1",
    )
    assert final.status_code == 302
    enrollment = db.session.scalar(select(Enrollment))
    assert enrollment.completed_at == clock.current
    dashboard = learner.client.get("/me").get_data(as_text=True)
    assert "2</strong> / 20 JP" in dashboard

    assert events(learner.user.id) == [
        "enrolled",
        "module-completed",
        "attempt-started",
        "attempt-submitted",
        "failed",
        "attempt-started",
        "attempt-submitted",
        "passed",
        "attempt-started",
        "attempt-submitted",
        "passed",
        "completed",
    ]
    module_done = db.session.scalar(
        select(LearningEvent).where(LearningEvent.verb == Verb.MODULE_COMPLETED)
    )
    assert module_done.duration_seconds == 240


def test_evaluation_after_completion_is_visible_to_staff(app, tmp_path: Path, clock):
    from elearn.models import Role
    from tests.factories import make_unit

    palu = make_unit(code="palu")
    version = publish_course(tmp_path, **{"02-kuis-siklus.quiz.md": "", "03-kuis-akhir.gift": ""})
    learner = sign_in(app, unit=palu)
    learner.enroll()
    assert learner.client.get("/learn/dasar-proyek/evaluation").status_code == 404
    learner.post("/learn/dasar-proyek/siklus/complete", page="/learn/dasar-proyek/siklus")
    response = learner.post(
        "/learn/dasar-proyek/evaluation",
        {
            "relevance": "5",
            "clarity": "4",
            "applicability": "3",
            "comment": "Sangat berguna <b>sekali</b>",
        },
    )
    assert response.status_code == 302
    from tests.conftest import AuthActions
    from tests.factories import make_user

    staff = make_user(Role.EVALUATOR, unit=palu, scope=[palu], name="Dewi")
    client = app.test_client()
    AuthActions(client).login(staff.nip)
    listing = client.get("/reports/evaluations").get_data(as_text=True)
    assert "5,00" in listing and "4,00" in listing and "3,00" in listing
    detail = client.get("/reports/evaluations/dasar-proyek").get_data(as_text=True)
    assert "Sangat berguna &lt;b&gt;sekali&lt;/b&gt;" in detail
    assert version.jp == 2
