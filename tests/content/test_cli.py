from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Course, CourseVersion, VersionStatus
from elearn.settings import current_settings, with_changes
from tests.content.course_fixtures import MODULE_MD, write_course
from tests.factories import make_unit

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def render_in_process(app: Flask) -> None:
    """Render in the test process (fast); one test below uses the limited render process."""
    with_changes(app, content_sandbox=False)


def test_check_is_bounded_by_the_render_process(runner, app, tmp_path: Path):
    budget = replace(current_settings().render_budget, cpu_seconds=1)
    with_changes(app, content_sandbox=True, render_budget=budget)
    fine = write_course(tmp_path / "baik", "baik")
    hostile = write_course(tmp_path, **{"01-siklus.md": MODULE_MD + "[" * 50_000})
    result = runner.invoke(args=["courses", "check", str(fine), str(hostile)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{hostile}/01-siklus.md:13: terlalu banyak tanda kurung [ ] atau ( ) yang tidak "
        "ditutup; berkas ini akan terlalu lama diproses"
    ]


def test_check_reports_errors_with_exit_1(runner, app, tmp_path: Path):
    broken = write_course(tmp_path, **{"01-siklus.md": "---\nminutes: banyak\n---\nIsi\n"})
    result = runner.invoke(args=["courses", "check", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}/01-siklus.md:1: 'minutes' harus bilangan bulat 1–600" in result.output


def test_check_ok(runner, app, tmp_path: Path):
    result = runner.invoke(args=["courses", "check", str(write_course(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "dasar-proyek: ok — 1 modules, 2 quizzes, 1 assets, 2 JP" in result.output


def test_publish_is_all_or_nothing(runner, app, tmp_path: Path):
    good = write_course(tmp_path / "a")
    bad = write_course(tmp_path / "b", "rusak", **{"course.md": "---\ntitle: X\n---\n"})
    result = runner.invoke(args=["courses", "publish", str(good), str(bad)])
    assert result.exit_code == 1
    assert "nothing was published" in result.output
    assert db.session.scalar(select(Course)) is None


def test_publish_list_republish_and_archive(runner, app, tmp_path: Path):
    make_unit(code="palu")
    folder = write_course(tmp_path)
    result = runner.invoke(args=["courses", "publish", str(folder), "--unit", "palu"])
    assert result.exit_code == 0, result.output
    assert "dasar-proyek v1" in result.output and "published as a new version" in result.output
    assert "unchanged" in runner.invoke(args=["courses", "publish", str(folder)]).output

    (folder / "01-siklus.md").write_text(MODULE_MD + "\nTambahan.\n")
    assert "dasar-proyek v2" in runner.invoke(args=["courses", "publish", str(folder)]).output
    listing = runner.invoke(args=["courses", "list"]).output
    assert "dasar-proyek  [palu]" in listing
    assert "archived" in listing and "published" in listing

    assert runner.invoke(args=["courses", "archive", "dasar-proyek"]).exit_code == 0
    statuses = set(db.session.scalars(select(CourseVersion.status)))
    assert statuses == {VersionStatus.ARCHIVED}
    again = runner.invoke(args=["courses", "archive", "dasar-proyek"])
    assert again.exit_code == 1 and "no published version" in again.output


def test_publish_all_sample_courses(runner, app):
    with_changes(app, courses_dir=REPO / "courses")
    result = runner.invoke(args=["courses", "publish", "--all"])
    assert result.exit_code == 0, result.output
    slugs = set(db.session.scalars(select(Course.slug)))
    assert {"manajemen-proyek", "kepemimpinan", "administrasi-digital"} <= slugs


def test_check_a_folder_of_courses(runner, app):
    result = runner.invoke(args=["courses", "check", str(REPO / "courses")])
    assert result.exit_code == 0, result.output
    # The three sample courses and the sample program over them.
    assert result.output.count(": ok — ") == 4
    assert "jalur-aparatur-digital: ok — program, 3 steps, 3 courses" in result.output


def test_a_failure_mid_publish_leaves_the_previous_version_live(runner, app, tmp_path, monkeypatch):
    folder = write_course(tmp_path)
    assert runner.invoke(args=["courses", "publish", str(folder)]).exit_code == 0
    (folder / "01-siklus.md").write_text(MODULE_MD + "\nVersi baru.\n")

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("disk full")

    monkeypatch.setattr("elearn.content.publish._sha256", broken)  # while storing the assets
    result = runner.invoke(args=["courses", "publish", str(folder)])
    assert result.exit_code != 0
    db.session.rollback()
    versions = db.session.execute(select(CourseVersion.number, CourseVersion.status)).all()
    assert [(n, str(s)) for n, s in versions] == [(1, "published")]
