"""program.md: its shape checked with file:line messages, published by the courses commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from elearn.content.errors import ContentErrors
from elearn.extensions import db
from elearn.models import ProgramVersion, VersionStatus
from elearn.programs.source import parse_program, unknown_courses
from tests.content.course_fixtures import write_course
from tests.programs.helpers import PROGRAM, program_md, write_program

ELECTIVES = """  - dasar-proyek
  - title: Kepemimpinan
    choose: 1
    from: [kursus-a, kursus-b]
"""


def test_a_program_parses_into_steps_with_an_elective_group(tmp_path: Path):
    program = parse_program(write_program(tmp_path, program_md(ELECTIVES)))

    assert program.slug == PROGRAM and program.sequential is True
    assert [(s.slugs, s.choose, s.title) for s in program.steps] == [
        (("dasar-proyek",), 1, ""),
        (("kursus-a", "kursus-b"), 1, "Kepemimpinan"),
    ]
    assert program.lines == {"dasar-proyek": 6, "kursus-a": 9, "kursus-b": 9}


def _errors(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ContentErrors) as raised:
        parse_program(write_program(tmp_path, text), label="courses/jalur-uji")
    return [str(error) for error in raised.value.errors]


def test_each_problem_is_reported_at_its_line(tmp_path: Path):
    text = """---
slug: jalur-uji
title: Jalur Uji
description: Program uji.
warna: biru
courses:
  - dasar-proyek
  - Bukan Slug
  - dasar-proyek
  - choose: 3
    from: [kursus-a, kursus-b]
berurutan: ya
---
"""
    path = "courses/jalur-uji/program.md"
    assert _errors(tmp_path, text) == [
        f"{path}:5: kunci front matter tidak dikenal: 'warna'",
        f"{path}:8: bukan slug kursus: Bukan Slug",
        f"{path}:9: kursus 'dasar-proyek' sudah disebut di baris 7",
        f"{path}:10: kelompok pilihan: 'choose' harus bilangan bulat 1–1",
        f"{path}:12: 'berurutan' harus true atau false",
    ]


def test_the_slug_must_be_the_folder_name_and_courses_are_required(tmp_path: Path):
    text = "---\nslug: jalur-lain\ntitle: Jalur\ndescription: Uji.\n---\n"
    assert _errors(tmp_path, text) == [
        "courses/jalur-uji/program.md:1: 'courses' wajib berisi daftar slug kursus, "
        "mis. [manajemen-proyek]",
        "courses/jalur-uji/program.md:2: 'slug' harus sama dengan nama folder 'jalur-uji'",
    ]


def test_check_names_an_unknown_course_and_passes_a_good_program(app: Flask, tmp_path: Path):
    root = tmp_path / "courses"
    write_course(root, "dasar-proyek")
    write_program(root, program_md("  - dasar-proyek\n  - tidak-ada\n"))
    runner = app.test_cli_runner()

    result = runner.invoke(args=["courses", "check", str(root)])

    assert result.exit_code == 1
    assert f"{root}/{PROGRAM}/program.md:7: kursus tidak dikenal: 'tidak-ada'" in result.output

    write_program(root, program_md("  - dasar-proyek\n"))
    result = runner.invoke(args=["courses", "check", str(root)])
    assert result.exit_code == 0, result.output
    assert f"{PROGRAM}: ok — program, 1 steps, 1 courses" in result.output


def test_publish_stores_a_version_pinning_the_courses_and_a_change_makes_the_next(
    app: Flask, tmp_path: Path
):
    root = tmp_path / "courses"
    write_course(root, "dasar-proyek", **{"02-kuis-siklus.quiz.md": "", "03-kuis-akhir.gift": ""})
    program = write_program(root, program_md("  - dasar-proyek\n"))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["courses", "publish", str(root)])
    again = runner.invoke(args=["courses", "publish", str(program)])
    write_program(root, program_md("  - dasar-proyek\n", sequential=False))
    changed = runner.invoke(args=["courses", "publish", str(program)])

    assert f"{PROGRAM} v1 (program): published" in first.output, first.output
    assert f"{PROGRAM} v1 (program): unchanged" in again.output
    assert f"{PROGRAM} v2 (program): published" in changed.output
    versions = db.session.scalars(select(ProgramVersion).order_by(ProgramVersion.number)).all()
    assert [v.status for v in versions] == [VersionStatus.ARCHIVED, VersionStatus.PUBLISHED]
    assert [v.sequential for v in versions] == [True, False]
    assert [[c.course.slug for c in v.courses] for v in versions] == [["dasar-proyek"]] * 2


def test_publish_refuses_a_program_naming_a_missing_course(app: Flask, tmp_path: Path):
    root = tmp_path / "courses"
    write_course(root, "dasar-proyek")
    write_program(root, program_md("  - dasar-proyek\n  - tidak-ada\n"))

    result = app.test_cli_runner().invoke(args=["courses", "publish", str(root)])

    assert result.exit_code == 1
    assert "program.md:7: kursus tidak dikenal: 'tidak-ada'" in result.output
    assert db.session.scalar(select(ProgramVersion)) is None


def test_the_sample_program_names_the_sample_courses():
    root = Path(__file__).resolve().parents[2] / "courses"
    program = parse_program(root / "jalur-aparatur-digital")
    samples = {folder.name for folder in root.iterdir() if (folder / "course.md").exists()}

    assert unknown_courses(program, samples) == []
    assert len(program.steps) == 3 and program.sequential
