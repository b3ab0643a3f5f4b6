"""Shared setup for assignment tests: a unit tree, a coordinator of one branch, a course."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Assignee, Course, Enrollment, Role, Unit, User
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_unit, make_user
from tests.learning.helpers import publish_course

SLUG = "dasar-proyek"


@dataclass
class Tree:
    """Palu › Kominfo › Aplikasi, Palu › BKPSDM, and Mamuju (another instansi)."""

    palu: Unit
    kominfo: Unit
    aplikasi: Unit
    bkpsdm: Unit
    mamuju: Unit


def make_tree() -> Tree:
    palu = make_unit("Pemerintah Kota Palu")
    kominfo = make_unit("Dinas Kominfo", parent=palu)
    aplikasi = make_unit("Bidang Aplikasi Informatika", parent=kominfo)
    bkpsdm = make_unit("BKPSDM", parent=palu)
    mamuju = make_unit("Pemerintah Kabupaten Mamuju")
    return Tree(palu, kominfo, aplikasi, bkpsdm, mamuju)


def palu_course(
    tmp_path: Path, tree: Tree, slug: str = SLUG, owner: Unit | None = None, **files: str
) -> Course:
    """Publish the test course and hand it to Palu (or ``owner``), whose coordinators manage it."""
    publish_course(tmp_path, slug, **files)
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    assert course is not None
    course.unit_id = (owner or tree.palu).id
    db.session.commit()
    return course


@dataclass
class Staff:
    user: User
    client: FlaskClient

    def post(self, url: str, data: dict[str, object] | None = None, page: str = "/"):  # type: ignore[no-untyped-def]
        token = csrf_token(self.client, page)
        return self.client.post(
            url, data={"csrf_token": token, **(data or {})}, content_type="multipart/form-data"
        )

    def assign(self, course: Course, **fields: object):  # type: ignore[no-untyped-def]
        """Post the assignment form; unit targets with sub-units unless told otherwise."""
        data: dict[str, object] = {
            "course_id": str(course.id),
            "reason": "Wajib: Keamanan Informasi 2026",
            "starts_on": "2026-03-02",
            "due_on": "2026-03-10",
            "target": "unit",
            "include_subunits": "y",
        }
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        return self.post("/coordinator/assignments/new", data, page="/coordinator/assignments/new")


def coordinator_of(app: Flask, *units: Unit, home: Unit | None = None) -> Staff:
    user = make_user(Role.COORDINATOR, Role.LEARNER, unit=home or units[0], scope=list(units))
    client = app.test_client()
    AuthActions(client).login(user.nip)
    return Staff(user, client)


def assigned_ids() -> set[int]:
    return set(db.session.scalars(select(Assignee.user_id)))


def enrolled_ids(course: Course) -> set[int]:
    return set(
        db.session.scalars(select(Enrollment.user_id).where(Enrollment.course_id == course.id))
    )


DUE = date(2026, 3, 10)
