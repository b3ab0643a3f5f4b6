"""Build quiz records for engine tests through the real parse → record pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from elearn.content.gift import parse_gift_quiz
from elearn.content.parse import parse_course
from elearn.content.quizformat import parse_markdown_quiz
from elearn.content.quizrecord import quiz_record

COURSES = Path(__file__).resolve().parents[2] / "courses"


def _front_matter(settings: dict[str, Any]) -> str:
    meta = {"title": "Kuis Uji", **settings}
    return f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n"


def markdown_record(body: str, **settings: Any) -> dict[str, Any]:
    """Return the record of a Markdown quiz with ``settings`` as its front matter."""
    quiz = parse_markdown_quiz(_front_matter(settings) + body, "kuis.quiz.md", "Kuis")
    return quiz_record(quiz, asset_base=None)


def gift_record(body: str, **settings: Any) -> dict[str, Any]:
    """Return the record of a GIFT quiz with ``settings`` as its front matter."""
    quiz = parse_gift_quiz(_front_matter(settings) + body, "kuis.gift", "Kuis")
    return quiz_record(quiz, asset_base=None)


def sample_course_records() -> list[tuple[str, dict[str, Any]]]:
    """Return (label, record) for every quiz of the sample courses in ``courses/``."""
    found = []
    for folder in sorted(COURSES.iterdir()):
        if not (folder / "course.md").is_file():
            continue
        for item in parse_course(folder).items:
            if item.quiz is not None:
                found.append(
                    (f"{folder.name}/{item.name}", quiz_record(item.quiz, asset_base=None))
                )
    return found


def question(record: dict[str, Any], name: str) -> dict[str, Any]:
    """Return the question of ``record`` with the given name."""
    return next(q for q in record["questions"] if q["name"] == name)


def full_paper(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Return a paper with every question and choice in source order."""
    paper = []
    for q in record["questions"]:
        choices = list(range(len(q["choices"]))) if "choices" in q else None
        answers = list(dict.fromkeys(p["answer"] for p in q["pairs"])) if "pairs" in q else None
        paper.append({"key": q["key"], "choices": choices, "answers": answers})
    return paper


def right_answer_fields(record: dict[str, Any]) -> list[tuple[str, str]]:
    """Return form fields answering every auto-scored question of ``record`` fully right."""
    fields: list[tuple[str, str]] = []
    for q in record["questions"]:
        name = f"q-{q['key']}"
        kind = q["kind"]
        if kind == "single":
            fractions = [c["fraction"] for c in q["choices"]]
            fields.append((name, str(fractions.index(max(fractions)))))
        elif kind == "multiple":
            fields += [(name, str(i)) for i, c in enumerate(q["choices"]) if c["fraction"] > 0]
        elif kind == "truefalse":
            fields.append((name, "true" if q["true_false"]["correct"] else "false"))
        elif kind == "short":
            text = next(a["text"] for a in q["short_answers"] if a["fraction"] == 1)
            fields.append((name, "  " + text.replace("\\*", "*").upper() + " "))
        elif kind == "numeric":
            value = next(a["value"] for a in q["numeric_answers"] if a["fraction"] == 1)
            fields.append((name, str(value).replace(".", ",")))  # the Indonesian decimal comma
        elif kind == "matching":
            fields += [
                (f"{name}-{i}", p["answer"]) for i, p in enumerate(q["pairs"]) if p["prompt_html"]
            ]
    return fields
