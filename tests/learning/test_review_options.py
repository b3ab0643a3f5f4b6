"""Review options: what a submitted attempt's review shows, and from when (like Moodle's)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from elearn.content.frontmatter import quiz_settings
from elearn.content.quiz import REVIEW_PRESETS, ReviewMoment, ReviewOptions
from elearn.learning.review import (
    ReviewShown,
    review_options_of,
    review_questions,
    review_shown,
)
from tests.content.course_fixtures import QUIZ_MD
from tests.learning.helpers import QUIZ_URL, Learner, answer_form, publish_course, sign_in
from tests.learning.quiz_records import full_paper, sample_course_records

NOTHING_YET = ReviewShown(score=True, correctness=True, feedback=True, answers=False)
SCORE_ZERO = re.compile(r"Nilai: 0,0")  # Indonesian writes a decimal comma
KEY_MARKERS = ("Jawaban benar:", "(jawaban benar)", "<th>Jawaban benar</th>")


def settings_of(review: Any) -> tuple[ReviewOptions, list[str]]:
    settings, errors = quiz_settings({"review": review}, "kuis.quiz.md", "Kuis")
    return settings.review, [e.message for e in errors]


def test_default_shows_the_key_only_after_passing_or_the_last_attempt() -> None:
    options, errors = settings_of("standard")
    assert errors == [] and options == ReviewOptions() == REVIEW_PRESETS["standard"]
    assert quiz_settings({}, "kuis.quiz.md", "Kuis")[0].review == options
    failed = review_shown(options, passed=False, attempts_left=True)
    assert failed == NOTHING_YET
    assert review_shown(options, passed=True, attempts_left=True).answers
    assert review_shown(options, passed=False, attempts_left=False).answers


@pytest.mark.parametrize(
    ("preset", "shown_after_a_failure"),
    [
        ("full", ReviewShown(True, True, True, True)),
        ("feedback", NOTHING_YET),
        ("score", ReviewShown(True, False, False, False)),
    ],
)
def test_earlier_review_values_keep_their_meaning(
    preset: str, shown_after_a_failure: ReviewShown
) -> None:
    options, errors = settings_of(preset)
    assert errors == []
    assert review_shown(options, passed=False, attempts_left=True) == shown_after_a_failure
    # "feedback" and "score" never show the key, not even at the end.
    final = review_shown(options, passed=True, attempts_left=False)
    assert final.answers == (preset == "full")


def test_a_mapping_sets_each_part_and_leaves_the_rest_at_the_default() -> None:
    options, errors = settings_of(
        {"answers": "after_last_attempt", "feedback": ["after_passing"], "score": "never"}
    )
    assert errors == []
    assert options.answers == (ReviewMoment.AFTER_LAST_ATTEMPT,)
    assert options.feedback == (ReviewMoment.AFTER_PASSING,)
    assert options.score == ()
    assert options.correctness == (ReviewMoment.IMMEDIATELY,)
    assert not review_shown(options, passed=True, attempts_left=True).answers
    assert review_shown(options, passed=False, attempts_left=False).answers


@pytest.mark.parametrize(
    ("review", "message"),
    [
        ("lengkap", "'review' harus salah satu dari"),
        ({"kunci": "never"}, "bagian 'review' tidak dikenal: 'kunci'"),
        ({"answers": "sometimes"}, "'review.answers' harus 'never'"),
        ({"answers": ["after_passing", 3]}, "'review.answers' harus 'never'"),
        (True, "'review' harus salah satu dari"),
    ],
)
def test_bad_review_values_are_errors(review: Any, message: str) -> None:
    _options, errors = settings_of(review)
    assert errors and errors[0].startswith(message), errors


def test_records_from_before_review_options_read_as_todays_default() -> None:
    # "full" was the silent default, so it cannot tell an author's choice from nothing said.
    assert review_options_of({"review": "full"}) == REVIEW_PRESETS["standard"]
    assert review_options_of({"review": "feedback"}) == REVIEW_PRESETS["feedback"]
    assert review_options_of({"review": "score"}) == REVIEW_PRESETS["score"]
    stored = json.loads(json.dumps({"review": REVIEW_PRESETS["full"].__dict__}))
    assert review_options_of(stored) == REVIEW_PRESETS["full"]


@pytest.mark.parametrize(
    "record", [pytest.param(record, id=label) for label, record in sample_course_records()]
)
def test_review_without_the_key_holds_no_key(record: dict[str, Any]) -> None:
    paper = full_paper(record)
    results = [{"key": e["key"], "fraction": 0.0, "scored": True, "correct": False} for e in paper]
    view = review_questions(record, paper, {}, results, NOTHING_YET)
    assert len(view) == len(paper)
    for shown in view:
        assert "key_text" not in shown and shown["show_key"] is False
        assert not any(c["correct"] for c in shown.get("choices", []))
        assert all(p["answer"] == "" for p in shown.get("pairs", []))
    with_key = review_questions(
        record, paper, {}, results, ReviewShown(True, True, True, answers=True)
    )
    assert any(c["correct"] for q in with_key for c in q.get("choices", [])) or any(
        q.get("key_text") or q.get("pairs") for q in with_key
    )


def test_score_only_lists_no_question() -> None:
    record = sample_course_records()[0][1]
    paper = full_paper(record)
    assert review_questions(record, paper, {}, [], ReviewShown(True, False, False, False)) == []


# Through the app: the test course's Markdown quiz allows 3 attempts.


def _submit_wrong(learner: Learner, version: Any, number: int) -> str:
    learner.post(f"{QUIZ_URL}/attempts", page=QUIZ_URL)
    url = f"{QUIZ_URL}/attempts/{number}"
    wrong = answer_form(version, "kuis-siklus", correct=False)
    learner.post(url, {**wrong, "action": "submit"}, page=url)
    return learner.client.get(url).get_data(as_text=True)


def _shows_key(page: str) -> bool:
    return any(marker in page for marker in KEY_MARKERS)


def test_failed_first_attempt_shows_no_correct_answers(app: Flask, tmp_path: Path) -> None:
    version = publish_course(tmp_path)
    learner = sign_in(app)
    learner.enroll()
    page = _submit_wrong(learner, version, 1)
    assert "Tidak Lulus" in page and SCORE_ZERO.search(page)
    assert "Jawaban Anda salah" in page  # right or wrong per question
    assert "JP adalah satuan jam pelajaran" in page  # feedback
    assert not _shows_key(page)
    assert 'class="correct"' not in page
    assert "Jawaban benar ditampilkan setelah Anda lulus atau setelah percobaan terakhir." in page


def test_after_the_last_attempt_the_correct_answers_show(app: Flask, tmp_path: Path) -> None:
    version = publish_course(tmp_path)
    learner = sign_in(app)
    learner.enroll()
    assert not _shows_key(_submit_wrong(learner, version, 1))
    assert not _shows_key(_submit_wrong(learner, version, 2))
    last = _submit_wrong(learner, version, 3)
    assert _shows_key(last)
    assert "<strong>45</strong>" in last  # the numeric question's key
    # The earlier attempts' reviews now show it too.
    assert _shows_key(learner.client.get(f"{QUIZ_URL}/attempts/1").get_data(as_text=True))


def test_after_passing_the_correct_answers_show(app: Flask, tmp_path: Path) -> None:
    version = publish_course(tmp_path)
    learner = sign_in(app)
    learner.enroll()
    assert not _shows_key(_submit_wrong(learner, version, 1))
    learner.post(f"{QUIZ_URL}/attempts", page=QUIZ_URL)
    url = f"{QUIZ_URL}/attempts/2"
    right = answer_form(version, "kuis-siklus", correct=True)
    learner.post(url, {**right, "action": "submit"}, page=url)
    assert _shows_key(learner.client.get(url).get_data(as_text=True))
    assert _shows_key(learner.client.get(f"{QUIZ_URL}/attempts/1").get_data(as_text=True))


def test_review_full_shows_the_key_at_once_and_score_shows_no_question(
    app: Flask, tmp_path: Path
) -> None:
    full = QUIZ_MD.replace("max_attempts: 3", "max_attempts: 3\nreview: full")
    version = publish_course(tmp_path, **{"02-kuis-siklus.quiz.md": full})
    learner = sign_in(app)
    learner.enroll()
    assert _shows_key(_submit_wrong(learner, version, 1))

    score = QUIZ_MD.replace("max_attempts: 3", "max_attempts: 3\nreview: score")
    other = publish_course(tmp_path / "lain", slug="kuis-skor", **{"02-kuis-siklus.quiz.md": score})
    learner.enroll("kuis-skor")
    url = "/learn/kuis-skor/kuis-siklus"
    learner.post(f"{url}/attempts", page=url)
    wrong = answer_form(other, "kuis-siklus", correct=False)
    learner.post(f"{url}/attempts/1", {**wrong, "action": "submit"}, page=f"{url}/attempts/1")
    page = learner.client.get(f"{url}/attempts/1").get_data(as_text=True)
    assert SCORE_ZERO.search(page) and "Tidak Lulus" in page
    assert "Jawaban Anda salah" not in page and "JP adalah satuan" not in page
    assert not _shows_key(page)
