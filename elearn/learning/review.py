"""What a learner sees of a submitted attempt, within what the quiz's review options allow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from elearn.content.quiz import REVIEW_PRESETS, ReviewMoment, ReviewOptions

# Records stored before review options name one of three modes. "full" was also the
# silent default then, so it reads as today's default: the key only after passing or
# the last attempt (publish the quiz again with ``review: full`` to show it at once).
_LEGACY_MODES = {
    "full": REVIEW_PRESETS["standard"],
    "feedback": REVIEW_PRESETS["feedback"],
    "score": REVIEW_PRESETS["score"],
}


@dataclass(frozen=True)
class ReviewShown:
    """Which parts of an attempt's review the learner may see now."""

    score: bool
    correctness: bool
    feedback: bool
    answers: bool

    @property
    def questions(self) -> bool:
        """Whether the review lists the questions at all."""
        return self.correctness or self.feedback or self.answers


def review_options_of(settings: Mapping[str, Any]) -> ReviewOptions:
    """The review options of a stored quiz record's settings (old records included)."""
    stored = settings.get("review")
    if isinstance(stored, str):
        return _LEGACY_MODES.get(stored, ReviewOptions())
    if not isinstance(stored, Mapping):
        return ReviewOptions()

    def moments(part: str) -> tuple[ReviewMoment, ...]:
        known = {m.value: m for m in ReviewMoment}
        return tuple(known[v] for v in stored.get(part, ()) if v in known)

    return ReviewOptions(
        score=moments("score"),
        correctness=moments("correctness"),
        feedback=moments("feedback"),
        answers=moments("answers"),
    )


def review_shown(options: ReviewOptions, *, passed: bool, attempts_left: bool) -> ReviewShown:
    """Decide what is shown, given whether the learner passed and may still try again."""
    now = {ReviewMoment.IMMEDIATELY}
    if passed:
        now.add(ReviewMoment.AFTER_PASSING)
    if not attempts_left:
        now.add(ReviewMoment.AFTER_LAST_ATTEMPT)

    def shown(moments: Sequence[ReviewMoment]) -> bool:
        return any(m in now for m in moments)

    return ReviewShown(
        score=shown(options.score),
        correctness=shown(options.correctness),
        feedback=shown(options.feedback),
        answers=shown(options.answers),
    )


def attempts_left(settings: Mapping[str, Any], attempts: Sequence[Any]) -> bool:
    """Whether the learner may still start (or is still taking) an attempt."""
    limit = settings.get("max_attempts")
    if limit is None:
        return True
    return any(a.submitted_at is None for a in attempts) or len(attempts) < limit


def review_questions(
    record: dict[str, Any],
    paper: list[dict[str, Any]],
    answers: dict[str, Any],
    results: list[dict[str, Any]],
    shown: ReviewShown,
) -> list[dict[str, Any]]:
    """Build the review of each question on the paper, in paper order.

    Only what ``shown`` allows is put in: a part that is not shown is not in the
    result at all, so no template can leak it.
    """
    if not shown.questions:
        return []
    by_key = {q["key"]: q for q in record["questions"]}
    outcome = {r["key"]: r for r in results}
    reviewed = []
    for number, entry in enumerate(paper, start=1):
        question = by_key.get(entry["key"])
        if question is None:
            continue
        result = outcome.get(entry["key"], {})
        answer = answers.get(entry["key"])
        view: dict[str, Any] = {
            "number": number,
            "kind": question["kind"],
            "text_html": question["text_html"],
            "scored": result.get("scored", True),
            "answer_text": _answer_text(question, answer),
            "show_key": shown.answers,
        }
        if shown.score:
            view["fraction"] = result.get("fraction", 0.0)
        if shown.correctness:
            view["verdict"] = _verdict(result)
        if shown.feedback:
            view["feedback_html"] = result.get("feedback_html", "")
            view["general_feedback_html"] = question.get("general_feedback_html", "")
        if question.get("choices"):
            chosen = _chosen_indexes(answer)
            order = entry.get("choices") or list(range(len(question["choices"])))
            view["choices"] = [
                {
                    "html": question["choices"][i]["html"],
                    "chosen": i in chosen,
                    "correct": shown.answers and question["choices"][i]["fraction"] > 0,
                }
                for i in order
                if 0 <= i < len(question["choices"])
            ]
        if question["kind"] == "matching":
            picked = answer if isinstance(answer, dict) else {}
            view["pairs"] = [
                {
                    "prompt_html": pair["prompt_html"],
                    "chosen": picked.get(str(index), ""),
                    "answer": pair["answer"] if shown.answers else "",
                }
                for index, pair in enumerate(question["pairs"])
                if pair["prompt_html"]
            ]
        if shown.answers:
            view["key_text"] = _key_text(question)
        reviewed.append(view)
    return reviewed


def _verdict(result: Mapping[str, Any]) -> str:
    """Right, partly right or wrong: "correct", "partial" or "wrong"."""
    if result.get("correct"):
        return "correct"
    return "partial" if result.get("fraction", 0.0) > 0 else "wrong"


def _chosen_indexes(answer: Any) -> set[int]:
    values = answer if isinstance(answer, list) else [answer]
    return {int(v) for v in values if isinstance(v, str | int) and str(v).isdigit()}


def _answer_text(question: dict[str, Any], answer: Any) -> str:
    """The learner's answer as text, for kinds without listed options."""
    if answer is None or answer == "" or answer == []:
        return ""
    kind = question["kind"]
    if kind == "truefalse":
        return _("Benar") if str(answer) == "true" else _("Salah")
    if kind in {"short", "numeric", "essay"}:
        return str(answer)
    return ""


def _key_text(question: dict[str, Any]) -> str:
    """The correct answer(s) as text, for kinds without listed options."""
    kind = question["kind"]
    if kind == "truefalse":
        return _("Benar") if question["true_false"]["correct"] else _("Salah")
    if kind == "short":
        best = [a["text"] for a in question["short_answers"] if a["fraction"] >= 0.999]
        return " / ".join(best)
    if kind == "numeric":
        parts = []
        for a in question["numeric_answers"]:
            if a["fraction"] < 0.999 or a["tolerance"] is None:
                continue
            tolerance = f" ± {a['tolerance']:g}" if a["tolerance"] else ""
            parts.append(f"{a['value']:g}{tolerance}")
        return " / ".join(parts)
    return ""
