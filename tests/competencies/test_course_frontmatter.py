"""kompetensi: in course.md: shape checked on parse, codes checked against the dictionary."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from elearn.content.errors import ContentErrors
from elearn.content.parse import parse_course
from elearn.extensions import db
from elearn.models import Course, CourseCompetency
from elearn.settings import with_changes
from tests.certificates.helpers import NO_QUIZZES
from tests.competencies.courses import course_md
from tests.competencies.helpers import load_dictionary
from tests.content.course_fixtures import write_course

# course.md of the test course: the front matter's last line (certificate) is line 10.
KOMPETENSI = """kompetensi:
  - kode: M.01
    level: 3
  - kode: M.01
    level: 2
  - {kode: M.02, level: 6}
  - {kode: M.03}
  - kode: "M 04"
    level: 2
  - kode: SK.01
    level: true
"""


def _folder(tmp_path: Path, kompetensi: str) -> Path:
    return write_course(
        tmp_path, "kursus-kompetensi", **{**NO_QUIZZES, "course.md": course_md("Uji", kompetensi)}
    )


def test_parse_reports_each_bad_entry_on_its_line(tmp_path: Path):
    folder = _folder(tmp_path, KOMPETENSI)
    with pytest.raises(ContentErrors) as raised:
        parse_course(folder, label="k")
    assert [str(e) for e in raised.value.errors] == [
        "k/course.md:14: kompetensi M.01 sudah disebut di baris 12",
        "k/course.md:16: level kompetensi M.02 harus bilangan bulat 1–5, bukan 6",
        "k/course.md:17: setiap isian 'kompetensi' harus berisi tepat 'kode' dan 'level'",
        "k/course.md:18: kode kompetensi 'M 04' tidak sah",
        "k/course.md:20: level kompetensi SK.01 harus bilangan bulat 1–5, bukan True",
    ]


def test_parse_refuses_a_kompetensi_that_is_not_a_list(tmp_path: Path):
    with pytest.raises(ContentErrors) as raised:
        parse_course(_folder(tmp_path, "kompetensi: M.01\n"), label="k")
    assert [str(e) for e in raised.value.errors] == [
        "k/course.md:11: 'kompetensi' harus daftar pasangan kode dan level, "
        "mis. [{kode: M.01, level: 3}]"
    ]


def test_parse_keeps_declared_competencies_in_order(tmp_path: Path):
    parsed = parse_course(
        _folder(tmp_path, "kompetensi: [{kode: M.02, level: 3}, {kode: SK.01, level: 1}]\n")
    )
    assert [(c.code, c.level) for c in parsed.meta.competencies] == [("M.02", 3), ("SK.01", 1)]


@pytest.mark.parametrize("sandbox", [False, True])
def test_courses_check_reports_unknown_codes_with_their_lines(
    runner, app: Flask, tmp_path: Path, sandbox: bool
):
    with_changes(app, content_sandbox=sandbox)
    load_dictionary()
    folder = _folder(
        tmp_path,
        "kompetensi:\n  - kode: M.01\n    level: 3\n  - kode: T.99\n    level: 2\n",
    )
    result = runner.invoke(args=["courses", "check", str(folder)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{folder}/course.md:14: kode kompetensi 'T.99' tidak ada di kamus kompetensi"
    ]


def test_publish_refuses_unknown_codes_and_stores_known_ones(runner, app: Flask, tmp_path: Path):
    with_changes(app, content_sandbox=False)
    folder = _folder(tmp_path, "kompetensi:\n  - kode: M.01\n    level: 3\n")
    refused = runner.invoke(args=["courses", "publish", str(folder)])
    assert refused.exit_code == 1
    assert (
        "kursus-kompetensi/course.md:12: kode kompetensi 'M.01' tidak ada di kamus kompetensi"
        in refused.output
    )
    assert db.session.scalar(select(Course)) is None

    load_dictionary()
    published = runner.invoke(args=["courses", "publish", str(folder)])
    assert published.exit_code == 0, published.output
    stored = db.session.execute(
        select(CourseCompetency.competency_code, CourseCompetency.level)
    ).all()
    assert [tuple(row) for row in stored] == [("M.01", 3)]
