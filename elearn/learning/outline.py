"""What a learner page needs of a course version, read once and kept: versions never change.

A course version is an immutable snapshot (its content hash names it), so its
outline and rendered HTML are cached per application, keyed by id and hash.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from threading import Lock
from typing import Any, Protocol, TypeVar

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from elearn.extensions import db
from elearn.learning.progress import CourseProgress, counts_as_progress
from elearn.models import CourseVersion, ItemKind

CACHE_SIZE = 256  # versions; a module's HTML is some 15 KB


class ProgressMark(Protocol):
    """What the outline reads of a progress row: an ``ItemProgress`` or a study page's row."""

    @property
    def item_id(self) -> int: ...

    @property
    def completed_at(self) -> datetime | None: ...

    @property
    def seconds_spent(self) -> int: ...


Mark = TypeVar("Mark", bound=ProgressMark)


@dataclass(frozen=True)
class OutlineItem:
    id: int
    name: str
    kind: ItemKind
    title: str
    minutes: int | None
    html: str
    toc: list[dict[str, Any]]
    quiz: dict[str, Any] | None


@dataclass(frozen=True)
class Outline:
    version_id: int
    content_hash: str
    title: str
    jp: int
    items: tuple[OutlineItem, ...]

    def find(self, name: str) -> OutlineItem | None:
        return next((i for i in self.items if i.name == name), None)

    def neighbours(self, item: OutlineItem) -> tuple[OutlineItem | None, OutlineItem | None]:
        index = self.items.index(item)
        previous = self.items[index - 1] if index > 0 else None
        following = self.items[index + 1] if index + 1 < len(self.items) else None
        return previous, following

    def progress_of(self, rows: Iterable[Mark]) -> dict[int, Mark]:
        """Map item id → progress row, for this version's items only."""
        ids = {i.id for i in self.items}
        return {p.item_id: p for p in rows if p.item_id in ids}

    @cached_property
    def _counted_ids(self) -> tuple[list[int], list[int]]:
        """The modules, and the quizzes the progress bar counts: once, as outlines are kept."""
        modules = [i.id for i in self.items if i.kind == ItemKind.MODULE]
        quizzes = [i.id for i in self.items if i.kind == ItemKind.QUIZ and counts_as_progress(i)]
        return modules, quizzes

    def summary(self, rows: Collection[ProgressMark]) -> CourseProgress:
        """The course's progress as the dashboard and the outline show it."""
        done = {i for i, p in self.progress_of(rows).items() if p.completed_at is not None}
        modules, quizzes = self._counted_ids
        return CourseProgress(
            modules_done=sum(i in done for i in modules),
            modules_total=len(modules),
            quizzes_passed=sum(i in done for i in quizzes),
            quizzes_total=len(quizzes),
            seconds_spent=sum(p.seconds_spent for p in rows),
        )


class _OutlineCache:
    def __init__(self) -> None:
        self.lock = Lock()
        self.entries: OrderedDict[tuple[int, str], Outline] = OrderedDict()


def _cache() -> _OutlineCache:
    cache = current_app.extensions.get("elearn_outlines")
    if cache is None:
        cache = current_app.extensions.setdefault("elearn_outlines", _OutlineCache())
    return cache


def _load(version_id: int) -> Outline:
    version = db.session.scalar(
        select(CourseVersion)
        .where(CourseVersion.id == version_id)
        .options(selectinload(CourseVersion.items))
    )
    if version is None:
        raise LookupError(version_id)
    items = tuple(
        OutlineItem(i.id, i.name, i.kind, i.title, i.minutes, i.html, list(i.toc or []), i.quiz)
        for i in version.items
    )
    return Outline(version.id, version.content_hash, version.title, version.jp, items)


def outline_of(version_id: int, content_hash: str) -> Outline:
    """The outline of a version; read from the database the first time only."""
    cache, key = _cache(), (version_id, content_hash)
    with cache.lock:
        found = cache.entries.get(key)
        if found is not None:
            cache.entries.move_to_end(key)
            return found
    outline = _load(version_id)
    with cache.lock:
        cache.entries[(outline.version_id, outline.content_hash)] = outline
        while len(cache.entries) > CACHE_SIZE:
            cache.entries.popitem(last=False)
    return outline
