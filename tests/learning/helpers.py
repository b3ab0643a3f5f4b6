"""Shared setup for learning tests: a published course, a signed-in learner, a clock."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import event

from elearn.content.parse import parse_course
from elearn.content.publish import store_version
from elearn.extensions import db
from elearn.models import Course, CourseVersion, User
from tests.conftest import AuthActions, csrf_token
from tests.content.course_fixtures import write_course
from tests.factories import make_user


def publish_course(
    tmp_path: Path, slug: str = "dasar-proyek", **files: str | bytes
) -> CourseVersion:
    """Publish the small test course (see tests/content/course_fixtures.py)."""
    folder = write_course(tmp_path / slug, slug, **files)
    version = store_version(parse_course(folder), unit=None, actor=None, publish=True).version
    db.session.commit()
    return version


@dataclass
class Learner:
    user: User
    client: FlaskClient

    def post(self, url: str, data: dict[str, object] | None = None, page: str | None = None):  # type: ignore[no-untyped-def]
        token = csrf_token(self.client, page or "/")
        return self.client.post(url, data={"csrf_token": token, **(data or {})})

    def enroll(self, slug: str = "dasar-proyek"):  # type: ignore[no-untyped-def]
        return self.post(f"/courses/{slug}/enroll", page=f"/courses/{slug}")


def sign_in(app, **user_kwargs: object) -> Learner:  # type: ignore[no-untyped-def]
    user = make_user(**user_kwargs)  # type: ignore[arg-type]
    client = app.test_client()
    AuthActions(client).login(user.nip)
    return Learner(user, client)


QUIZ_URL = "/learn/dasar-proyek/kuis-siklus"


@contextmanager
def engine_events(kind: str) -> Iterator[list[object]]:
    """The app engine's ``kind`` events ("commit", "rollback") while the block runs."""
    seen: list[object] = []

    def note(connection: object) -> None:
        seen.append(connection)

    event.listen(db.engine, kind, note)
    try:
        yield seen
    finally:
        event.remove(db.engine, kind, note)


def paper_keys(page: str) -> list[str]:
    """Question keys on an attempt page, in order."""
    return list(dict.fromkeys(re.findall(r'name="q-([0-9a-f]{12})', page)))


def course_of(slug: str = "dasar-proyek") -> Course:
    from sqlalchemy import select

    course = db.session.scalar(select(Course).where(Course.slug == slug))
    assert course is not None
    return course


def answer_form(version: CourseVersion, item_name: str, *, correct: bool) -> dict[str, object]:
    """Form fields answering every question of a quiz right (or all wrong)."""
    item = next(i for i in version.items if i.name == item_name)
    form: dict[str, object] = {}
    for q in (item.quiz or {})["questions"]:
        field = f"q-{q['key']}"
        kind = q["kind"]
        if kind in ("single", "multiple"):
            good = [str(i) for i, c in enumerate(q["choices"]) if c["fraction"] > 0]
            bad = [str(i) for i, c in enumerate(q["choices"]) if c["fraction"] <= 0]
            picked = good if correct else bad[:1]
            form[field] = picked if kind == "multiple" else picked[0]
        elif kind == "truefalse":
            right = "true" if q["true_false"]["correct"] else "false"
            form[field] = right if correct else ("false" if right == "true" else "true")
        elif kind == "numeric":
            value = q["numeric_answers"][0]["value"]
            form[field] = f"{value:g}" if correct else f"{value + 1000:g}"
        elif kind == "short":
            form[field] = q["short_answers"][0]["text"] if correct else "salah sekali"
    return form
