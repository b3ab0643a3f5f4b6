from pathlib import Path

import pytest

from elearn.content.errors import ContentErrors
from elearn.content.parse import parse_course
from tests.content.course_fixtures import PNG, write_course

REPO = Path(__file__).resolve().parents[2]


def errors_of(folder: Path) -> list[str]:
    with pytest.raises(ContentErrors) as excinfo:
        parse_course(folder, label=folder.name)
    return [str(e) for e in excinfo.value.errors]


def test_valid_course_parses_in_order(tmp_path: Path) -> None:
    course = parse_course(write_course(tmp_path))
    assert course.slug == "dasar-proyek"
    assert course.meta.jp == 2 and course.meta.competency == "teknis"
    assert [(i.position, i.name, i.is_quiz) for i in course.items] == [
        (1, "siklus", False),
        (2, "kuis-siklus", True),
        (3, "kuis-akhir", True),
    ]
    assert course.items[0].minutes == 10
    assert [a.path for a in course.assets] == ["diagram.png"]


def test_content_hash_changes_with_any_file(tmp_path: Path) -> None:
    first = parse_course(write_course(tmp_path / "a")).content_hash
    same = parse_course(write_course(tmp_path / "b")).content_hash
    changed = parse_course(write_course(tmp_path / "c", **{"assets/diagram.png": PNG + b"!"}))
    assert first == same != changed.content_hash


def test_every_error_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    folder = write_course(
        tmp_path,
        **{
            "course.md": "---\ntitle: X\nsummary: Y\ncategory: Bad Category\ncompetency: teknis\n"
            "jp: 0\n---\nIsi\n",
            "01-siklus.md": "---\ntitle: Siklus\n---\n## A\n\n![x](assets/tidak-ada.png)\n",
            "02-kuis-siklus.quiz.md": "## Soal\n- [ ] a\n- [ ] b\n",
            "03-kuis-akhir.gift": "::Q1:: Soal {=a ~b\n",
            "04-Modul Salah.md": "isi",
            "assets/palsu.png": b"<html><script>alert(1)</script>",
            "assets/skrip.svg": b"<svg onload=alert(1)>",
        },
    )
    errors = errors_of(folder)
    joined = "\n".join(errors)
    assert "dasar-proyek/course.md:1: 'category' harus huruf kecil" in joined
    assert "dasar-proyek/course.md:1: 'jp' harus bilangan bulat" in joined
    assert "dasar-proyek/01-siklus.md:6: aset 'assets/tidak-ada.png' tidak ada di assets/" in joined
    assert "dasar-proyek/02-kuis-siklus.quiz.md:" in joined
    assert "dasar-proyek/03-kuis-akhir.gift:1:" in joined
    assert "dasar-proyek/04-Modul Salah.md:1: nama berkas tidak dikenali" in joined
    assert "dasar-proyek/assets/palsu.png:1: isi berkas tidak sesuai dengan ekstensi .png" in joined
    assert "dasar-proyek/assets/skrip.svg:1: jenis berkas aset tidak diizinkan" in joined


def test_duplicate_position_and_missing_course_md(tmp_path: Path) -> None:
    folder = write_course(tmp_path, **{"01-lain.md": "## Lain\n\nIsi.\n"})
    assert any("nomor urut 01 sudah dipakai" in e for e in errors_of(folder))
    bare = tmp_path / "kosong"
    bare.mkdir()
    assert errors_of(bare) == ["kosong/course.md:1: course.md tidak ada"]


def test_course_needs_a_module_and_no_self_prerequisite(tmp_path: Path) -> None:
    course_md = (
        "---\ntitle: X\nsummary: Y\ncategory: umum\ncompetency: teknis\njp: 1\n"
        "prerequisites: [dasar-proyek]\n---\n"
    )
    folder = write_course(tmp_path, **{"course.md": course_md, "01-siklus.md": ""})
    errors = errors_of(folder)
    assert "dasar-proyek/course.md:1: kursus belum memiliki modul (NN-nama.md)" in errors
    assert "dasar-proyek/course.md:1: kursus tidak boleh menjadi prasyaratnya sendiri" in errors


def test_gift_draw_larger_than_pool_is_an_error(tmp_path: Path) -> None:
    gift = "---\ndraw: 5\n---\n" + "::Q1:: A? {T}\n"
    errors = errors_of(write_course(tmp_path, **{"03-kuis-akhir.gift": gift}))
    assert any("03-kuis-akhir.gift:1:" in e and "draw" in e for e in errors)


@pytest.mark.parametrize("slug", ["manajemen-proyek", "kepemimpinan", "administrasi-digital"])
def test_sample_courses_are_valid_and_substantial(slug: str) -> None:
    course = parse_course(REPO / "courses" / slug)
    modules = [i for i in course.items if not i.is_quiz]
    quizzes = [i for i in course.items if i.is_quiz]
    assert len(modules) >= 4
    assert len(quizzes) >= 2
    assert {q.source_format for q in quizzes} == {"quiz.md", "gift"}
    assert course.assets
    assert all(len(m.body.split()) >= 500 for m in modules)


def test_overview_and_quiz_asset_errors_point_at_the_right_line(tmp_path: Path) -> None:
    from tests.content.course_fixtures import COURSE_MD, QUIZ_MD

    overview = COURSE_MD + "\n![peta](assets/peta.png)\n"
    quiz = QUIZ_MD.replace(
        "## Berapa menit satu JP?", "## Berapa menit satu JP?\n![x](assets/jam.png)"
    )
    errors = errors_of(
        write_course(tmp_path, **{"course.md": overview, "02-kuis-siklus.quiz.md": quiz})
    )
    assert "dasar-proyek/course.md:14: aset 'assets/peta.png' tidak ada di assets/" in errors
    assert (
        "dasar-proyek/02-kuis-siklus.quiz.md:13: aset 'assets/jam.png' tidak ada di assets/"
        in errors
    )


def test_overlong_title_is_an_error(tmp_path: Path) -> None:
    module = "---\ntitle: " + "x" * 201 + "\n---\nIsi\n"
    errors = errors_of(write_course(tmp_path, **{"01-siklus.md": module}))
    assert "dasar-proyek/01-siklus.md:1: 'title' paling panjang 200 karakter" in errors
