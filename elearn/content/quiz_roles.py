"""Course-wide rules for the pre-test and post-test (Kirkpatrick level 2, docs/evaluation.md).

The learning gain compares a learner's first pre-test score with their first post-test
score, so a course has at most one of each, a post-test needs a pre-test to compare with,
and the pre-test comes first. A pre-test without a post-test, or one placed after a
module, still publishes (with a warning): its scores are just not comparable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from elearn.content.errors import SourceError, warning
from elearn.content.frontmatter import key_line
from elearn.content.quiz import Quiz, QuizRole
from elearn.problem_text import Problem


class Item(Protocol):
    """A parsed module or quiz (``ParsedItem``), read-only."""

    @property
    def position(self) -> int: ...
    @property
    def path(self) -> str: ...
    @property
    def quiz(self) -> Quiz | None: ...


def quiz_role_problems(items: Sequence[Item], texts: Mapping[str, str]) -> list[SourceError]:
    """Errors and warnings on the roles of a course's quizzes, in course order.

    ``texts``: each item's source by its path, to point at its ``role:`` line.
    """
    problems: list[SourceError] = []
    first: dict[QuizRole, Item] = {}
    ordered = sorted(items, key=lambda i: i.position)
    for item in ordered:
        role = item.quiz.settings.role if item.quiz is not None else None
        if role is None:
            continue
        line = key_line(texts.get(item.path, ""), "role")
        if role in first:
            problems.append(
                SourceError(
                    item.path,
                    line,
                    Problem(
                        "kursus sudah memiliki %(role)s (%(other)s); paling banyak satu per kursus",
                        role=role.value,
                        other=first[role].path,
                    ),
                )
            )
            continue
        first[role] = item
    pre, post = first.get(QuizRole.PRE_TEST), first.get(QuizRole.POST_TEST)
    if post is not None and pre is None:
        problems.append(
            SourceError(
                post.path,
                key_line(texts.get(post.path, ""), "role"),
                Problem("post_test membutuhkan pre_test di kursus yang sama sebagai pembanding"),
            )
        )
    if pre is not None and post is not None and pre.position > post.position:
        problems.append(
            SourceError(
                pre.path,
                key_line(texts.get(pre.path, ""), "role"),
                Problem("pre_test harus berada sebelum post_test (nomor urut NN lebih kecil)"),
            )
        )
    if pre is not None:
        line = key_line(texts.get(pre.path, ""), "role")
        if post is None:
            problems.append(
                warning(
                    pre.path,
                    line,
                    Problem("pre_test tanpa post_test: peningkatan belajar tidak dapat dihitung"),
                )
            )
        if any(i.quiz is None and i.position < pre.position for i in ordered):
            problems.append(
                warning(
                    pre.path,
                    line,
                    Problem(
                        "pre_test sebaiknya sebelum modul pertama, agar mengukur kemampuan awal"
                    ),
                )
            )
    return problems
