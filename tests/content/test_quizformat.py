"""Tests for the Markdown quiz syntax parser."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from textwrap import dedent

import pytest

from elearn.content.errors import ContentErrors
from elearn.content.quiz import QuestionKind, Quiz
from elearn.content.quizformat import parse_markdown_quiz
from tests.testdata import require_shared

PATH = "courses/demo/02-kuis.quiz.md"
NO_ANSWERS = (
    "pertanyaan tidak memiliki jawaban: tambahkan pilihan '- [x]'/'- [ ]' atau baris '= jawaban'"
)
SPLIT_GROUP = (
    "jawaban harus ditulis dalam satu kelompok; kelompok ini terpisah dari jawaban di baris 2"
)
TEXT_AFTER = (
    "teks setelah jawaban tidak diperbolehkan; setelah jawaban hanya boleh ada satu blockquote"
    " '>' berisi umpan balik"
)
BAD_OPTION = (
    "pilihan tidak valid: tulis '- [x] teks' untuk pilihan benar atau '- [ ] teks' untuk"
    " pilihan salah"
)
NOT_A_NUMBER = (
    "baris ini bukan angka, padahal baris '=' lain memakai '±'; jawaban numerik hanya boleh"
    " berisi angka"
)
BAD_TOLERANCE = "jawaban numerik tidak valid: tulis '= angka ± toleransi', misalnya '= 75 ± 0.5'"
STRAY_OPTIONS = (
    "pilihan atau baris '=' sebelum pertanyaan pertama; setiap pertanyaan harus diawali judul '## '"
)

TESTDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata"

SAMPLE = dedent(
    """\
    ---
    title: Kuis Modul 2 — Perencanaan Proyek
    pass_mark: 80
    max_attempts: 3
    time_limit: 15
    draw: 5
    shuffle: true
    required: false
    ---
    Jawab semua pertanyaan.

    ## Apa kepanjangan dari JP dalam pengembangan kompetensi ASN?
    Pilih **satu** jawaban.

    - [x] Jam Pelajaran
    - [ ] Jumlah Peserta
    - [ ] Jadwal Pelatihan

    > Satu JP setara 45 menit.

    ## Pilih semua prinsip SMART yang benar.
    - [x] Specific
    - [x] Measurable
    - [ ] Mandatory

    ## Sebutkan singkatan dari aplikasi kepegawaian nasional BKN.
    = SIASN
    = Sistem Informasi ASN

    ## Berapa menit satu JP?
    = 45

    ## Berapa persen anggaran terserap jika Rp 750 juta dari Rp 1 miliar dibelanjakan?
    = 75 ± 0.5
    """
)


def parse(text: str) -> Quiz:
    """Parse ``text`` as a quiz file at PATH."""
    return parse_markdown_quiz(text, PATH, "Kuis Bawaan")


def errors(text: str) -> list[tuple[int, str]]:
    """Return the (line, message) pairs the parser reports for ``text``."""
    with pytest.raises(ContentErrors) as caught:
        parse(text)
    assert all(error.path == PATH for error in caught.value.errors)
    return [(error.line, error.message) for error in caught.value.errors]


def lines_of(text: str) -> list[int]:
    """Return only the line numbers of the errors reported for ``text``."""
    return [line for line, _ in errors(text)]


def test_sample_quiz_settings_intro_and_kinds() -> None:
    quiz = parse(SAMPLE)
    assert quiz.settings.title == "Kuis Modul 2 — Perencanaan Proyek"
    assert (quiz.settings.pass_mark, quiz.settings.max_attempts) == (80, 3)
    assert (quiz.settings.time_limit, quiz.settings.draw) == (15, 5)
    assert quiz.settings.shuffle is True and quiz.settings.required is False
    assert quiz.intro.source == "Jawab semua pertanyaan."
    assert quiz.source_path == PATH
    kinds = [q.kind for q in quiz.questions]
    assert kinds == [
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
        QuestionKind.SHORT,
        QuestionKind.NUMERIC,
        QuestionKind.NUMERIC,
    ]
    assert [q.line for q in quiz.questions] == [12, 21, 26, 30, 33]


def test_question_text_name_and_feedback() -> None:
    first = parse(SAMPLE).questions[0]
    assert first.name == "Apa kepanjangan dari JP dalam pengembangan kompetensi ASN?"
    assert first.text.source == f"{first.name}\n\nPilih **satu** jawaban."
    assert first.text.format == "markdown"
    assert first.general_feedback.source == "Satu JP setara 45 menit."
    second = parse(SAMPLE).questions[1]
    assert second.text.source == second.name
    assert second.general_feedback.source == ""


def test_default_title_and_settings_without_front_matter() -> None:
    quiz = parse("## Q\n= a\n")
    assert quiz.settings.title == "Kuis Bawaan"
    assert quiz.settings.pass_mark == 70 and quiz.settings.draw is None
    assert quiz.intro.source == ""
    assert quiz.questions[0].line == 1


def test_single_choice_fractions_and_bullet_variants() -> None:
    quiz = parse("## Q\n* [ ] Satu\n- [X] Dua `kode`\n* [ ] Tiga\n")
    (question,) = quiz.questions
    assert question.kind is QuestionKind.SINGLE
    assert [(c.text.source, c.fraction) for c in question.choices] == [
        ("Satu", 0.0),
        ("Dua `kode`", 1.0),
        ("Tiga", 0.0),
    ]


def test_multiple_response_partial_credit() -> None:
    quiz = parse("## Q\n- [x] a\n- [ ] b\n- [x] c\n- [ ] d\n- [ ] e\n")
    fractions = [c.fraction for c in quiz.questions[0].choices]
    assert quiz.questions[0].kind is QuestionKind.MULTIPLE
    assert fractions == pytest.approx([0.5, -1 / 3, 0.5, -1 / 3, -1 / 3])


def test_multiple_response_with_every_option_correct() -> None:
    quiz = parse("## Q\n- [x] a\n- [x] b\n- [x] c\n")
    assert [c.fraction for c in quiz.questions[0].choices] == pytest.approx([1 / 3] * 3)


def test_blank_lines_between_options_keep_one_group() -> None:
    quiz = parse("## Q\n- [x] a\n\n- [ ] b\n\n> umpan\n")
    assert len(quiz.questions[0].choices) == 2
    assert quiz.questions[0].general_feedback.source == "umpan"


def test_short_answers_keep_text_and_words_beat_numbers() -> None:
    quiz = parse("## Q\n=  Sistem Informasi ASN \n= 45\n=empat puluh lima\n")
    question = quiz.questions[0]
    assert question.kind is QuestionKind.SHORT
    assert [a.text for a in question.short_answers] == [
        "Sistem Informasi ASN",
        "45",
        "empat puluh lima",
    ]
    assert [a.fraction for a in question.short_answers] == [1.0, 1.0, 1.0]


def test_numeric_answers_with_tolerances() -> None:
    quiz = parse("## Q\n= 75 ± 0.5\n= -2.5+-1\n= .5\n= +3\n")
    question = quiz.questions[0]
    assert question.kind is QuestionKind.NUMERIC
    assert [(a.value, a.tolerance) for a in question.numeric_answers] == [
        (75.0, 0.5),
        (-2.5, 1.0),
        (0.5, 0.0),
        (3.0, 0.0),
    ]


def test_lists_and_links_in_the_body_are_not_options() -> None:
    body = "Perhatikan:\n\n- butir biasa\n- [tautan](https://bkn.go.id)\n- [A] pernyataan A"
    question = parse(f"## Q\n{body}\n\n= a\n").questions[0]
    assert question.text.source == f"Q\n\n{body}"


def test_decimal_comma_is_not_a_number() -> None:
    assert parse("## Q\n= 2,5\n").questions[0].kind is QuestionKind.SHORT


def test_feedback_markers_removed_and_inner_markdown_kept() -> None:
    text = "## Q\n= a\n\n> Baris **satu**\n>\n> - butir\n>> kutipan\n>tanpa spasi\n"
    feedback = parse(text).questions[0].general_feedback.source
    assert feedback == "Baris **satu**\n\n- butir\n> kutipan\ntanpa spasi"


def test_heading_closing_hashes_are_dropped() -> None:
    assert parse("## Apa itu JP? ##\n= a\n").questions[0].name == "Apa itu JP?"


def test_crlf_input_keeps_line_numbers() -> None:
    text = "---\r\ntitle: X\r\n---\r\n## Q\r\n= a\r\n## R\r\n= \r\n"
    assert errors(text) == [(7, "jawaban setelah '=' kosong")]


FENCED = dedent(
    """\
    ## Apa keluaran kode ini?
    ```markdown
    ## bukan judul
    - [x] bukan pilihan
    = bukan jawaban
    ~~~
    ```

    ~~~~
    ```
    ## masih di dalam blok
    ~~~~

    - [x] Cetak
    - [ ] Galat
    """
)


def test_fences_are_opaque_in_the_body() -> None:
    (question,) = parse(FENCED).questions
    assert question.kind is QuestionKind.SINGLE
    assert [c.text.source for c in question.choices] == ["Cetak", "Galat"]
    assert "## bukan judul\n- [x] bukan pilihan\n= bukan jawaban" in question.text.source
    assert question.text.source.endswith("## masih di dalam blok\n~~~~")


def test_fence_in_intro_hides_headings() -> None:
    quiz = parse("Contoh:\n```\n## bukan pertanyaan\n= 1\n```\n## Q\n= a\n")
    assert [q.name for q in quiz.questions] == ["Q"]
    assert "## bukan pertanyaan" in quiz.intro.source


def test_unclosed_fence_is_reported_at_its_opening() -> None:
    assert errors("## Q\n= a\n## R\n```\n= b\n") == [
        (3, NO_ANSWERS),
        (4, "blok kode yang dibuka dengan '```' tidak pernah ditutup"),
    ]


def test_fence_after_answers_is_text_after_answers() -> None:
    assert lines_of("## Q\n= a\n```\n## X\n```\n") == [3]


def test_key_is_short_hash_of_the_question_source() -> None:
    question = parse("Intro\n\n## Q\n= a\n\n\n").questions[0]
    assert question.key == hashlib.sha256(b"## Q\n= a").hexdigest()[:12]


def test_keys_are_stable_when_other_content_changes() -> None:
    before = parse(SAMPLE).questions
    changed = SAMPLE.replace("- [ ] Mandatory", "- [ ] Manual").replace("pass_mark: 80", "")
    changed = changed.replace("Jawab semua pertanyaan.", "Intro\nbaru\n\n")
    after = parse(changed).questions
    assert [q.key for q in after] != [q.key for q in before]
    assert before[1].key != after[1].key
    for index in (0, 2, 3, 4):
        assert before[index].key == after[index].key
        assert before[index].line != after[index].line
    assert len({q.key for q in before}) == len(before)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "## Q\nTeks saja.\n",
            (1, NO_ANSWERS),
            id="no-answers",
        ),
        pytest.param(
            "## Q\n- [x] a\n- [ ] b\n= c\n",
            (4, "pertanyaan tidak boleh memakai pilihan '- [ ]' dan baris '=' sekaligus"),
            id="options-and-answers",
        ),
        pytest.param(
            "## Q\n= c\n- [x] a\n- [ ] b\n",
            (3, "pertanyaan tidak boleh memakai pilihan '- [ ]' dan baris '=' sekaligus"),
            id="answers-then-options",
        ),
        pytest.param(
            "## Q\n- [x] a\n\nPenjelasan\n\n- [ ] b\n",
            (6, SPLIT_GROUP),
            id="two-option-groups",
        ),
        pytest.param(
            "## Q\n= a\n> umpan\n= b\n",
            (4, SPLIT_GROUP),
            id="answers-split-by-feedback",
        ),
        pytest.param(
            "## Q\n= a\n\nCatatan tambahan.\n",
            (4, TEXT_AFTER),
            id="text-after-answers",
        ),
        pytest.param(
            "## Q\n= a\n> umpan\nlanjutan\n",
            (4, "setiap baris umpan balik harus diawali '>'"),
            id="lazy-feedback-line",
        ),
        pytest.param(
            "## Q\n= a\n> satu\n\n> dua\n",
            (5, "hanya satu blockquote '>' umpan balik yang boleh mengikuti jawaban"),
            id="two-blockquotes",
        ),
        pytest.param(
            "## Q\n- [x] a\n- [ ] b\n### R\n",
            (4, "judul pertanyaan harus memakai '## ' (tepat dua tanda '#')"),
            id="wrong-heading-level",
        ),
        pytest.param(
            "## Q\n- [x] satu-satunya\n",
            (2, "pertanyaan pilihan memerlukan minimal dua pilihan"),
            id="one-option",
        ),
        pytest.param(
            "## Q\n- [ ] a\n- [ ] b\n",
            (2, "tidak ada pilihan benar: tandai minimal satu dengan '- [x]'"),
            id="no-correct-option",
        ),
        pytest.param(
            "## Q\n- [x] a\n- [v] b\n",
            (3, BAD_OPTION),
            id="bad-mark",
        ),
        pytest.param(
            "## Q\n- [x] a\n- b\n- [ ] c\n",
            (3, BAD_OPTION),
            id="plain-bullet-among-options",
        ),
        pytest.param("## Q\n- [x] a\n+ [ ] b\n", (3, BAD_OPTION), id="plus-bullet"),
        pytest.param("## Q\n- [x] a\n- [✓] b\n", (3, BAD_OPTION), id="check-mark"),
        pytest.param("## Q\n- [x] a\n- [x]b\n", (3, BAD_OPTION), id="no-space-after-mark"),
        pytest.param("## Q\n-[x] a\n- [ ] b\n", (2, BAD_OPTION), id="no-space-after-dash"),
        pytest.param("## Q\n- [x] a\n- [ ]\n", (3, "teks pilihan kosong"), id="empty-option"),
        pytest.param("## Q\n= a\n=\n", (3, "jawaban setelah '=' kosong"), id="empty-answer"),
        pytest.param(
            "## Q\n= 75 ± 1\n= tujuh puluh lima\n",
            (3, NOT_A_NUMBER),
            id="tolerance-mixed-with-words",
        ),
        pytest.param(
            "## Q\n= 75 ± sedikit\n",
            (2, BAD_TOLERANCE),
            id="bad-tolerance",
        ),
        pytest.param("## Q\n= 75 ± -1\n", (2, BAD_TOLERANCE), id="negative-tolerance"),
        pytest.param(
            "## Apa itu JP?\n= a\n##   apa ITU  jp?\n= b\n",
            (3, "judul pertanyaan sama dengan pertanyaan di baris 1"),
            id="duplicate-heading",
        ),
        pytest.param(
            "##\n= a\n",
            (1, "judul pertanyaan kosong: tulis teks pertanyaan setelah '## '"),
            id="empty-heading",
        ),
        pytest.param(
            "---\ndraw: 3\n---\n## Q\n= a\n## R\n= b\n",
            (1, "'draw' (3) lebih besar dari jumlah pertanyaan (2)"),
            id="draw-above-pool",
        ),
        pytest.param(
            "Hanya intro.\n",
            (1, "kuis tidak memiliki pertanyaan; setiap pertanyaan diawali judul '## '"),
            id="no-questions",
        ),
    ],
)
def test_each_error_rule(text: str, expected: tuple[int, str]) -> None:
    assert errors(text) == [expected]


def test_options_before_first_heading_are_reported() -> None:
    assert errors("# Kuis\n- [x] a\n- [ ] b\n## Q\n= a\n") == [
        (2, STRAY_OPTIONS),
    ]


def test_draw_equal_to_pool_is_accepted() -> None:
    assert parse("---\ndraw: 2\n---\n## Q\n= a\n## R\n= b\n").settings.draw == 2


def test_error_line_numbers_count_the_front_matter() -> None:
    text = "---\ntitle: Kuis\npass_mark: 70\n---\n\nIntro\n\n## Q\n- [x] a\n"
    assert lines_of(text) == [9]


def test_all_errors_in_a_file_are_reported_together() -> None:
    text = dedent(
        """\
        ---
        pass_mark: 120
        draw: 9
        ---
        ## Satu
        - [ ] a
        - [ ] b

        ## Dua
        = 1 ± 0.1
        = satu

        ## Tiga
        - [x] a
        - [ ] b
        Teks nyasar.

        ## satu
        = a
        """
    )
    with pytest.raises(ContentErrors) as caught:
        parse(text)
    reported = [(e.line, e.message.split(":")[0].split(";")[0]) for e in caught.value.errors]
    assert reported == [
        (1, "'draw' (9) lebih besar dari jumlah pertanyaan (4)"),
        (1, "'pass_mark' harus dalam rentang 0–100, bukan 120"),
        (6, "tidak ada pilihan benar"),
        (11, "baris ini bukan angka, padahal baris '=' lain memakai '±'"),
        (16, "teks setelah jawaban tidak diperbolehkan"),
        (18, "judul pertanyaan sama dengan pertanyaan di baris 5"),
    ]
    first = str(caught.value).splitlines()[0]
    assert first == f"{PATH}:1: 'draw' (9) lebih besar dari jumlah pertanyaan (4)"


def test_invalid_front_matter_and_body_errors_are_both_reported() -> None:
    assert lines_of("---\ntitle: [x\n---\n## Q\n- [x] a\n") == [2, 5]


def webdev_quiz_markdown(quiz: dict[str, object]) -> str:
    """Write one quiz of the Web-Dev-For-Beginners quiz app in the Markdown quiz syntax."""
    parts = [f"---\ntitle: {json.dumps(quiz['title'])}\n---\n"]
    questions = quiz["quiz"]
    assert isinstance(questions, list)
    for question in questions:
        parts.append(f"## {question['questionText']}\n")
        for option in question["answerOptions"]:
            mark = "x" if option["isCorrect"] == "true" else " "
            parts.append(f"- [{mark}] {option['answerText']}")
        parts.append("")
    return "\n".join(parts)


def test_real_indonesian_quizzes_from_webdev_testdata() -> None:
    source = TESTDATA / "webdev-id" / "quiz-app" / "src" / "assets" / "translations" / "id.json"
    require_shared(source)
    quizzes = json.loads(source.read_text(encoding="utf-8"))[0]["quizzes"]
    assert len(quizzes) == 48
    parsed: dict[int, Quiz] = {}
    failures: dict[int, list[tuple[int, str]]] = {}
    for quiz in quizzes:
        try:
            parsed[quiz["id"]] = parse(webdev_quiz_markdown(quiz))
        except ContentErrors as exc:
            failures[quiz["id"]] = [(e.line, e.message) for e in exc.errors]
    # Quiz 33 marks no option of its true/false question correct; the parser must catch it.
    assert list(failures) == [33]
    assert all("tidak ada pilihan benar" in message for _, message in failures[33])
    kinds = {q.name: q.kind for q in parsed[5].questions}
    assert kinds["Situs web yang dapat diakses dapat diperiksa di alat browser mana"] == (
        QuestionKind.MULTIPLE
    )
    assert parsed[1].questions[1].choices[1].text.source == "Hardware"
    assert parsed[1].settings.title.startswith("Pelajaran 1")
