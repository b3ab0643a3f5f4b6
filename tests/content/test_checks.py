"""Warnings of the content checks: quiz options, GIFT text after ``}``, Markdown layout, links."""

from __future__ import annotations

import pickle

import pytest

from elearn.content.checks import Document, QuizSource, course_problems
from elearn.content.errors import ContentErrors, Severity, SourceError, warning
from elearn.content.gift import parse_gift_quiz
from elearn.content.markdown_checks import (
    layout_problems,
    without_code_spans,
    without_comments,
)
from elearn.content.quizformat import parse_markdown_quiz
from elearn.content.render import render_markdown
from elearn.problem_text import Problem
from tests.testdata import SHARED_TESTDATA, require_shared

MOODLE_FIXTURE = SHARED_TESTDATA / "gift" / "questions.gift.txt"


def lines_of(problems: list[SourceError]) -> list[tuple[int, str]]:
    assert all(problem.severity is Severity.WARNING for problem in problems)
    return [(problem.line, problem.message) for problem in problems]


def test_a_warning_prints_with_its_label_and_crosses_a_pickle():
    problem = warning("k/01-a.md", 3, Problem("tautan '#%(anchor)s' x", anchor="tujuan"))
    assert str(problem) == "k/01-a.md:3: peringatan: tautan '#tujuan' x"
    assert str(SourceError("k/01-a.md", 3, "salah")) == "k/01-a.md:3: salah"
    again = pickle.loads(pickle.dumps(problem))  # noqa: S301 - our own bytes
    assert again == problem and again.severity is Severity.WARNING
    assert isinstance(again.message, Problem) and again.message.msgid == "tautan '#%(anchor)s' x"


def test_content_errors_keep_warnings_apart():
    found = ContentErrors([warning("a", 2, "w"), SourceError("a", 5, "e"), warning("a", 1, "v")])
    assert [e.line for e in found.errors] == [5]
    assert [w.line for w in found.warnings] == [1, 2]
    assert [p.line for p in found.problems] == [1, 2, 5]
    assert str(found) == "a:5: e"


def test_the_stray_text_in_moodles_gift_fixture_is_reported():
    text = require_shared(MOODLE_FIXTURE).read_text(encoding="utf-8")
    quiz = parse_gift_quiz(text, "q.gift", "Bawaan")
    message = (
        "teks '\";' setelah blok jawaban {...} ikut masuk ke teks pertanyaan; hapus bila tidak "
        "disengaja"
    )
    assert lines_of(list(quiz.warnings)) == [(31, message), (43, message)]
    # Moodle keeps it as question text, and so do we: it is a warning, not an error.
    q5 = next(question for question in quiz.questions if question.name == "Q5")
    assert q5.text.source.endswith('_____";')


def test_gift_text_after_the_answer_block():
    quiz = parse_gift_quiz(
        "Ibu kota Sulawesi Tengah adalah {=Palu ~Poso}.\n\n"
        "Palu terletak di teluk. {T}\nKota ini dilalui garis khatulistiwa. \n",
        "q.gift",
        "Bawaan",
    )
    assert lines_of(list(quiz.warnings)) == [
        (
            4,
            "teks di baris setelah blok jawaban {...} ikut masuk ke teks pertanyaan; pisahkan "
            "pertanyaan dengan baris kosong bila teks itu bukan bagian pertanyaan",
        )
    ]


def test_identical_options_in_gift_and_markdown_quizzes():
    gift = parse_gift_quiz("JP? {\n=45 menit\n~60 menit\n~45 MENIT\n}\n", "q.gift", "x")
    assert lines_of(list(gift.warnings)) == [
        (4, "pilihan '45 MENIT' sama dengan pilihan di baris 2")
    ]
    markdown = parse_markdown_quiz("## JP?\n- [x] 45 menit\n- [ ] 45  menit\n", "q.quiz.md", "x")
    assert lines_of(list(markdown.warnings)) == [
        (3, "pilihan '45  menit' sama dengan pilihan di baris 2")
    ]
    assert len(markdown.questions[0].choices) == 2


def test_warnings_come_with_the_errors_of_a_quiz():
    with pytest.raises(ContentErrors) as caught:
        parse_markdown_quiz("## A?\n- [x] a\n- [ ] a\n\n## B?\n- [ ] b\n- [ ] c\n", "q", "x")
    assert [(e.line, e.is_error) for e in caught.value.problems] == [(3, False), (6, True)]


def test_heading_levels():
    body = "### Mulai terlalu dalam\n\n## Bagian\n\n### Sub\n\n```\n##### di dalam kode\n```\n"
    body += "\nJudul setext\n------------\n\n#### Lompat\n"
    assert lines_of(layout_problems(body, 4, "m.md")) == [
        (
            4,
            "judul pertama bertingkat 3 melompati tingkat 2 (judul halaman sudah tingkat 1); "
            "mulai dengan ##",
        ),
        (17, "judul tingkat 4 setelah judul tingkat 2 melompati tingkat; gunakan ###"),
    ]


def test_a_list_glued_to_a_paragraph_is_reported_when_the_renderer_disagrees():
    body = "Langkahnya:\n- buka aplikasi\n- masuk\n"
    glued = "<li" not in render_markdown(body).html
    expected = (
        [
            (
                2,
                "baris daftar ini menempel pada paragraf di atasnya sehingga tampil sebagai teks "
                "biasa, bukan daftar; sisipkan baris kosong sebelumnya",
            )
        ]
        if glued
        else []
    )
    assert lines_of(layout_problems(body, 1, "m.md")) == expected


def test_layout_that_renders_as_it_reads_is_not_reported():
    body = (
        "Langkahnya:\n\n- buka aplikasi\n- masuk:\n\n    ```bash\n    flask run\n    ```\n\n"
        "| a | b |\n|---|---|\n| - x | y |\n\nTeks\n\n---\n"
    )
    assert layout_problems(body, 1, "m.md") == []


def test_code_spans_and_comments_are_blanked():
    blank = " " * 9
    assert without_code_spans("a `![x](y)` b ``c ` d`` e `f") == f"a {blank} b {blank} e `f"
    # A run closes only with a run of its own length; a run left without one stays text.
    assert without_code_spans("``a` b`` `c") == " " * 9 + "`c"
    # Comments shrink to their line breaks, so every later line keeps its number.
    assert without_comments("a <!-- ![](x)\n--> b\n<!-- c") == "a \n b\n<!-- c"


def test_links_inside_the_course_are_checked_and_others_are_not():
    overview = Document("k/course.md", "Lihat [modul](01-a.md) dan [kuis](kuis#x).\n", 8)
    module = Document(
        "k/01-a.md",
        "## Tujuan\n\n[a](#tujuan) [b](https://contoh.go.id/#x) [c](mailto:a@b.id) "
        "[d](../katalog) [e](/learn) [f](assets/x.pdf#page=2) `[g](#hilang)`\n\n"
        '<a href="02-b.md">h</a>\n\n[i][]\n\n[i]: a#hilang\n',
        4,
    )
    items = {"01-a.md": "k/01-a.md", "a": "k/01-a.md", "02-kuis.gift": "k/02-kuis.gift"}
    items["kuis"] = "k/02-kuis.gift"
    problems = course_problems([overview, module], [], items, {})
    assert [str(problem) for problem in problems] == [
        "k/01-a.md:8: peringatan: tautan ke '02-b.md': tidak ada modul atau kuis dengan nama itu "
        "di kursus ini (tautan ke situs lain ditulis lengkap dengan https://)",
        "k/01-a.md:12: peringatan: tautan ke 'a#hilang': tidak ada judul dengan jangkar itu di "
        "modul tersebut",
    ]


def test_images_in_quizzes_are_checked_too():
    gift = QuizSource(
        "k/02-kuis.gift",
        "// ![](https://contoh.go.id/komentar.png)\n"
        '[html]<img src="https\\://contoh.go.id/a.png" alt="A"> Apa ini? {T}\n\n'
        "[markdown]![](assets/b.png) Dan ini? {F}\n",
        gift=True,
    )
    problems = course_problems([], [gift], {}, {})
    assert [(p.line, p.is_error) for p in problems] == [(2, True), (4, False)]
    assert "(https://contoh.go.id/a.png)" in problems[0].message


def test_the_external_images_of_a_real_lesson_are_errors_at_their_lines():
    lesson = require_shared(
        SHARED_TESTDATA / "webdev-id/translations/id/2-js-basics/1-data-types/README.md"
    )
    document = Document("01-tipe-data.md", lesson.read_text(encoding="utf-8"), 1)
    errors = [problem for problem in course_problems([document], [], {}, {}) if problem.is_error]
    urls = [(error.line, getattr(error.message, "params", {}).get("url")) for error in errors]
    assert urls == [
        (28, "https://img.youtube.com/vi/JNIXfGiDWM8/0.jpg"),
        (30, "https://img.youtube.com/vi/AWfA95eLdq8/0.jpg"),
    ]
