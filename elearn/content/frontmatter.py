"""YAML front matter between ``---`` lines at the top of a source file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import yaml

from elearn.content.errors import SourceError
from elearn.content.quiz import (
    REVIEW_PRESETS,
    QuizRole,
    QuizSettings,
    ReviewMoment,
    ReviewOptions,
)
from elearn.problem_text import Problem

FENCE = "---"


@dataclass(frozen=True)
class Document:
    """A source file split into its front matter and body.

    ``body_line`` is the 1-based line number of the body's first line, so
    parsers of the body can report positions in the original file.
    """

    meta: dict[str, Any]
    body: str
    body_line: int


def split_front_matter(text: str, path: str) -> tuple[Document, list[SourceError]]:
    """Split ``text``; a missing front matter block gives empty meta."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        return Document({}, text, 1), []
    for index in range(1, len(lines)):
        if lines[index].strip() == FENCE:
            raw = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return _load_meta(raw, path, body, index + 2)
    return Document({}, text, 1), [
        SourceError(
            path, 1, Problem("front matter dibuka dengan '---' tetapi tidak pernah ditutup")
        )
    ]


def _load_meta(
    raw: str, path: str, body: str, body_line: int
) -> tuple[Document, list[SourceError]]:
    try:
        meta = yaml.safe_load(raw) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + mark.line if mark is not None else 1
        problem = getattr(exc, "problem", None) or "tidak dapat dibaca"
        return Document({}, body, body_line), [
            SourceError(
                path, line, Problem("front matter YAML tidak valid: %(problem)s", problem=problem)
            )
        ]
    if not isinstance(meta, dict):
        return Document({}, body, body_line), [
            SourceError(path, 2, Problem("front matter harus berupa pasangan 'kunci: nilai'"))
        ]
    return Document(meta, body, body_line), []


QUIZ_KEYS = {
    "title", "pass_mark", "max_attempts", "time_limit", "draw", "shuffle", "required", "review",
    "role",
}  # fmt: skip
REVIEW_PARTS = ("score", "correctness", "feedback", "answers")
REVIEW_NEVER = "never"
MAX_TITLE = 200


def quiz_settings(
    meta: dict[str, Any], path: str, default_title: str
) -> tuple[QuizSettings, list[SourceError]]:
    """Validate a quiz's front matter; unknown keys and bad values are errors."""
    errors: list[SourceError] = []

    def fail(message: str) -> None:
        errors.append(SourceError(path, 1, message))

    for key in sorted(set(meta) - QUIZ_KEYS):
        fail(Problem("kunci front matter tidak dikenal: '%(key)s'", key=key))

    title = meta.get("title", default_title)
    if not isinstance(title, str) or not title.strip():
        fail(Problem("'title' harus berupa teks yang tidak kosong"))
        title = default_title
    elif len(title.strip()) > MAX_TITLE:
        fail(Problem("'%(key)s' paling panjang %(n)d karakter", key="title", n=MAX_TITLE))

    def integer(key: str, low: int, high: int | None) -> int | None:
        value = meta.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            fail(Problem("'%(key)s' harus bilangan bulat", key=key))
            return None
        if value < low or (high is not None and value > high):
            bound = f"{low}–{high}" if high is not None else f"≥ {low}"
            fail(
                Problem(
                    "'%(key)s' harus dalam rentang %(bound)s, bukan %(value)s",
                    key=key,
                    bound=bound,
                    value=value,
                )
            )
            return None
        return value

    def flag(key: str, default: bool) -> bool:
        value = meta.get(key, default)
        if not isinstance(value, bool):
            fail(Problem("'%(key)s' harus true atau false", key=key))
            return default
        return value

    review = review_options(meta.get("review", "standard"), fail)
    pass_mark = integer("pass_mark", 0, 100)
    role = quiz_role(meta.get("role"), fail)
    if role is QuizRole.PRE_TEST and meta.get("required") is True:
        fail(Problem("pre-test tidak dihitung untuk penyelesaian kursus: hapus 'required: true'"))
    settings = QuizSettings(
        title=title.strip(),
        pass_mark=70 if pass_mark is None else pass_mark,
        max_attempts=integer("max_attempts", 1, None),
        time_limit=integer("time_limit", 1, 24 * 60),
        draw=integer("draw", 1, None),
        shuffle=flag("shuffle", False),
        # A pre-test measures what the learner knew before: passing it is never required.
        required=False if role is QuizRole.PRE_TEST else flag("required", True),
        review=review,
        role=role,
    )
    return settings, errors


def quiz_role(value: Any, fail: Callable[[str], None]) -> QuizRole | None:
    """Read ``role:``; None when absent (or invalid, after reporting it)."""
    if value is None:
        return None
    # "pre-test" is how people write it; the stored value is the identifier form.
    spelled = value.strip().replace("-", "_") if isinstance(value, str) else None
    if spelled in {r.value for r in QuizRole}:
        return QuizRole(spelled)
    fail(
        Problem(
            "'role' harus salah satu dari: %(roles)s",
            roles=", ".join(r.value for r in QuizRole),
        )
    )
    return None


def key_line(text: str, key: str) -> int:
    """The line of top-level ``key:`` in the front matter of ``text`` (1 when not found)."""
    lines = text.replace("\r\n", "\n").lstrip("\ufeff").split("\n")
    if not lines or lines[0].strip() != FENCE:
        return 1
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == FENCE:
            break
        if line.startswith(f"{key}:"):
            return number
    return 1


def review_options(value: Any, fail: Callable[[str], None]) -> ReviewOptions:
    """Read ``review:``: a preset name, or a mapping of parts to when they are shown."""
    if isinstance(value, str) and value in REVIEW_PRESETS:
        return REVIEW_PRESETS[value]
    if not isinstance(value, dict):
        fail(
            Problem(
                "'review' harus salah satu dari: %(presets)s, "
                "atau pasangan bagian: kapan (%(parts)s)",
                presets=", ".join(REVIEW_PRESETS),
                parts=", ".join(REVIEW_PARTS),
            )
        )
        return ReviewOptions()
    chosen: dict[str, tuple[ReviewMoment, ...]] = {}
    for part in sorted(set(value) - set(REVIEW_PARTS), key=str):
        fail(
            Problem(
                "bagian 'review' tidak dikenal: '%(part)s' (pilih dari: %(parts)s)",
                part=part,
                parts=", ".join(REVIEW_PARTS),
            )
        )
    for part in REVIEW_PARTS:
        if part in value:
            moments = _review_moments(value[part])
            if moments is None:
                fail(
                    Problem(
                        "'review.%(part)s' harus '%(never)s' atau satu/daftar dari: %(moments)s",
                        part=part,
                        never=REVIEW_NEVER,
                        moments=", ".join(m.value for m in ReviewMoment),
                    )
                )
            else:
                chosen[part] = moments
    return replace(ReviewOptions(), **chosen)


def _review_moments(value: Any) -> tuple[ReviewMoment, ...] | None:
    """``never``, one moment, or a list of moments; None when invalid."""
    if value == REVIEW_NEVER or value == []:
        return ()
    items = value if isinstance(value, list) else [value]
    known = {m.value: m for m in ReviewMoment}
    if not items or not all(isinstance(i, str) and i in known for i in items):
        return None
    return tuple(dict.fromkeys(known[i] for i in items))


def draw_problem(settings: QuizSettings, pool_size: int, path: str) -> SourceError | None:
    """Return an error when ``draw`` asks for more questions than the pool holds."""
    if settings.draw is None or settings.draw <= pool_size:
        return None
    message = Problem(
        "'draw' (%(draw)d) lebih besar dari jumlah pertanyaan (%(pool)d)",
        draw=settings.draw,
        pool=pool_size,
    )
    return SourceError(path, 1, message)
