"""Scoring answers by Moodle's rules, per question and per attempt."""

from __future__ import annotations

import random
from dataclasses import asdict
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from elearn.learning.paper import answers_from_form, draw_paper
from elearn.learning.scoring import (
    QuestionResult,
    parse_number,
    score_attempt,
    score_question,
    short_answer_matches,
    within_tolerance,
)
from tests.learning.quiz_records import (
    full_paper,
    gift_record,
    markdown_record,
    question,
    right_answer_fields,
    sample_course_records,
)


def gift_question(source: str) -> dict[str, Any]:
    return gift_record(source)["questions"][0]


def markdown_question(source: str) -> dict[str, Any]:
    return markdown_record(source)["questions"][0]


SINGLE = gift_question(
    "::S:: Ibu kota Sulawesi Tengah? {=Palu#Tepat ~Mamuju#Itu ibu kota Sulawesi Barat ~Kendari}"
)


def test_stored_result_is_what_asdict_gives() -> None:
    """``QuizAttempt.results`` keeps the rows ``dataclasses.asdict`` made before: the same
    keys in the same order, so a field added to QuestionResult must be stored too."""
    results = [
        score_question(SINGLE, "0"),
        score_question(SINGLE, "1"),
        score_question(SINGLE, None),
    ]
    for result in results:
        assert list(result.stored().items()) == list(asdict(result).items())


def test_single_choice_credit_and_chosen_feedback() -> None:
    assert score_question(SINGLE, "0") == QuestionResult(
        SINGLE["key"], 1.0, True, True, "<p>Tepat</p>"
    )
    wrong = score_question(SINGLE, "1")
    assert (wrong.fraction, wrong.correct) == (0.0, False)
    assert wrong.feedback_html == "<p>Itu ibu kota Sulawesi Barat</p>"
    assert score_question(SINGLE, "2").feedback_html == ""


@pytest.mark.parametrize("answer", [None, "", "3", "-1", "x", True, [], {"0": "0"}])
def test_single_choice_unanswered_or_invalid_scores_zero(answer: Any) -> None:
    result = score_question(SINGLE, answer)
    assert (result.fraction, result.scored, result.correct, result.feedback_html) == (
        0.0,
        True,
        False,
        "",
    )


def test_gift_weighted_single_gives_partial_credit_and_clamps_negative() -> None:
    weighted = gift_question(
        "::W:: Pilih yang paling tepat. {=penuh ~%50%setengah ~%-50%keliru#Minus ~salah}"
    )
    assert [score_question(weighted, str(i)).fraction for i in range(4)] == [1.0, 0.5, 0.0, 0.0]
    assert score_question(weighted, "1").correct is False
    assert score_question(weighted, "2").feedback_html == "<p>Minus</p>"


MULTIPLE = markdown_question(
    """
## Pilih semua bias berpikir.
- [x] Bias konfirmasi
- [x] Biaya hangus
- [ ] Menetapkan kriteria lebih dulu
- [x] Jangkar
- [ ] Uji coba kecil
"""
)


@pytest.mark.parametrize(
    ("chosen", "fraction"),
    [
        (["0", "1", "3"], 1.0),
        (["0", "1"], 0.666667),
        (["0"], 0.333333),
        (["0", "1", "3", "2"], 0.5),  # 1 − 1/2 for the wrong one
        (["0", "2"], 0.0),  # 1/3 − 1/2 clamped
        (["2", "4"], 0.0),  # −1 clamped
        (["0", "1", "2", "3", "4"], 0.0),  # ticking everything earns nothing
        (["0", "0", "0"], 0.333333),  # repeats count once
    ],
)
def test_multiple_response_partial_credit(chosen: list[str], fraction: float) -> None:
    result = score_question(MULTIPLE, chosen)
    assert result.fraction == fraction
    assert result.correct is (fraction == 1.0)


def test_gift_multiple_response_weights_sum_and_clamp() -> None:
    weighted = gift_question(
        "::M:: Data pribadi spesifik? "
        "{~%50%Kesehatan#Ya ~%50%Keuangan#Ya juga ~%-50%Agama#Bukan ~%-50%Hobi}"
    )
    assert score_question(weighted, ["0", "1"]).fraction == 1.0
    assert score_question(weighted, ["0"]).fraction == 0.5
    assert score_question(weighted, ["0", "2"]).fraction == 0.0
    assert score_question(weighted, ["2", "3"]).fraction == 0.0
    assert score_question(weighted, ["0", "1", "2"]).fraction == 0.5
    assert score_question(weighted, ["2", "0"]).feedback_html == "<p>Ya</p>\n<p>Bukan</p>"


def test_true_false_scores_and_gives_the_branch_feedback() -> None:
    # GIFT: after FALSE, the first feedback is for a wrong answer, the second for a right one.
    tf = gift_question("::TF:: NIP bukan data pribadi. {FALSE#Kurang tepat#Tepat}")
    right, wrong = score_question(tf, "false"), score_question(tf, "true")
    assert (right.fraction, right.correct, right.feedback_html) == (1.0, True, "<p>Tepat</p>")
    assert (wrong.fraction, wrong.correct, wrong.feedback_html) == (
        0.0,
        False,
        "<p>Kurang tepat</p>",
    )
    assert score_question(tf, "ya").fraction == 0.0
    truth = gift_question("::T:: Satu JP sama dengan 45 menit. {T}")
    assert score_question(truth, "true").fraction == 1.0
    assert score_question(truth, "false").fraction == 0.0


def test_short_answer_ignores_case_and_spacing() -> None:
    short = markdown_question("## Unit pengelola data disebut …\n= walidata\n= wali data\n")
    for typed in ("walidata", "WALIDATA", "  Wali   Data ", "wali\tdata"):
        assert score_question(short, typed).fraction == 1.0, typed
    for typed in ("wali-data", "walidat", "walidata x"):
        assert score_question(short, typed).fraction == 0.0, typed


def test_short_answer_first_match_wins_with_its_weight_and_feedback() -> None:
    short = gift_question(
        "::K:: Ibu kota Indonesia? {=%50%jakarta*#Hampir: tulis nama resminya =Nusantara#Tepat}"
    )
    assert score_question(short, "Nusantara").feedback_html == "<p>Tepat</p>"
    result = score_question(short, "Jakarta Pusat")
    assert (result.fraction, result.correct) == (0.5, False)
    assert result.feedback_html == "<p>Hampir: tulis nama resminya</p>"


def test_short_answer_wildcard_and_escaped_star() -> None:
    short = gift_question("::H:: Tulis rumusnya. {=5\\*3 =%0%*#Coba lagi}")
    assert [a["text"] for a in short["short_answers"]] == ["5\\*3", "*"]
    assert score_question(short, "5*3").fraction == 1.0
    other = score_question(short, "573")
    assert (other.fraction, other.feedback_html) == (0.0, "<p>Coba lagi</p>")
    assert score_question(short, "").feedback_html == ""  # blank is unanswered, not "anything"


@pytest.mark.parametrize(
    ("accepted", "typed", "matches"),
    [
        ("kantor*daerah", "Kantor Dinas Daerah", True),
        ("kantor*daerah", "kantordaerah", True),
        ("kantor * daerah", "kantor daerah", False),  # as Moodle: spaces around the star stay
        ("kantor * daerah", "kantor pusat daerah", True),
        ("a**b", "axyb", True),
        ("*", "apa saja", True),
        ("5\\*3", "513", False),
        ("a.b", "axb", False),  # regex characters are literal
        ("(x)", "(X)", True),
    ],
)
def test_short_answer_matching(accepted: str, typed: str, matches: bool) -> None:
    assert short_answer_matches(accepted, typed) is matches


NUMERIC = markdown_question("## Berapa rasio capaiannya?\n= 0.75\n")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0.75", 0.75),
        ("0,75", 0.75),
        ("1.000", 1.0),  # the dot is always the decimal point
        (" 1 000 ", 1000.0),
        ("-2,5", -2.5),
        ("\u22123", -3.0),
        ("+4", 4.0),
        ("45.", 45.0),
        (",5", 0.5),
        ("2e3", 2000.0),
        ("1,000.5", None),
        ("1,2,3", None),
        ("1.2.3", None),
        ("", None),
        ("abc", None),
        ("nan", None),
        ("inf", None),
        ("1e999", None),
        ("12 jam", None),
    ],
)
def test_parse_number(text: str, number: float | None) -> None:
    assert parse_number(text) == number


def test_numeric_accepts_the_indonesian_decimal_comma() -> None:
    assert score_question(NUMERIC, "0,75").fraction == 1.0
    assert score_question(NUMERIC, "0.75").fraction == 1.0
    assert score_question(NUMERIC, "0,76").fraction == 0.0
    assert score_question(NUMERIC, "tiga perempat").fraction == 0.0


def test_numeric_dot_is_decimal_so_1_000_is_one() -> None:
    one = markdown_question("## Berapa?\n= 1\n")
    assert score_question(one, "1.000").fraction == 1.0
    thousand = markdown_question("## Berapa?\n= 1000\n")
    assert score_question(thousand, "1.000").fraction == 0.0
    assert score_question(thousand, "1 000").fraction == 1.0


def test_numeric_tolerance_bounds_are_inclusive() -> None:
    markdown = markdown_question("## Berapa?\n= 75 ± 0.5\n")
    assert [score_question(markdown, t).fraction for t in ("74,5", "75.5", "75.6", "74.4")] == [
        1.0,
        1.0,
        0.0,
        0.0,
    ]
    gift = gift_question("::N:: Kenaikan indeks? {#0.65:0.005}")
    assert score_question(gift, "0,655").fraction == 1.0  # 0.655 − 0.65 is 0.0050000000000000044
    assert score_question(gift, "0,656").fraction == 0.0
    assert within_tolerance(3.0, 2.0, None) is True


def test_numeric_first_match_wins_and_catch_all_gives_feedback() -> None:
    numeric = gift_question(
        "::J:: Batas pemberitahuan (jam)? {#=72:0#Tepat =%50%70..74#Dekat ~#Bukan}"
    )
    scores = {t: score_question(numeric, t) for t in ("72", "73", "100", "x")}
    assert [(r.fraction, r.feedback_html) for r in scores.values()] == [
        (1.0, "<p>Tepat</p>"),
        (0.5, "<p>Dekat</p>"),
        (0.0, "<p>Bukan</p>"),  # any number matches the catch-all
        (0.0, ""),  # not a number: nothing matches
    ]


MATCHING = gift_question(
    """::P:: Pasangkan provinsi dan ibu kotanya. {
=Aceh -> Banda Aceh
=Bali -> Denpasar
= -> Jakarta
=Sumatera Utara -> Medan
=Papua -> Jayapura
}"""
)


@pytest.mark.parametrize(
    ("answer", "fraction"),
    [
        ({"0": "Banda Aceh", "1": "Denpasar", "3": "Medan", "4": "Jayapura"}, 1.0),
        ({"0": "Banda Aceh", "1": "Denpasar", "3": "Medan", "4": "Jakarta"}, 0.75),
        ({"0": "Banda Aceh", "1": "Denpasar"}, 0.5),
        ({"0": "Denpasar", "1": "Banda Aceh", "2": "Jakarta"}, 0.0),  # 2 is not a prompt
        ("Banda Aceh", 0.0),
    ],
)
def test_matching_credit_is_the_share_of_prompts_matched(answer: Any, fraction: float) -> None:
    assert score_question(MATCHING, answer).fraction == fraction


def test_essay_is_not_scored() -> None:
    essay = gift_question("::E:: Ceritakan pengalaman Anda memimpin tim. {}")
    assert score_question(essay, "Pengalaman saya ...") == QuestionResult(
        essay["key"], 0.0, False, False, ""
    )


def test_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown question kind"):
        score_question({"key": "k", "kind": "cloze"}, "x")


QUIZ = """
::Q1:: Satu {=a ~b}

::Q2:: Dua {=a ~b}

::Q3:: Tiga {=a ~b}

::Esai:: Ceritakan. {}

::Q4:: Empat {~%50%a ~%50%b ~%-100%c}
"""


def test_percent_is_the_mean_of_scored_questions_essays_excluded() -> None:
    record = gift_record(QUIZ, pass_mark=60)
    k = {q["name"]: q["key"] for q in record["questions"]}
    answers = {k["Q1"]: "0", k["Q2"]: "1", k["Esai"]: "Panjang", k["Q4"]: ["0"]}  # Q3 unanswered
    score = score_attempt(record, full_paper(record), answers)
    assert score.auto_scored == 4
    assert score.percent == 37.5  # (1 + 0 + 0 + 0.5) / 4
    assert score.passed is False
    assert [r.key for r in score.results] == [q["key"] for q in record["questions"]]
    assert [r.scored for r in score.results] == [True, True, True, False, True]


def test_percent_is_rounded_to_two_decimals() -> None:
    record = gift_record(QUIZ)
    k = {q["name"]: q["key"] for q in record["questions"]}
    paper = [e for e in full_paper(record) if e["key"] in {k["Q1"], k["Q2"], k["Q3"]}]
    assert score_attempt(record, paper, {k["Q1"]: "0", k["Q2"]: "0"}).percent == 66.67


@pytest.mark.parametrize(("pass_mark", "passed"), [(74, True), (75, True), (76, False)])
def test_exactly_the_pass_mark_passes(pass_mark: int, passed: bool) -> None:
    record = gift_record(QUIZ, pass_mark=pass_mark)
    k = {q["name"]: q["key"] for q in record["questions"]}
    answers = {k["Q1"]: "0", k["Q2"]: "0", k["Q3"]: "0"}
    score = score_attempt(record, full_paper(record), answers)
    assert (score.percent, score.passed) == (75.0, passed)


def test_only_questions_on_the_paper_count() -> None:
    record = gift_record(QUIZ, draw=2)
    k = {q["name"]: q["key"] for q in record["questions"]}
    paper = [
        {"key": k["Q2"], "choices": [1, 0], "answers": None},
        {"key": "dihapus", "choices": None, "answers": None},
        {"key": k["Q1"], "choices": [0, 1], "answers": None},
    ]
    answers = {k["Q1"]: "0", k["Q2"]: "0", k["Q3"]: "0", k["Q4"]: ["0", "1"]}
    score = score_attempt(record, paper, answers)
    assert [r.key for r in score.results] == [k["Q2"], k["Q1"]]
    assert (score.percent, score.auto_scored) == (100.0, 2)


def test_essay_only_paper_passes_once_every_essay_is_answered() -> None:
    record = gift_record("::E1:: Satu. {}\n\n::E2:: Dua. {}\n", pass_mark=80)
    k = {q["name"]: q["key"] for q in record["questions"]}
    paper = full_paper(record)
    blank = score_attempt(record, paper, {k["E1"]: "Jawaban"})
    assert (blank.percent, blank.passed, blank.auto_scored) == (0.0, False, 0)
    done = score_attempt(record, paper, {k["E1"]: "Jawaban", k["E2"]: "Jawaban lain"})
    assert (done.percent, done.passed, done.auto_scored) == (100.0, True, 0)


@pytest.mark.parametrize(
    "record", [pytest.param(record, id=label) for label, record in sample_course_records()]
)
def test_sample_quizzes_score_end_to_end(record: dict[str, Any]) -> None:
    paper = draw_paper(record, random.Random(11))
    right = answers_from_form(MultiDict(right_answer_fields(record)), paper, record)
    perfect = score_attempt(record, paper, right)
    assert (perfect.percent, perfect.passed) == (100.0, True)
    assert all(r.correct for r in perfect.results if r.scored)
    assert perfect.auto_scored == len(paper)  # the sample quizzes have no essays
    empty = score_attempt(record, paper, answers_from_form(MultiDict(), paper, record))
    assert (empty.percent, empty.passed) == (0.0, False)


def test_a_sample_course_multiple_response_gives_partial_credit() -> None:
    records = dict(sample_course_records())
    specific = question(
        records["administrasi-digital/evaluasi-akhir"], "AD-E02 Data pribadi spesifik"
    )
    assert score_question(specific, ["0"]).fraction == 0.5
    assert score_question(specific, ["0", "2"]).fraction == 0.0
