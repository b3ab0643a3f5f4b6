"""Drawing a paper, showing it to the learner, and reading the submitted form."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from elearn.learning.paper import (
    MAX_TEXT_ANSWER,
    answers_from_form,
    draw_paper,
    questions_for_learner,
)
from elearn.learning.scoring import normalize_text
from tests.learning.quiz_records import (
    full_paper,
    gift_record,
    markdown_record,
    question,
    sample_course_records,
)

POOL = """
## Soal satu
- [x] A1
- [ ] B1
- [ ] C1
- [ ] D1

## Soal dua
- [x] A2
- [x] B2
- [ ] C2
- [ ] D2

## Soal tiga
= walidata

## Soal empat
= 45

## Soal lima
- [ ] A5
- [x] B5
- [ ] C5
"""

MIXED_GIFT = """
::Pilih:: Ibu kota Sulawesi Tengah? {=Palu#Tepat ~Mamuju#Itu Sulawesi Barat ~Kendari}

::Banyak:: Data pribadi spesifik? {~%50%Kesehatan ~%50%Keuangan ~%-50%Agama ~%-50%Hobi}

::BS:: NIP adalah data pribadi. {TRUE#Kurang tepat#Tepat}

::Isian:: Unit pengelola data disebut … {=walidata#Benar}

::Angka:: Berapa menit satu JP? {#45#Benar}

::Jodoh:: Pasangkan provinsi dan ibu kotanya. {
=Aceh -> Banda Aceh
=Bali -> Denpasar
=Sumatera Utara -> Medan
= -> Jakarta
}

::Esai:: Ceritakan pengalaman Anda. {}
"""


VIEW_KEYS = {"key", "kind", "number", "text_html", "choices", "prompts", "options", "multiple"}


def keys(record: dict[str, Any]) -> list[str]:
    return [q["key"] for q in record["questions"]]


def test_whole_pool_in_source_order_without_shuffle() -> None:
    record = markdown_record(POOL)
    paper = draw_paper(record, random.Random(1))
    assert [entry["key"] for entry in paper] == keys(record)
    assert [entry["choices"] for entry in paper] == [
        [0, 1, 2, 3],
        [0, 1, 2, 3],
        None,
        None,
        [0, 1, 2],
    ]
    assert all(entry["answers"] is None for entry in paper)
    assert json.loads(json.dumps(paper)) == paper


def test_draw_takes_that_many_distinct_questions_in_source_order() -> None:
    record = markdown_record(POOL, draw=3)
    order = keys(record)
    drawn = set()
    for seed in range(30):
        paper = draw_paper(record, random.Random(seed))
        positions = [order.index(entry["key"]) for entry in paper]
        assert len(set(positions)) == 3
        assert positions == sorted(positions)
        drawn.update(positions)
    assert drawn == {0, 1, 2, 3, 4}  # every question can be drawn


def test_shuffle_changes_question_and_choice_order() -> None:
    record = markdown_record(POOL, shuffle=True)
    papers = [draw_paper(record, random.Random(seed)) for seed in range(20)]
    assert any([e["key"] for e in p] != keys(record) for p in papers)
    assert any(
        p_entry["choices"] != sorted(p_entry["choices"])
        for p in papers
        for p_entry in p
        if p_entry["choices"]
    )
    for paper in papers:
        assert sorted(e["key"] for e in paper) == sorted(keys(record))
        first = next(e for e in paper if e["key"] == keys(record)[0])
        assert sorted(first["choices"]) == [0, 1, 2, 3]


def test_draw_with_shuffle_is_random_order_of_a_random_selection() -> None:
    record = markdown_record(POOL, draw=4, shuffle=True)
    order = keys(record)
    papers = [draw_paper(record, random.Random(seed)) for seed in range(30)]
    assert all(len(paper) == 4 for paper in papers)
    positions = [[order.index(e["key"]) for e in paper] for paper in papers]
    assert any(p != sorted(p) for p in positions)


def test_same_seed_same_paper_other_seed_other_paper() -> None:
    record = gift_record(MIXED_GIFT, draw=5, shuffle=True)
    assert draw_paper(record, random.Random(7)) == draw_paper(record, random.Random(7))
    papers = {json.dumps(draw_paper(record, random.Random(seed))) for seed in range(10)}
    assert len(papers) > 1


def test_matching_offers_distinct_answers_with_distractors_shuffled() -> None:
    record = gift_record(MIXED_GIFT.replace("= -> Jakarta", "= -> Jakarta\n= -> Medan"))
    key = question(record, "Jodoh")["key"]
    offered = []
    for seed in range(20):
        entry = next(e for e in draw_paper(record, random.Random(seed)) if e["key"] == key)
        assert entry["choices"] is None
        assert sorted(entry["answers"]) == sorted(["Banda Aceh", "Denpasar", "Medan", "Jakarta"])
        offered.append(entry["answers"])
    assert len({tuple(options) for options in offered}) > 1  # shuffled even without `shuffle`


def test_learner_view_numbers_questions_and_keeps_paper_order() -> None:
    record = gift_record(MIXED_GIFT)
    pick, jodoh = question(record, "Pilih"), question(record, "Jodoh")
    paper = [
        {
            "key": jodoh["key"],
            "choices": None,
            "answers": ["Medan", "Jakarta", "Banda Aceh", "Denpasar"],
        },
        {"key": "tidak-ada", "choices": None, "answers": None},
        {"key": pick["key"], "choices": [2, 0, 1], "answers": None},
    ]
    view = questions_for_learner(record, paper)
    assert [(q["number"], q["key"], q["kind"]) for q in view] == [
        (1, jodoh["key"], "matching"),
        (2, pick["key"], "single"),
    ]
    matching, single = view
    assert matching["prompts"] == [
        {"index": 0, "html": "<p>Aceh</p>"},
        {"index": 1, "html": "<p>Bali</p>"},
        {"index": 2, "html": "<p>Sumatera Utara</p>"},
    ]
    assert matching["options"] == ["Medan", "Jakarta", "Banda Aceh", "Denpasar"]
    assert single["choices"] == [
        {"value": "2", "html": "<p>Kendari</p>"},
        {"value": "0", "html": "<p>Palu</p>"},
        {"value": "1", "html": "<p>Mamuju</p>"},
    ]
    assert single["multiple"] is False
    assert single["text_html"] == "<p>Ibu kota Sulawesi Tengah?</p>"


def test_learner_view_marks_multiple_response() -> None:
    record = gift_record(MIXED_GIFT)
    view = questions_for_learner(record, full_paper(record))
    assert [q["multiple"] for q in view] == [False, True, False, False, False, False, False]
    assert [len(q["choices"]) for q in view] == [3, 4, 0, 0, 0, 0, 0]


def _feedbacks(record: dict[str, Any]) -> set[str]:
    """Return every non-empty feedback HTML of ``record``."""
    anywhere: set[str] = set()
    for q in record["questions"]:
        anywhere.add(q["general_feedback_html"])
        for item in q.get("choices", []) + q.get("short_answers", []):
            anywhere.add(item["feedback_html"])
        for item in q.get("numeric_answers", []):
            anywhere.add(item["feedback_html"])
        if "true_false" in q:
            anywhere |= {
                q["true_false"]["feedback_true_html"],
                q["true_false"]["feedback_false_html"],
            }
    anywhere.discard("")
    return anywhere


def _secrets(q: dict[str, Any]) -> set[str]:
    """Return answer-key strings of one question: accepted texts, numbers, fractions."""
    found = {normalize_text(a["text"]) for a in q.get("short_answers", []) if a["text"] != "*"}
    for a in q.get("numeric_answers", []):
        found |= {json.dumps(a["value"]), f"{a['value']:g}", f"{a['value']:g}".replace(".", ",")}
    found |= {json.dumps(c["fraction"]) for c in q.get("choices", [])}
    return found - {"0", "1", "0.0", "1.0"}


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


@pytest.mark.parametrize(
    "record", [pytest.param(record, id=label) for label, record in sample_course_records()]
)
def test_learner_view_leaks_no_answer_key(record: dict[str, Any]) -> None:
    view = questions_for_learner(record, full_paper(record))
    assert len(view) == len(record["questions"])
    whole = json.dumps(view, ensure_ascii=False)
    for word in ("fraction", "feedback", "tolerance", "short_answers", "true_false", "correct"):
        assert word not in whole
    feedbacks = _feedbacks(record)
    assert feedbacks, "the sample quiz should have feedback to hide"
    for feedback in feedbacks:
        assert feedback not in whole
    for q, shown in zip(record["questions"], view, strict=True):
        assert set(shown) == VIEW_KEYS
        assert all(set(choice) == {"value", "html"} for choice in shown["choices"])
        assert all(set(prompt) == {"index", "html"} for prompt in shown["prompts"])
        if q["kind"] in {"truefalse", "short", "numeric", "essay"}:
            assert shown["choices"] == shown["prompts"] == shown["options"] == []
        leaves = _leaves({k: v for k, v in shown.items() if k != "text_html"})
        assert not [leaf for leaf in leaves if isinstance(leaf, float)]
        shown_texts = {normalize_text(leaf) for leaf in leaves if isinstance(leaf, str)}
        assert not shown_texts & _secrets(q), q["name"]


def _form_record() -> tuple[dict[str, Any], dict[str, str]]:
    record = gift_record(MIXED_GIFT)
    names = {q["name"]: q["key"] for q in record["questions"]}
    return record, names


def test_answers_from_form_reads_every_kind() -> None:
    record, k = _form_record()
    form = MultiDict(
        [
            (f"q-{k['Pilih']}", "0"),
            (f"q-{k['Banyak']}", "2"),
            (f"q-{k['Banyak']}", "0"),
            (f"q-{k['Banyak']}", "2"),
            (f"q-{k['BS']}", "false"),
            (f"q-{k['Isian']}", "  Wali data \r\n"),
            (f"q-{k['Angka']}", " 45 "),
            (f"q-{k['Jodoh']}-0", "Banda Aceh"),
            (f"q-{k['Jodoh']}-2", "Jakarta"),
            (f"q-{k['Esai']}", "Baris satu\r\nBaris dua\x00"),
        ]
    )
    assert answers_from_form(form, full_paper(record), record) == {
        k["Pilih"]: "0",
        k["Banyak"]: ["0", "2"],
        k["BS"]: "false",
        k["Isian"]: "Wali data",
        k["Angka"]: "45",
        k["Jodoh"]: {"0": "Banda Aceh", "2": "Jakarta"},
        k["Esai"]: "Baris satu\nBaris dua",
    }


def test_answers_from_form_ignores_forged_fields() -> None:
    record, k = _form_record()
    paper = [e for e in full_paper(record) if e["key"] != k["Angka"]]  # not drawn
    form = MultiDict(
        [
            ("score", "100"),
            ("passed", "true"),
            ("user_id", "1"),
            ("q-bukan-soal", "0"),
            (f"q-{k['Angka']}", "45"),
            (f"q-{k['Pilih']}-0", "0"),
            (f"q-{k['BS']}", "true"),
        ]
    )
    assert answers_from_form(form, paper, record) == {k["BS"]: "true"}


@pytest.mark.parametrize("value", ["4", "17", "-1", "1.0", "01", " 1", "satu", ""])
def test_invalid_choice_is_dropped(value: str) -> None:
    record, k = _form_record()
    form = MultiDict([(f"q-{k['Pilih']}", value), (f"q-{k['Banyak']}", value)])
    assert answers_from_form(form, full_paper(record), record) == {}


def test_choice_not_on_the_paper_is_dropped() -> None:
    record, k = _form_record()
    paper = [{"key": k["Banyak"], "choices": [3, 1], "answers": None}]
    form = MultiDict([(f"q-{k['Banyak']}", "0"), (f"q-{k['Banyak']}", "1")])
    assert answers_from_form(form, paper, record) == {k["Banyak"]: ["1"]}


def test_single_choice_keeps_the_first_valid_value() -> None:
    record, k = _form_record()
    form = MultiDict([(f"q-{k['Pilih']}", "9"), (f"q-{k['Pilih']}", "2"), (f"q-{k['Pilih']}", "0")])
    assert answers_from_form(form, full_paper(record), record) == {k["Pilih"]: "2"}


def test_true_false_accepts_only_true_or_false() -> None:
    record, k = _form_record()
    for value in ("TRUE", "ya", "1", ""):
        form = MultiDict([(f"q-{k['BS']}", value)])
        assert answers_from_form(form, full_paper(record), record) == {}


def test_unknown_matching_option_and_distractor_prompt_are_dropped() -> None:
    record, k = _form_record()
    form = MultiDict(
        [
            (f"q-{k['Jodoh']}-0", "Bandung"),
            (f"q-{k['Jodoh']}-1", "Denpasar"),
            (f"q-{k['Jodoh']}-3", "Jakarta"),  # pair 3 is a distractor, not a prompt
            (f"q-{k['Jodoh']}-9", "Medan"),
            (f"q-{k['Jodoh']}-2", ""),
        ]
    )
    assert answers_from_form(form, full_paper(record), record) == {k["Jodoh"]: {"1": "Denpasar"}}


def test_matching_option_must_be_offered_on_the_paper() -> None:
    record, k = _form_record()
    paper = [{"key": k["Jodoh"], "choices": None, "answers": ["Medan", "Denpasar"]}]
    form = MultiDict([(f"q-{k['Jodoh']}-0", "Banda Aceh"), (f"q-{k['Jodoh']}-1", "Denpasar")])
    assert answers_from_form(form, paper, record) == {k["Jodoh"]: {"1": "Denpasar"}}


def test_text_answers_are_trimmed_capped_and_blank_ones_absent() -> None:
    record, k = _form_record()
    form = MultiDict(
        [(f"q-{k['Esai']}", "  " + "a" * (MAX_TEXT_ANSWER + 50)), (f"q-{k['Isian']}", " \t\r\n ")]
    )
    answers = answers_from_form(form, full_paper(record), record)
    assert answers == {k["Esai"]: "a" * MAX_TEXT_ANSWER}


def test_plain_mapping_is_accepted() -> None:
    record, k = _form_record()
    form = {f"q-{k['Banyak']}": ["0", "1"], f"q-{k['Isian']}": "walidata", f"q-{k['BS']}": 1}
    assert answers_from_form(form, full_paper(record), record) == {
        k["Banyak"]: ["0", "1"],
        k["Isian"]: "walidata",
    }


def test_saved_answers_round_trip_through_the_learner_view() -> None:
    record, _ = _form_record()
    paper = draw_paper(record, random.Random(3))
    view = questions_for_learner(record, paper)
    fields = []
    for q in view:
        if q["choices"]:
            fields.append((f"q-{q['key']}", q["choices"][-1]["value"]))
        for prompt, option in zip(q["prompts"], q["options"], strict=False):
            fields.append((f"q-{q['key']}-{prompt['index']}", option))
    answers = answers_from_form(MultiDict(fields), paper, record)
    assert len(answers) == 3  # single, multiple and matching: every offered value is accepted
    assert json.loads(json.dumps(answers)) == answers
