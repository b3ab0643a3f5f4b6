"""A program uploaded as a zip: checked like ``courses check``, stored all or nothing."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from elearn.extensions import db
from elearn.models import Course, Program, ProgramVersion, Role, Unit, VersionStatus
from elearn.settings import with_changes
from tests.conftest import AuthActions, csrf_token
from tests.content.course_fixtures import COURSE_MD, write_course, zip_folder
from tests.coordinator.test_courses import palu_coordinator
from tests.factories import make_unit, make_user
from tests.programs.helpers import program_md

URL = "/coordinator/programs/upload"
TWO = "  - kursus-a\n  - kursus-b\n"


def bundle(root: Path, courses: str = TWO, *, inside: bool = False, **overrides: str) -> bytes:
    """A zip like courses/: jalur-uji/program.md beside (or around) kursus-a and kursus-b."""
    root = root / "bundle"  # not tmp_path itself: the test database lives there
    program = root / "jalur-uji"
    program.mkdir(parents=True)
    (program / "program.md").write_text(program_md(courses), encoding="utf-8")
    for slug in ("kursus-a", "kursus-b"):
        course_md = COURSE_MD.replace("Dasar Manajemen Proyek", f"Kursus {slug}")
        files = {k[len(slug) + 1 :]: v for k, v in overrides.items() if k.startswith(slug)}
        write_course(program if inside else root, slug, **{"course.md": course_md, **files})
    return zip_folder(root, top="")


def post(client: FlaskClient, data: bytes, unit: Unit, name: str = "jalur-uji.zip"):  # type: ignore[no-untyped-def]
    return client.post(
        URL,
        data={
            "csrf_token": csrf_token(client, URL),
            "file": (BytesIO(data), name),
            "unit_id": str(unit.id),
        },
        content_type="multipart/form-data",
    )


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _problems(page: str) -> list[str]:
    items = re.findall(r"<li><code>(.*?)</code>\s*(.*?)</li>", page, re.S)
    return [f"{where} {message.strip()}" for where, message in items]


def test_a_program_and_its_courses_are_published_together(
    client: FlaskClient, auth: AuthActions, tmp_path: Path
):
    palu = palu_coordinator(auth)
    assert "Unggah program (.zip)" in client.get("/coordinator/courses").get_data(as_text=True)
    response = post(client, bundle(tmp_path), palu)
    assert response.status_code == 302, _problems(response.get_data(as_text=True))
    assert response.headers["Location"] == "/programs/jalur-uji"
    page = client.get("/programs/jalur-uji").get_data(as_text=True)
    assert "Program jalur-uji versi 1 diterbitkan bersama 2 kursus." in page
    version = db.session.scalars(select(ProgramVersion)).one()
    assert version.status == VersionStatus.PUBLISHED and version.program.unit_id == palu.id
    courses = db.session.scalars(select(Course).order_by(Course.slug)).all()
    assert [c.slug for c in courses] == ["kursus-a", "kursus-b"]
    assert all(c.published_version is not None and c.unit_id == palu.id for c in courses)
    # The same zip again changes nothing.
    assert post(client, bundle(tmp_path / "again"), palu).status_code == 302
    assert _count(ProgramVersion) == 1


def test_course_folders_inside_the_program_folder_work_too(
    app: Flask, client: FlaskClient, auth: AuthActions, tmp_path: Path
):
    with_changes(app, content_sandbox=True)  # rendered in the limited render process
    palu = palu_coordinator(auth)
    assert post(client, bundle(tmp_path, inside=True), palu).status_code == 302
    assert _count(Program) == 1 and _count(Course) == 2


def test_errors_are_listed_per_file_and_nothing_is_stored(
    client: FlaskClient, auth: AuthActions, tmp_path: Path
):
    palu = palu_coordinator(auth)
    broken = bundle(
        tmp_path,
        "  - kursus-a\n  - kursus-b\n  - kursus-x\n",
        **{"kursus-b/02-kuis-siklus.quiz.md": "## Soal\n- [ ] a\n- [ ] b\n"},
    )
    response = post(client, broken, palu)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Program tidak diterima" in page
    problems = _problems(page)
    assert any(p.startswith("kursus-b/02-kuis-siklus.quiz.md:") for p in problems), problems
    assert "jalur-uji/program.md:8: kursus tidak dikenal: &#39;kursus-x&#39;" in problems
    # kursus-a had no error, yet it is not stored either: all or nothing.
    assert _count(Course) == _count(Program) == 0


def test_a_bad_zip_and_a_zip_without_program_are_refused(
    client: FlaskClient, auth: AuthActions, tmp_path: Path
):
    palu = palu_coordinator(auth)
    response = post(client, b"bukan zip", palu)
    assert response.status_code == 400
    assert "jalur-uji.zip:1: bukan berkas zip yang valid" in _problems(response.get_data(True))
    only_course = zip_folder(write_course(tmp_path / "course"))
    response = post(client, only_course, palu)
    assert response.status_code == 400
    assert "jalur-uji.zip:1: zip harus berisi tepat satu program.md (ditemukan 0)" in _problems(
        response.get_data(True)
    )
    assert _count(Course) == 0


def test_a_course_of_another_unit_is_refused(
    client: FlaskClient, auth: AuthActions, tmp_path: Path
):
    from elearn.content.parse import parse_course
    from elearn.content.publish import store_version

    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    theirs = write_course(tmp_path / "theirs", "kursus-b")
    store_version(parse_course(theirs), unit=mamuju, actor=None, publish=True)
    db.session.commit()
    palu = palu_coordinator(auth)
    response = post(client, bundle(tmp_path / "mine"), palu)
    assert response.status_code == 400
    assert "kursus-b/course.md:1: kursus &#39;kursus-b&#39; dikelola unit lain" in _problems(
        response.get_data(True)
    )
    assert _count(Program) == 0 and _count(Course) == 1


def test_learners_cannot_upload(client: FlaskClient, auth: AuthActions):
    learner = make_user(Role.LEARNER, unit=make_unit(code="x"))
    auth.login(learner.nip)
    assert client.get(URL).status_code == 403
