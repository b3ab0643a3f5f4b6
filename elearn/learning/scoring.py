"""Score quiz answers against the stored quiz record, following Moodle's rules.

Answers come from :func:`elearn.learning.paper.answers_from_form`: a choice
index string (single), a list of them (multiple), "true"/"false", a text
(short, numeric, essay) or ``{prompt index string: option}`` (matching).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CORRECT = 0.999  # a fraction at least this high counts as fully correct
FRACTION_DIGITS = 6  # stored fractions are rounded to drop float noise such as 0.30000000000000004
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_UNESCAPED_STARS = re.compile(r"(?<!\\)\*+")  # Moodle: a run of '*' is one wildcard


@dataclass(frozen=True)
class QuestionResult:
    """The outcome of one question: credit 0..1 and the feedback for the chosen answer."""

    key: str
    fraction: float
    scored: bool  # False for essays, which are kept but never auto-scored
    correct: bool
    feedback_html: str

    def stored(self) -> dict[str, Any]:
        """The result as ``QuizAttempt.results`` stores it: ``dataclasses.asdict``'s dict,
        made without its recursive walk and deep copy of every field (a submit makes one
        per question)."""
        return {
            "key": self.key,
            "fraction": self.fraction,
            "scored": self.scored,
            "correct": self.correct,
            "feedback_html": self.feedback_html,
        }


@dataclass(frozen=True)
class AttemptScore:
    percent: float
    passed: bool
    results: tuple[QuestionResult, ...]  # in paper order
    auto_scored: int  # questions on the paper that count towards the percentage


def score_attempt(
    record: Mapping[str, Any], paper: list[dict[str, Any]], answers: Mapping[str, Any]
) -> AttemptScore:
    """Score every question on the paper and decide whether the attempt passed.

    The percentage is the mean credit of the scored questions (essays excluded,
    unanswered ones count 0), rounded to 2 decimals; it passes at or above the
    pass mark. A paper with no scored question (only essays) has nothing that
    could be wrong: it scores 100 and passes once every question on it is
    answered, else it scores 0 — so an essay-only quiz is neither a trap nor a
    free pass for a blank submission.
    """
    by_key = {question["key"]: question for question in record["questions"]}
    results = tuple(
        score_question(by_key[entry["key"]], answers.get(entry["key"]))
        for entry in paper
        if entry["key"] in by_key
    )
    scored = [result for result in results if result.scored]
    if scored:
        percent = round(100 * sum(result.fraction for result in scored) / len(scored), 2)
    else:
        everything_answered = all(_answered(answers.get(result.key)) for result in results)
        percent = 100.0 if everything_answered else 0.0
    passed = percent >= record["settings"]["pass_mark"]
    return AttemptScore(percent, passed, results, len(scored))


def _answered(answer: Any) -> bool:
    if isinstance(answer, str):
        return bool(answer.strip())
    return answer is not None and answer != [] and answer != {}


def score_question(question: Mapping[str, Any], answer: Any) -> QuestionResult:
    """Score one answer (``None`` when unanswered) to one question of a quiz record."""
    kind = question["kind"]
    if kind == "essay":
        return QuestionResult(question["key"], 0.0, False, False, "")
    scorer = _SCORERS.get(kind)
    if scorer is None:
        raise ValueError(f"unknown question kind {kind!r}")
    fraction, feedback = scorer(question, answer) if _answered(answer) else (0.0, "")
    fraction = round(min(1.0, max(0.0, fraction)), FRACTION_DIGITS)
    return QuestionResult(question["key"], fraction, True, fraction >= CORRECT, feedback)


def _choice_index(value: Any, count: int) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and 0 <= value < count:
        return value
    return None


def _single(question: Mapping[str, Any], answer: Any) -> tuple[float, str]:
    choices = question["choices"]
    index = _choice_index(answer, len(choices))
    if index is None:
        return 0.0, ""
    return float(choices[index]["fraction"]), choices[index]["feedback_html"]


def _multiple(question: Mapping[str, Any], answer: Any) -> tuple[float, str]:
    # Moodle: the chosen fractions are summed (wrong ones are negative), then clamped.
    choices = question["choices"]
    values = answer if isinstance(answer, list | tuple) else [answer]
    chosen = sorted({i for v in values if (i := _choice_index(v, len(choices))) is not None})
    total = sum(float(choices[i]["fraction"]) for i in chosen)
    return total, _joined(choices[i]["feedback_html"] for i in chosen)


def _true_false(question: Mapping[str, Any], answer: Any) -> tuple[float, str]:
    said = {"true": True, "false": False}.get(answer) if isinstance(answer, str) else answer
    if not isinstance(said, bool):
        return 0.0, ""
    tf = question["true_false"]
    feedback = tf["feedback_true_html"] if said else tf["feedback_false_html"]
    return (1.0 if said == tf["correct"] else 0.0), feedback


def _short(question: Mapping[str, Any], answer: Any) -> tuple[float, str]:
    if not isinstance(answer, str):
        return 0.0, ""
    for accepted in question["short_answers"]:
        if short_answer_matches(accepted["text"], answer):
            return float(accepted["fraction"]), accepted["feedback_html"]
    return 0.0, ""


def _numeric(question: Mapping[str, Any], answer: Any) -> tuple[float, str]:
    number = parse_number(answer) if isinstance(answer, str) else None
    if number is None:
        return 0.0, ""
    for accepted in question["numeric_answers"]:
        if within_tolerance(number, accepted["value"], accepted["tolerance"]):
            return float(accepted["fraction"]), accepted["feedback_html"]
    return 0.0, ""


def _matching(question: Mapping[str, Any], answer: Any) -> tuple[float, str]:
    if not isinstance(answer, Mapping):
        return 0.0, ""
    # Pairs without a prompt are distractor answers only: there is nothing to match them to.
    prompts = [(i, pair) for i, pair in enumerate(question["pairs"]) if pair["prompt_html"]]
    if not prompts:
        return 0.0, ""
    right = sum(1 for i, pair in prompts if answer.get(str(i)) == pair["answer"])
    return right / len(prompts), ""


_SCORERS = {
    "single": _single,
    "multiple": _multiple,
    "truefalse": _true_false,
    "short": _short,
    "numeric": _numeric,
    "matching": _matching,
}


def _joined(feedbacks: Any) -> str:
    return "\n".join(feedback for feedback in feedbacks if feedback)


def normalize_text(text: str) -> str:
    """Fold case, Unicode form and runs of whitespace, as short answers are compared."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def short_answer_matches(accepted: str, response: str) -> bool:
    """Tell whether ``response`` matches an accepted short answer.

    As in Moodle, ``*`` matches any run of characters and ``\\*`` is a literal
    star; unlike Moodle, case and inner whitespace runs never matter.
    """
    response = normalize_text(response)
    if not response:
        return False
    # Collapse whitespace inside the pieces but keep a space next to a star: "a * b"
    # wants something between two spaces, as in Moodle.
    pattern = " ".join(unicodedata.normalize("NFC", accepted).casefold().split())
    pieces = _UNESCAPED_STARS.split(pattern)
    regex = ".*".join(re.escape(piece.replace("\\*", "*")) for piece in pieces)
    return re.fullmatch(regex, response, flags=re.DOTALL) is not None


def parse_number(text: str) -> float | None:
    """Read a typed number: "0.75", "0,75" or "-1e3"; ``None`` when it is not one.

    Spaces are ignored. A single comma with no dot is the Indonesian decimal comma;
    a dot is always the decimal point ("1.000" is one), and any other comma makes
    the text unreadable rather than guessed at.
    """
    compact = "".join(text.split()).replace("\u2212", "-")  # also the typographic minus
    if "," in compact:
        if compact.count(",") != 1 or "." in compact:
            return None
        compact = compact.replace(",", ".")
    if not _NUMBER.fullmatch(compact):
        return None
    number = float(compact)
    return number if math.isfinite(number) else None


def within_tolerance(number: float, value: float, tolerance: float | None) -> bool:
    """Tell whether ``number`` is ``value ± tolerance``; ``None`` accepts any number.

    The bounds are inclusive with a hair of slack, as in Moodle, so that 0.655
    is within 0.65 ± 0.005 despite binary floating point.
    """
    if tolerance is None:
        return True
    slack = 1e-9 * max(1.0, abs(value))
    return abs(number - value) <= tolerance + slack
