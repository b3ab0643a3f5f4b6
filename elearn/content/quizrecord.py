"""The stored (JSON) form of a quiz: texts rendered to sanitised HTML, keys kept.

The quiz engine reads this record; it is built once at publish time so that
no page view ever renders Markdown.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from elearn.content.quiz import Question, Quiz, Text
from elearn.content.render import render_text
from elearn.content.sanitize import ImageSizes


def quiz_record(
    quiz: Quiz, *, asset_base: str | None, image_sizes: ImageSizes | None = None
) -> dict[str, Any]:
    """Return the JSON-ready record of ``quiz``."""

    def html(text: Text) -> str:
        if not text.source.strip():
            return ""
        return render_text(text, asset_base=asset_base, image_sizes=image_sizes)

    return {
        "settings": asdict(quiz.settings),
        "intro_html": html(quiz.intro),
        "questions": [_question(question, html) for question in quiz.questions],
    }


def _question(question: Question, html: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "key": question.key,
        "kind": question.kind.value,
        "name": question.name,
        "text_html": html(question.text),
        "general_feedback_html": html(question.general_feedback),
        "category": question.category,
        "tags": list(question.tags),
        "line": question.line,
    }
    if question.choices:
        record["choices"] = [
            {"html": html(c.text), "fraction": c.fraction, "feedback_html": html(c.feedback)}
            for c in question.choices
        ]
    if question.short_answers:
        record["short_answers"] = [
            {"text": a.text, "fraction": a.fraction, "feedback_html": html(a.feedback)}
            for a in question.short_answers
        ]
    if question.numeric_answers:
        record["numeric_answers"] = [
            {
                "value": a.value,
                # JSON has no infinity: None means "any number" (GIFT's catch-all).
                "tolerance": None if math.isinf(a.tolerance) else a.tolerance,
                "fraction": a.fraction,
                "feedback_html": html(a.feedback),
            }
            for a in question.numeric_answers
        ]
    if question.pairs:
        record["pairs"] = [
            {"prompt_html": html(p.prompt), "answer": p.answer} for p in question.pairs
        ]
    if question.true_false is not None:
        tf = question.true_false
        record["true_false"] = {
            "correct": tf.correct,
            "feedback_true_html": html(tf.feedback_true),
            "feedback_false_html": html(tf.feedback_false),
        }
    return record
