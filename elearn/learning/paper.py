"""The paper of one quiz attempt: which questions, in which order, and what may be shown.

A paper is plain JSON stored with the attempt, so reloading the page shows
the same questions and choice order. It refers to the quiz record only by
question key and original choice index; the record keeps the answer key.
Paper entries whose key is no longer in the record (which publishing per
course version should prevent) are skipped here and in scoring alike.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

MAX_TEXT_ANSWER = 2000  # characters kept of a typed answer, as the form's maxlength
FIELD_PREFIX = "q-"
CHOICE_KINDS = frozenset({"single", "multiple"})
TEXT_KINDS = frozenset({"short", "numeric", "essay"})
TRUE_FALSE_VALUES = ("true", "false")
# Control characters other than tab and newline have no business in an answer, and
# PostgreSQL cannot store NUL in text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def draw_paper(record: Mapping[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """Draw the questions of one attempt and fix their order and choice order."""
    settings = record["settings"]
    questions = record["questions"]
    shuffle = bool(settings.get("shuffle"))
    positions = list(range(len(questions)))
    draw = settings.get("draw")
    if draw is not None and draw < len(positions):
        positions = rng.sample(positions, draw)
        if not shuffle:
            positions.sort()  # a random selection, shown in the author's order
    elif shuffle:
        rng.shuffle(positions)
    return [_entry(questions[position], shuffle, rng) for position in positions]


def _entry(question: Mapping[str, Any], shuffle: bool, rng: random.Random) -> dict[str, Any]:
    entry: dict[str, Any] = {"key": question["key"], "choices": None, "answers": None}
    if question["kind"] in CHOICE_KINDS:
        order = list(range(len(question.get("choices", []))))
        if shuffle:
            rng.shuffle(order)
        entry["choices"] = order
    elif question["kind"] == "matching":
        # Always shuffled: in source order the options would line up with their prompts.
        options = _distinct_answers(question)
        rng.shuffle(options)
        entry["answers"] = options
    return entry


def _distinct_answers(question: Mapping[str, Any]) -> list[str]:
    """Return the answers of a matching question, distractors included, first-seen order."""
    return list(dict.fromkeys(pair["answer"] for pair in question.get("pairs", [])))


def _questions_by_key(record: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {question["key"]: question for question in record["questions"]}


def _paper_choices(question: Mapping[str, Any], entry: Mapping[str, Any]) -> list[int]:
    """Return the choice indexes of ``entry`` that exist in ``question``, in paper order."""
    count = len(question.get("choices", []))
    order = entry.get("choices")
    if order is None:
        return list(range(count))
    kept = [i for i in order if isinstance(i, int) and not isinstance(i, bool) and 0 <= i < count]
    return list(dict.fromkeys(kept))


def _paper_options(question: Mapping[str, Any], entry: Mapping[str, Any]) -> list[str]:
    """Return the matching options of ``entry`` that the question still has."""
    known = _distinct_answers(question)
    offered = entry.get("answers")
    if offered is None:
        return sorted(known)  # sorted order says nothing about the pairing
    return [option for option in dict.fromkeys(offered) if option in known]


def _prompt_indexes(question: Mapping[str, Any]) -> list[int]:
    """Return the indexes of pairs that have a prompt; the others are distractor answers."""
    return [i for i, pair in enumerate(question.get("pairs", [])) if pair["prompt_html"]]


def questions_for_learner(
    record: Mapping[str, Any], paper: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Return what the attempt page may show before submission: no key, no feedback."""
    by_key = _questions_by_key(record)
    shown: list[dict[str, Any]] = []
    for entry in paper:
        question = by_key.get(entry["key"])
        if question is None:
            continue
        kind = question["kind"]
        view: dict[str, Any] = {
            "key": question["key"],
            "kind": kind,
            "number": len(shown) + 1,
            "text_html": question["text_html"],
            "choices": [],
            "prompts": [],
            "options": [],
            "multiple": kind == "multiple",
        }
        if kind in CHOICE_KINDS:
            view["choices"] = [
                {"value": str(i), "html": question["choices"][i]["html"]}
                for i in _paper_choices(question, entry)
            ]
        elif kind == "matching":
            view["prompts"] = [
                {"index": i, "html": question["pairs"][i]["prompt_html"]}
                for i in _prompt_indexes(question)
            ]
            view["options"] = _paper_options(question, entry)
        shown.append(view)
    return shown


def answers_from_form(
    form: Mapping[str, Any], paper: list[dict[str, Any]], record: Mapping[str, Any]
) -> dict[str, Any]:
    """Read the answers to the paper's questions from submitted form fields.

    Only fields of questions on the paper are read, so forged fields are never
    seen; values that the paper does not offer are dropped. The result maps a
    question key to: a choice index string (single), a list of them in index
    order (multiple), "true"/"false", a text (short, numeric, essay) or
    ``{prompt index string: option}`` (matching). Unanswered questions are absent.
    """
    by_key = _questions_by_key(record)
    answers: dict[str, Any] = {}
    for entry in paper:
        question = by_key.get(entry["key"])
        if question is None:
            continue
        answer = _answer(form, question, entry)
        if answer is not None:
            answers[question["key"]] = answer
    return answers


def _answer(form: Mapping[str, Any], question: Mapping[str, Any], entry: Mapping[str, Any]) -> Any:
    kind = question["kind"]
    field = FIELD_PREFIX + question["key"]
    values = _values(form, field)
    if kind in CHOICE_KINDS:
        offered = {str(i) for i in _paper_choices(question, entry)}
        if kind == "single":
            # A radio button sends one value; of a forged pile only the first valid counts.
            return next((v for v in values if v in offered), None)
        return sorted({v for v in values if v in offered}, key=int) or None
    if kind == "truefalse":
        return next((v for v in values if v in TRUE_FALSE_VALUES), None)
    if kind in TEXT_KINDS:
        text = clean_text(values[0]) if values else ""
        return text or None
    if kind == "matching":
        options = set(_paper_options(question, entry))
        matched = {}
        for index in _prompt_indexes(question):
            picked = _values(form, f"{field}-{index}")
            # Browsers send line breaks in option values as CRLF.
            option = picked[0].replace("\r\n", "\n") if picked else ""
            if option in options:
                matched[str(index)] = option
        return matched or None
    return None


def _values(form: Mapping[str, Any], name: str) -> list[str]:
    """Return every string submitted under ``name``, from a MultiDict or a plain mapping."""
    getlist = getattr(form, "getlist", None)
    raw = getlist(name) if callable(getlist) else form.get(name, [])
    if not isinstance(raw, list | tuple):
        raw = [raw]
    return [value for value in raw if isinstance(value, str)]


def clean_text(value: str) -> str:
    """Return a typed answer as stored: LF newlines, no control characters, trimmed, capped."""
    text = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return text[:MAX_TEXT_ANSWER].rstrip()


def unanswered(
    record: Mapping[str, Any], paper: list[dict[str, Any]], answers: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Return the questions of the paper left without an answer, numbered as on the page.

    A matching question counts as unanswered until every prompt has an option.
    """
    missing = []
    for view in questions_for_learner(record, paper):
        answer = answers.get(view["key"])
        if view["kind"] == "matching":
            complete = isinstance(answer, dict) and len(answer) == len(view["prompts"])
        else:
            complete = answer is not None
        if not complete:
            missing.append({"number": view["number"], "text_html": view["text_html"]})
    return missing
