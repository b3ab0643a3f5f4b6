"""Tests for the Moodle GIFT importer, checked against Moodle's own import tests."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from elearn.content.errors import ContentErrors
from elearn.content.gift import parse_gift_quiz, question_key
from elearn.content.quiz import (
    EMPTY_TEXT,
    Question,
    QuestionKind,
    Quiz,
    Text,
    TextFormat,
)
from tests.testdata import require_shared

GIFT_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata" / "gift"
CASES = GIFT_DATA / "cases.json"

MOODLE_QTYPE = {
    QuestionKind.SINGLE: "multichoice",
    QuestionKind.MULTIPLE: "multichoice",
    QuestionKind.TRUE_FALSE: "truefalse",
    QuestionKind.SHORT: "shortanswer",
    QuestionKind.NUMERIC: "numerical",
    QuestionKind.MATCHING: "match",
    QuestionKind.ESSAY: "essay",
}
# Moodle's answer numbering is a site setting, not something GIFT says.
NOT_MAPPED = {"answernumbering"}


def parse(text: str) -> Quiz:
    return parse_gift_quiz(text, "kuis.gift", "Judul Bawaan")


def only(text: str) -> Question:
    quiz = parse(text)
    assert len(quiz.questions) == 1
    return quiz.questions[0]


def errors_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(ContentErrors) as caught:
        parse(text)
    assert all(error.path == "kuis.gift" for error in caught.value.errors)
    return [(error.line, error.message) for error in caught.value.errors]


def fixture(name: str) -> str:
    path = GIFT_DATA / name
    return require_shared(path).read_text(encoding="utf-8")


def _format(text: Text, default: TextFormat) -> str:
    # We store empty feedback as EMPTY_TEXT; Moodle gives it the question's format.
    return (text.format if text.source else default).value


def moodle_view(question: Question) -> dict[str, Any]:
    """Describe a question with the field names of Moodle's import tests."""
    qformat = question.text.format
    view: dict[str, Any] = {
        "qtype": MOODLE_QTYPE[question.kind],
        "name": question.name,
        "questiontext": question.text.source,
        "questiontextformat": qformat.value,
        "generalfeedback": question.general_feedback.source,
        "generalfeedbackformat": _format(question.general_feedback, qformat),
        "tags": [t for t in question.tags if not t.startswith("id:")],
        "idnumber": next((t[3:] for t in question.tags if t.startswith("id:")), ""),
    }
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        view["single"] = question.kind is QuestionKind.SINGLE
        view["answers"] = [
            {
                "text": c.text.source,
                "format": c.text.format.value,
                "fraction": c.fraction,
                "feedback": c.feedback.source,
                "feedbackformat": _format(c.feedback, qformat),
            }
            for c in question.choices
        ]
    elif question.kind is QuestionKind.SHORT:
        view["answers"] = [
            {
                "text": a.text,
                "fraction": a.fraction,
                "feedback": a.feedback.source,
                "feedbackformat": _format(a.feedback, qformat),
            }
            for a in question.short_answers
        ]
    elif question.kind is QuestionKind.NUMERIC:
        view["answers"] = [
            {
                "text": "*" if math.isinf(a.tolerance) else f"{a.value:g}",
                "fraction": a.fraction,
                "tolerance": "" if math.isinf(a.tolerance) else a.tolerance,
                "feedback": a.feedback.source,
                "feedbackformat": _format(a.feedback, qformat),
            }
            for a in question.numeric_answers
        ]
    elif question.kind is QuestionKind.TRUE_FALSE:
        assert question.true_false is not None
        view["correctanswer"] = question.true_false.correct
        view["feedbacktrue"] = question.true_false.feedback_true.source
        view["feedbackfalse"] = question.true_false.feedback_false.source
    elif question.kind is QuestionKind.MATCHING:
        view["pairs"] = [
            {"question": p.prompt.source, "format": p.prompt.format.value, "answer": p.answer}
            for p in question.pairs
        ]
    return view


def _moodle_cases() -> list[Any]:
    if not CASES.is_file():
        return [pytest.param(None, id="absent")]
    cases = json.loads(CASES.read_text(encoding="utf-8"))["cases"]
    return [pytest.param(case, id=case["name"]) for case in cases]


@pytest.mark.parametrize("case", _moodle_cases())
def test_matches_moodle_import(case: dict[str, Any] | None) -> None:
    if case is None:
        require_shared(CASES)
        return
    expected = {k: v for k, v in case["expected"].items() if k not in NOT_MAPPED}
    view = moodle_view(only(case["gift"]))
    assert {k: view[k] for k in expected} == expected


def test_all_moodle_import_cases_are_present() -> None:
    cases = json.loads(fixture("cases.json"))["cases"]
    assert len(cases) == 14
    assert all(case["name"].startswith("test_import_") for case in cases)


def test_moodle_fixture_questions() -> None:
    quiz = parse_gift_quiz(fixture("questions.gift.txt"), "q.gift", "Bawaan")
    assert quiz.settings.title == "Bawaan"
    assert [(q.line, q.kind, q.name) for q in quiz.questions] == [
        (2, QuestionKind.ESSAY, "Q8"),
        (5, QuestionKind.MATCHING, "Moodle activities"),
        (14, QuestionKind.SINGLE, "Q2"),
        (22, QuestionKind.MULTIPLE, "colours"),
        (31, QuestionKind.NUMERIC, "Q5"),
        (34, QuestionKind.SHORT, "Shortanswer"),
        (41, QuestionKind.TRUE_FALSE, "Q1"),
        (46, QuestionKind.TRUE_FALSE, "2-08 TSL"),
        (49, QuestionKind.TRUE_FALSE, "2-08 TSL"),
    ]
    assert len({q.key for q in quiz.questions}) == 9


def test_moodle_fixture_stray_text_after_block_is_kept_as_moodle_does() -> None:
    # Moodle only drops an answer block that ends the question; the fixture's stray '";'
    # makes the block a fill-in blank, so the text keeps '_____";'.
    questions = parse_gift_quiz(fixture("questions.gift.txt"), "q.gift", "x").questions
    numeric, true_false = questions[4], questions[6]
    assert numeric.text.source == 'What is a number from 1 to 5? _____";'
    assert [(a.value, a.tolerance, a.fraction) for a in numeric.numeric_answers] == [
        (3.0, 2.0, 1.0),
        (0.0, math.inf, 0.0),
    ]
    assert true_false.text.source == '42 is the Absolute Answer to everything._____";'
    assert true_false.general_feedback == Text(
        "This is, of course, a Hitchiker's Guide to the Galaxy reference.", TextFormat.MOODLE
    )
    assert true_false.true_false is not None
    assert true_false.true_false.correct is False
    assert true_false.true_false.feedback_false.source == "You gave the right answer."


def test_moodle_fixture_in_category() -> None:
    quiz = parse_gift_quiz(fixture("questions_in_category.gift.txt"), "c.gift", "Bawaan")
    assert quiz.settings.title == "Default for New Features"
    assert {q.category for q in quiz.questions} == {"Default for New Features"}
    greeting = quiz.questions[1]
    assert greeting.line == 14
    assert greeting.text.format is TextFormat.HTML
    assert greeting.text.source.startswith(
        '<a href="http://demo.moodle.net/file.php/5/media/bonjour.mp3">Listen to this greeting:</a>'
    )
    assert [c.fraction for c in greeting.choices] == [0.0, 1.0, 0.0, 0.0]
    assert greeting.choices[0].text == Text("English", TextFormat.HTML)
    assert [a.text for a in quiz.questions[2].short_answers] == ["Moodler"]
    assert quiz.questions[2].short_answers[0].feedback == EMPTY_TEXT
    assert [q.kind for q in quiz.questions] == [
        QuestionKind.MATCHING,
        QuestionKind.SINGLE,
        QuestionKind.SHORT,
        QuestionKind.TRUE_FALSE,
    ]


# Our own behaviour, beyond Moodle's test cases.


def test_front_matter_sets_options_and_shifts_lines() -> None:
    quiz = parse("---\ntitle: Kuis Etika\npass_mark: 80\nshuffle: true\n---\n\nSatu {T}\n")
    assert quiz.settings.title == "Kuis Etika"
    assert quiz.settings.pass_mark == 80
    assert quiz.settings.shuffle is True
    assert quiz.source_path == "kuis.gift"
    assert quiz.questions[0].line == 7


def test_title_prefers_front_matter_then_first_category_then_default() -> None:
    body = "$CATEGORY: $course$/top/Etika ASN/Bab 1\n\nSatu {T}\n\n$CATEGORY: Lain\n\nDua {F}"
    quiz = parse(body)
    assert quiz.settings.title == "Bab 1"
    assert [q.category for q in quiz.questions] == ["top/Etika ASN/Bab 1", "Lain"]
    assert parse("---\ntitle: Dari YAML\n---\n" + body).settings.title == "Dari YAML"
    assert parse("Satu {T}").settings.title == "Judul Bawaan"


def test_fill_in_the_blank_and_default_name() -> None:
    question = only("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert question.text == Text("Grant is _____ in Grant's tomb.", TextFormat.MOODLE)
    assert question.name == "Grant is _____ in Grant's tomb."
    assert question.kind is QuestionKind.SINGLE


def test_default_name_strips_html_and_shortens_long_text() -> None:
    words = "kata " * 30
    question = only(f"[html]<p>{words}</p>{{T}}")
    assert question.name.endswith("...")
    assert len(question.name) <= 80
    assert "<p>" not in question.name
    assert question.name.startswith("kata kata")


def test_escapes_and_newline_escape() -> None:
    question = only(r"::a\:b:: 1 \~ 2 \= 3 \# 4 \{x\} baris\nbaru{=jawab\=an #umpan\#balik}")
    assert question.name == "a:b"
    assert question.text.source == "1 ~ 2 = 3 # 4 {x} baris\nbaru"
    answer = question.short_answers[0]
    assert (answer.text, answer.feedback.source) == ("jawab=an", "umpan#balik")


def test_text_formats_on_question_answers_and_feedback() -> None:
    question = only(
        "[markdown]**Pilih**{=[html]<b>ya</b>#[plain]benar ~tidak#[moodle]salah####[html]<i>u</i>}"
    )
    assert question.text == Text("**Pilih**", TextFormat.MARKDOWN)
    assert question.choices[0].text == Text("<b>ya</b>", TextFormat.HTML)
    assert question.choices[0].feedback == Text("benar", TextFormat.PLAIN)
    assert question.choices[1].text == Text("tidak", TextFormat.MARKDOWN)
    assert question.choices[1].feedback == Text("salah", TextFormat.MOODLE)
    assert question.general_feedback == Text("<i>u</i>", TextFormat.HTML)


def test_numeric_range_and_weighted_answers() -> None:
    ranged = only("Angka 1 sampai 5? {#1..5}").numeric_answers
    assert [(a.value, a.tolerance) for a in ranged] == [(3.0, 2.0)]
    weighted = only("Tahun Sumpah Pemuda? {#\n=1928:0#Tepat\n=%50%1928:2#Hampir\n~#Salah}")
    assert [
        (a.value, a.tolerance, a.fraction, a.feedback.source) for a in weighted.numeric_answers
    ] == [
        (1928.0, 0.0, 1.0, "Tepat"),
        (1928.0, 2.0, 0.5, "Hampir"),
        (0.0, math.inf, 0.0, "Salah"),
    ]


def test_true_false_feedback_order() -> None:
    answer = only("Langit biru.{TRUE#Keliru.#Betul.}").true_false
    assert answer is not None
    assert answer.correct is True
    assert (answer.feedback_true.source, answer.feedback_false.source) == ("Betul.", "Keliru.")


def test_multiple_response_with_partial_weights() -> None:
    question = only("Pilih dua {~%50%a ~%50%b ~%-100%c}")
    assert question.kind is QuestionKind.MULTIPLE
    assert [c.fraction for c in question.choices] == [0.5, 0.5, -1.0]


def test_comments_tags_and_urls() -> None:
    question = only(
        "// [tag:etika] [id:E-1]\n// [tag:asn]\nLihat http://contoh.id {\n// komentar\n=ya ~tidak}"
    )
    assert question.text.source == "Lihat http://contoh.id"
    assert question.tags == ("etika", "asn", "id:E-1")
    assert [c.text.source for c in question.choices] == ["ya", "tidak"]
    assert question.line == 3


def test_key_is_stable_hash_of_source_and_ignores_comments() -> None:
    first = only("// versi 1\nSatu {T}")
    second = only("// versi 2\nSatu {T}")
    assert first.key == second.key == question_key("Satu {T}")
    assert len(first.key) == 12
    assert only("Satu {F}").key != first.key


def test_essay_with_general_feedback() -> None:
    question = only("Jelaskan. {####Lihat modul 2.}")
    assert question.kind is QuestionKind.ESSAY
    assert question.general_feedback == Text("Lihat modul 2.", TextFormat.MOODLE)


# Errors: every problem, each at its line.


def test_unclosed_brace() -> None:
    assert errors_of("// komentar\nSatu {=a ~b\n") == [(2, "kurung kurawal '{' tidak ditutup")]


def test_closing_brace_without_opening() -> None:
    [(line, message)] = errors_of("Satu\n=a ~b}")
    assert line == 2
    assert "'}' tanpa '{'" in message


def test_multiple_choice_without_correct_answer() -> None:
    assert errors_of("Satu {\n~a\n~b\n}") == [(1, "pertanyaan pilihan ganda tanpa jawaban benar")]


def test_numeric_garbage_reports_answer_line() -> None:
    assert errors_of("Berapa? {#\n=3\n=tiga:1\n}") == [(3, "jawaban numerik bukan angka: 'tiga'")]
    [(_, message)] = errors_of("Berapa? {#3,5}")
    assert "gunakan titik" in message


def test_front_matter_yaml_error_at_its_line() -> None:
    errors = errors_of("---\ntitle: Kuis\npass_mark: [80\n---\nSatu {T}")
    assert len(errors) == 1
    assert errors[0][0] in (3, 4)
    assert errors[0][1].startswith("front matter YAML tidak valid")


def test_front_matter_unclosed_reports_only_that() -> None:
    assert errors_of("---\ntitle: Kuis\n\nSatu {T}") == [
        (1, "front matter dibuka dengan '---' tetapi tidak pernah ditutup")
    ]


def test_front_matter_bad_option_and_body_errors_together() -> None:
    errors = errors_of("---\npass_mark: 200\n---\n\nSatu {T}\n\nDua {=a\n\nTiga {~a ~b}")
    assert errors == [
        (1, "'pass_mark' harus dalam rentang 0–100, bukan 200"),
        (7, "kurung kurawal '{' tidak ditutup"),
        (9, "pertanyaan pilihan ganda tanpa jawaban benar"),
    ]


def test_question_without_answer_block() -> None:
    assert errors_of("Satu {T}\n\nHanya teks.") == [(3, "pertanyaan tanpa blok jawaban {...}")]


def test_two_answer_blocks_mean_a_missing_blank_line() -> None:
    [(line, message)] = errors_of("Satu {T}\nDua {F}")
    assert line == 2
    assert "baris kosong" in message


def test_lowercase_true_is_not_recognised() -> None:
    [(line, message)] = errors_of("Satu {true}")
    assert line == 1
    assert message.startswith("tipe pertanyaan tidak dikenali")
    assert "TRUE" in message


def test_answer_errors() -> None:
    errors = errors_of(
        "A {~%50%a ~%20%b ~c}\n\n"
        "B {=a ~%abc%b}\n\n"
        "C {=%50%a =%20%b}\n\n"
        "D {=a->b}\n\n"
        "E {=a->b =c}\n\n"
        "F {lebih =a ~b}\n\n"
        "G {=%50%a ~b}\n\n"
        "H {#1:-1}\n\n"
        "I {#5..1}"
    )
    assert errors == [
        (1, "jumlah bobot pilihan benar harus 100%, bukan 70%"),
        (3, "bobot jawaban tidak valid: '%abc%b' (contoh: %50%)"),
        (5, "pertanyaan isian tanpa jawaban bernilai 100%"),
        (7, "pertanyaan menjodohkan membutuhkan minimal 2 pasangan berisi pertanyaan"),
        (9, "pasangan menjodohkan harus berbentuk '=pertanyaan -> jawaban'"),
        (11, "teks 'lebih' sebelum jawaban pertama; awali setiap jawaban dengan '=' atau '~'"),
        (13, "bobot pilihan ditulis setelah '~' (mis. ~%50%), bukan '='"),
        (15, "toleransi numerik tidak boleh negatif: '1:-1'"),
        (17, "rentang numerik terbalik: '5..1' (tulis min..maks)"),
    ]


def test_duplicate_question() -> None:
    assert errors_of("Satu {T}\n\n// sama\nSatu {T}") == [
        (4, "pertanyaan ini sama persis dengan pertanyaan di baris 1")
    ]


def test_structure_errors() -> None:
    errors = errors_of(
        "::judul tanpa tutup Satu {T}\n\n"
        "::judul:: {T}\n\n"
        "$CATEGORY: a\nSatu {T}\n\n"
        "$CATEGORY: $course$/\n\n"
        "// hanya komentar"
    )
    assert errors == [
        (1, "judul pertanyaan '::' tidak ditutup dengan '::'"),
        (3, "teks pertanyaan kosong"),
        (6, "pisahkan baris $CATEGORY dari pertanyaan dengan baris kosong"),
        (8, "nama kategori kosong setelah $CATEGORY:"),
    ]


def test_empty_quiz() -> None:
    assert errors_of("---\ntitle: Kosong\n---\n// belum ada\n") == [
        (4, "kuis tidak berisi pertanyaan")
    ]
