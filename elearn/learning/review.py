"""What a learner sees of a submitted attempt, within what the quiz's review mode allows."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _


def review_questions(
    record: dict[str, Any],
    paper: list[dict[str, Any]],
    answers: dict[str, Any],
    results: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Build the review of each question on the paper, in paper order.

    With review mode "score" nothing per question is shown; "feedback" adds
    the feedback; "full" also marks the correct answers.
    """
    mode = record["settings"].get("review", "full")
    if mode == "score":
        return []
    show_key = mode == "full"
    by_key = {q["key"]: q for q in record["questions"]}
    outcome = {r["key"]: r for r in results}
    reviewed = []
    for number, entry in enumerate(paper, start=1):
        question = by_key[entry["key"]]
        result = outcome.get(entry["key"], {})
        answer = answers.get(entry["key"])
        view: dict[str, Any] = {
            "number": number,
            "kind": question["kind"],
            "text_html": question["text_html"],
            "fraction": result.get("fraction", 0.0),
            "scored": result.get("scored", True),
            "correct": result.get("correct", False),
            "feedback_html": result.get("feedback_html", ""),
            "general_feedback_html": question.get("general_feedback_html", ""),
            "answer_text": _answer_text(question, answer),
            "show_key": show_key,
        }
        if question.get("choices"):
            chosen = _chosen_indexes(answer)
            order = entry.get("choices") or list(range(len(question["choices"])))
            view["choices"] = [
                {
                    "html": question["choices"][i]["html"],
                    "chosen": i in chosen,
                    "correct": question["choices"][i]["fraction"] > 0,
                }
                for i in order
            ]
        if question["kind"] == "matching":
            picked = answer if isinstance(answer, dict) else {}
            view["pairs"] = [
                {
                    "prompt_html": pair["prompt_html"],
                    "chosen": picked.get(str(index), ""),
                    "answer": pair["answer"],
                }
                for index, pair in enumerate(question["pairs"])
                if pair["prompt_html"]
            ]
        if show_key:
            view["key_text"] = _key_text(question)
        reviewed.append(view)
    return reviewed


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
