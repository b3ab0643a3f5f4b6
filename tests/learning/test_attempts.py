"""The quiz rules, enforced on the server."""

import re
from pathlib import Path

from sqlalchemy import func, select

from elearn.extensions import db
from elearn.learning.attempts import start_attempt, submit_attempt
from elearn.models import Enrollment, LearningEvent, QuizAttempt, Verb
from elearn.settings import current_settings
from tests.conftest import FrozenClock, run_in_parallel
from tests.content.course_fixtures import QUIZ_MD
from tests.learning.helpers import (
    QUIZ_URL,
    Learner,
    answer_form,
    paper_keys,
    publish_course,
    sign_in,
)
from tests.learning.test_statement_budget import counted

TIMED_QUIZ = QUIZ_MD.replace("max_attempts: 3\n", "max_attempts: 3\ntime_limit: 10\n")


def start(learner, url: str = QUIZ_URL) -> str:  # type: ignore[no-untyped-def]
    response = learner.post(f"{url}/attempts", page=url)
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


def only_attempt() -> QuizAttempt:
    db.session.expire_all()
    attempt = db.session.scalar(select(QuizAttempt))
    assert attempt is not None
    return attempt


def test_answer_key_never_reaches_the_browser_before_submission(app, tmp_path: Path):
    version = publish_course(tmp_path)
    learner = sign_in(app)
    learner.enroll()
    page = learner.client.get(start(learner)).get_data(as_text=True)
    assert "JP adalah satuan jam pelajaran" not in page  # feedback
    assert "fraction" not in page and 'class="correct"' not in page
    item = next(i for i in version.items if i.name == "kuis-siklus")
    numeric = next(q for q in item.quiz["questions"] if q["kind"] == "numeric")
    assert f'value="{numeric["numeric_answers"][0]["value"]:g}"' not in page


def test_reload_shows_the_same_paper_and_saved_answers(app, tmp_path: Path):
    version = publish_course(
        tmp_path,
        **{
            "02-kuis-siklus.quiz.md": QUIZ_MD.replace(
                "max_attempts: 3\n", "max_attempts: 3\nshuffle: true\ndraw: 1\n"
            )
        },
    )
    learner = sign_in(app)
    learner.enroll()
    url = start(learner)
    first = paper_keys(learner.client.get(url).get_data(as_text=True))
    assert len(first) == 1  # draw: 1
    for _ in range(3):
        assert paper_keys(learner.client.get(url).get_data(as_text=True)) == first
    form = answer_form(version, "kuis-siklus", correct=True)
    learner.post(url, {**form, "action": "save"}, page=url)
    assert only_attempt().answers  # saved as the learner goes
    assert start(learner) == url  # starting again resumes the open attempt


def test_forged_score_fields_are_ignored(app, tmp_path: Path):
    version = publish_course(tmp_path)
    learner = sign_in(app)
    learner.enroll()
    url = start(learner)
    wrong = answer_form(version, "kuis-siklus", correct=False)
    forged = {**wrong, "score": "100", "passed": "1", "user_id": "999", "q-deadbeef0000": "0"}
    learner.post(url, {**forged, "action": "submit"}, page=url)
    attempt = only_attempt()
    assert attempt.score == 0 and attempt.passed is False
    assert set(attempt.answers) <= {q for q in wrong if q.startswith("q-")} | set(
        k.removeprefix("q-") for k in wrong
    )


def test_double_submit_and_replay_change_nothing(app, tmp_path: Path):
    version = publish_course(tmp_path)
    learner = sign_in(app)
    learner.enroll()
    url = start(learner)
    wrong = {**answer_form(version, "kuis-siklus", correct=False), "action": "submit"}
    right = {**answer_form(version, "kuis-siklus", correct=True), "action": "submit"}
    learner.post(url, wrong, page=url)
    first = only_attempt()
    learner.post(url, right, page=url)  # a replay with better answers
    learner.post(url, {**right, "action": "save"}, page=url)
    again = only_attempt()
    assert (again.score, again.passed, again.submitted_at) == (0, False, first.submitted_at)
    submitted = db.session.scalar(
        select(func.count())
        .select_from(LearningEvent)
        .where(LearningEvent.verb == Verb.ATTEMPT_SUBMITTED)
    )
    assert submitted == 1


def test_max_attempts(app, tmp_path: Path):
    version = publish_course(tmp_path)
    learner = sign_in(app)
    learner.enroll()
    wrong = {**answer_form(version, "kuis-siklus", correct=False), "action": "submit"}
    for number in (1, 2, 3):
        url = start(learner)
        assert url.endswith(f"/attempts/{number}")
        learner.post(url, wrong, page=url)
    response = learner.post(f"{QUIZ_URL}/attempts", page=QUIZ_URL)
    assert response.headers["Location"] == QUIZ_URL
    assert "Batas 3 kali percobaan" in learner.client.get(QUIZ_URL).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 3


def test_time_limit_is_enforced_on_the_server(app, tmp_path: Path, clock: FrozenClock):
    version = publish_course(tmp_path, **{"02-kuis-siklus.quiz.md": TIMED_QUIZ})
    learner = sign_in(app)
    learner.enroll()
    url = start(learner)
    right = answer_form(version, "kuis-siklus", correct=True)
    wrong = answer_form(version, "kuis-siklus", correct=False)

    clock.advance(minutes=9)
    learner.post(url, {**wrong, "action": "save"}, page=url)  # in time: saved
    clock.advance(minutes=1, seconds=20)  # 20 s past the deadline, inside the grace
    learner.post(url, {**right, "action": "save"}, page=url)
    assert only_attempt().answers == {k.removeprefix("q-"): v for k, v in right.items()}

    clock.advance(seconds=30)  # past deadline + grace: this answer does not count
    learner.post(url, {**wrong, "action": "submit"}, page=url)
    attempt = only_attempt()
    assert attempt.submitted_at == attempt.deadline
    assert attempt.score == 100 and attempt.passed


def _abandoned_with_right_answers_saved(
    app, tmp_path: Path, clock: FrozenClock
) -> tuple[Learner, str]:
    """A learner who saved right answers in a timed attempt, then closed the tab for 3 hours;
    the learner and the attempt's URL."""
    version = publish_course(tmp_path, **{"02-kuis-siklus.quiz.md": TIMED_QUIZ})
    learner = sign_in(app)
    learner.enroll()
    url = start(learner)
    right = answer_form(version, "kuis-siklus", correct=True)
    learner.post(url, {**right, "action": "save"}, page=url)
    clock.advance(hours=3)
    return learner, url


def test_expired_attempt_is_submitted_at_its_deadline_with_what_was_saved(
    app, tmp_path: Path, clock: FrozenClock
):
    learner, url = _abandoned_with_right_answers_saved(app, tmp_path, clock)
    page = learner.client.get(url).get_data(as_text=True)
    assert "Hasil percobaan 1" in page
    attempt = only_attempt()
    assert attempt.submitted_at == attempt.deadline and attempt.score == 100


def test_quiz_landing_submits_an_expired_attempt_and_lists_it_without_reading_papers(
    app, tmp_path: Path, clock: FrozenClock
):
    """The landing lists attempts from their scores alone; an expired one it finds is still
    scored on what was saved (its paper and answers read for that, and only then)."""
    learner, _url = _abandoned_with_right_answers_saved(app, tmp_path, clock)
    landing = learner.client.get(QUIZ_URL).get_data(as_text=True)  # back to the quiz
    assert "Lulus" in landing and "Sedang dikerjakan" not in landing
    attempt = only_attempt()
    assert attempt.submitted_at == attempt.deadline and attempt.score == 100

    with counted(app) as statements:
        again = learner.client.get(QUIZ_URL).get_data(as_text=True)
    assert "Lulus" in again
    read = [s for s in statements if "FROM quiz_attempt" in s]
    assert len(read) == 1
    for column in ("paper", "answers", "results"):
        assert not re.search(rf"quiz_attempt\.{column}\b", read[0]), column


def test_another_learners_attempts_and_progress_are_404(app, tmp_path: Path):
    publish_course(tmp_path)
    owner = sign_in(app, name="Pemilik")
    owner.enroll()
    url = start(owner)
    other = sign_in(app, name="Lain")
    assert other.client.get(url).status_code == 404
    assert other.client.get("/learn/dasar-proyek/siklus").status_code == 404
    assert other.client.get("/learn/dasar-proyek").status_code == 404
    other.enroll()
    assert other.client.get(url).status_code == 404  # attempt 1 is the owner's
    token_page = "/learn/dasar-proyek/kuis-siklus"
    assert other.post(url, {"action": "submit"}, page=token_page).status_code == 404


def test_parallel_starts_make_one_attempt(app, tmp_path: Path):
    publish_course(tmp_path)
    learner = sign_in(app)
    learner.enroll()
    db.session.commit()
    enrollment_id = db.session.scalar(select(Enrollment.id))

    def begin() -> None:
        enrollment = db.session.get(Enrollment, enrollment_id)
        item = next(i for i in enrollment.version.items if i.name == "kuis-siklus")
        start_attempt(enrollment, item, learning=current_settings().learning)

    assert run_in_parallel(app, 6, begin) == []
    numbers = db.session.scalars(select(QuizAttempt.number)).all()
    assert numbers == [1]


def test_parallel_submits_score_once(app, tmp_path: Path):
    version = publish_course(tmp_path)
    learner = sign_in(app)
    learner.enroll()
    start(learner)
    attempt_id = only_attempt().id
    db.session.commit()
    form = {k: v for k, v in answer_form(version, "kuis-siklus", correct=True).items()}

    class Form(dict):  # type: ignore[type-arg]
        def getlist(self, name: str) -> list[str]:
            value = self.get(name, [])
            return value if isinstance(value, list) else [value]

    def submit() -> None:
        submit_attempt(
            db.session.get(QuizAttempt, attempt_id),
            Form(form),
            learning=current_settings().learning,
        )

    assert run_in_parallel(app, 6, submit) == []
    verbs = db.session.scalars(select(LearningEvent.verb)).all()
    assert verbs.count(Verb.ATTEMPT_SUBMITTED) == 1
    assert verbs.count(Verb.PASSED) == 1
