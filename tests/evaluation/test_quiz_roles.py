"""Quiz roles in front matter: parsing, the course-wide rules, and what publishing stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from elearn.content.errors import ContentErrors
from elearn.content.parse import parse_course
from elearn.content.quiz import QuizRole
from elearn.extensions import db
from elearn.models import CourseItem
from elearn.settings import with_changes
from tests.content.course_fixtures import write_course


def quiz(role: str | None = None, extra: str = "") -> str:
    front = f"role: {role}\n" if role else ""
    return f"---\ntitle: Tes\n{front}{extra}---\n## Satu JP berapa menit?\n= 45\n"


PRE, POST = quiz("pre_test"), quiz("post_test")


def check(folder: Path) -> list[str]:
    """Every problem of ``folder`` as the CLI prints it, or [] when it parses."""
    try:
        course = parse_course(folder)
    except ContentErrors as exc:
        return [str(p) for p in exc.errors]
    return [str(w) for w in course.warnings]


def test_pre_and_post_test_parse_and_the_pre_test_is_never_required(tmp_path: Path):
    folder = write_course(tmp_path, **{"00-pre.quiz.md": PRE, "04-post.quiz.md": POST})
    course = parse_course(folder)
    roles = {i.name: i.quiz.settings for i in course.items if i.quiz is not None}
    assert roles["pre"].role is QuizRole.PRE_TEST
    assert roles["pre"].required is False
    assert roles["post"].role is QuizRole.POST_TEST
    assert roles["post"].required is True
    assert roles["kuis-siklus"].role is None
    assert course.warnings == ()


def test_hyphenated_spelling_is_accepted(tmp_path: Path):
    folder = write_course(
        tmp_path, **{"00-pre.quiz.md": quiz("pre-test"), "04-post.quiz.md": quiz("post-test")}
    )
    roles = [i.quiz.settings.role for i in parse_course(folder).items if i.quiz]
    assert roles.count(QuizRole.PRE_TEST) == 1 and roles.count(QuizRole.POST_TEST) == 1


def test_unknown_role_is_an_error_with_file_and_line(tmp_path: Path):
    folder = write_course(tmp_path, **{"00-pre.quiz.md": quiz("pretest")})
    assert check(folder) == [
        f"{folder}/00-pre.quiz.md:1: 'role' harus salah satu dari: pre_test, post_test"
    ]


def test_required_pre_test_is_refused(tmp_path: Path):
    folder = write_course(
        tmp_path,
        **{"00-pre.quiz.md": quiz("pre_test", "required: true\n"), "04-post.quiz.md": POST},
    )
    assert check(folder) == [
        f"{folder}/00-pre.quiz.md:1: pre-test tidak dihitung untuk penyelesaian kursus: "
        "hapus 'required: true'"
    ]


def test_two_pre_tests_point_at_the_second_role_line(tmp_path: Path):
    folder = write_course(
        tmp_path,
        **{"00-pre.quiz.md": PRE, "01-siklus.md": "", "05-siklus.md": "---\ntitle: M\n---\nIsi\n",
           "04-pre2.quiz.md": PRE, "06-post.quiz.md": POST},
    )  # fmt: skip
    assert check(folder) == [
        f"{folder}/04-pre2.quiz.md:3: kursus sudah memiliki pre_test "
        f"({folder}/00-pre.quiz.md); paling banyak satu per kursus"
    ]


def test_post_test_needs_a_pre_test(tmp_path: Path):
    folder = write_course(tmp_path, **{"04-post.quiz.md": POST})
    assert check(folder) == [
        f"{folder}/04-post.quiz.md:3: post_test membutuhkan pre_test di kursus yang sama "
        "sebagai pembanding"
    ]


def test_pre_test_after_the_post_test_is_an_error(tmp_path: Path):
    folder = write_course(tmp_path, **{"00-post.quiz.md": POST, "04-pre.quiz.md": PRE})
    assert check(folder) == [
        f"{folder}/04-pre.quiz.md:3: pre_test harus berada sebelum post_test "
        "(nomor urut NN lebih kecil)"
    ]


def test_lonely_or_late_pre_test_only_warns(tmp_path: Path):
    folder = write_course(tmp_path, **{"04-pre.quiz.md": PRE})
    problems = check(folder)
    assert [p.split(": ", 1)[0] for p in problems] == [f"{folder}/04-pre.quiz.md:3"] * 2
    assert any("pre_test tanpa post_test" in p for p in problems)
    assert any("sebelum modul pertama" in p for p in problems)


@pytest.mark.usefixtures("app")
def test_cli_check_reports_role_errors(runner, app: Flask, tmp_path: Path):
    with_changes(app, content_sandbox=False)
    folder = write_course(tmp_path, **{"04-post.quiz.md": POST})
    result = runner.invoke(args=["courses", "check", str(folder)])
    assert result.exit_code == 1
    assert f"{folder}/04-post.quiz.md:3: post_test membutuhkan pre_test" in result.output


def test_publish_stores_the_role_on_the_item(runner, app: Flask, tmp_path: Path):
    from tests.factories import make_unit

    with_changes(app, content_sandbox=False)
    make_unit(code="palu")
    folder = write_course(tmp_path, **{"00-pre.quiz.md": PRE, "04-post.quiz.md": POST})
    result = runner.invoke(args=["courses", "publish", str(folder)])
    assert result.exit_code == 0, result.output
    stored = dict(db.session.execute(select(CourseItem.name, CourseItem.quiz_role)).all())
    assert stored == {
        "pre": "pre_test",
        "siklus": None,
        "kuis-siklus": None,
        "kuis-akhir": None,
        "post": "post_test",
    }
