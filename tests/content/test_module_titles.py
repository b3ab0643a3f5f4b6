"""A module's title: front matter ``title``, else its first ``# heading``, else its file name."""

from __future__ import annotations

from pathlib import Path

from elearn.content.parse import parse_course
from elearn.content.render import document_title, render_markdown
from tests.content.course_fixtures import write_course

BODY = "# Siklus Proyek Pemerintah\n\nProyek punya awal dan akhir.\n\n## Tahap\n\nSelesai.\n"


def module_title(tmp_path: Path, module: str) -> str:
    course = parse_course(write_course(tmp_path, **{"01-siklus.md": module}))
    return course.items[0].title


def test_the_first_heading_is_the_title_without_front_matter(tmp_path: Path) -> None:
    assert module_title(tmp_path, BODY) == "Siklus Proyek Pemerintah"


def test_front_matter_title_wins_over_the_heading(tmp_path: Path) -> None:
    assert module_title(tmp_path, "---\ntitle: Judul Lain\n---\n" + BODY) == "Judul Lain"


def test_file_name_is_the_title_without_either(tmp_path: Path) -> None:
    assert module_title(tmp_path, "Teks saja.\n\n# Judul di tengah\n") == "Siklus"


def test_document_title_reads_only_a_leading_level_one_heading() -> None:
    assert document_title("<!-- metadata -->\n\n# Judul *miring* `kode`\n\nTeks") == (
        "Judul miring kode"
    )
    assert document_title("Judul Setext\n===\n") == "Judul Setext"
    assert document_title("## Bukan judul\n\n# Terlambat\n") is None
    assert document_title("Teks\n\n# Terlambat\n") is None
    assert document_title("") is None


def test_a_heading_repeating_the_title_is_left_out() -> None:
    doc = render_markdown(BODY, title="Siklus  proyek pemerintah")
    assert "<h1" not in doc.html and "Siklus Proyek Pemerintah" not in doc.html
    assert doc.html.startswith("<p>Proyek punya awal dan akhir.</p>")
    assert [entry.anchor for entry in doc.toc] == ["tahap"]


def test_a_different_heading_and_later_ones_stay() -> None:
    assert '<h1 id="siklus-proyek-pemerintah">' in render_markdown(BODY, title="Lain").html
    later = "Teks.\n\n# Siklus Proyek Pemerintah\n"
    assert "<h1" in render_markdown(later, title="Siklus Proyek Pemerintah").html
    assert "<h1" in render_markdown(BODY).html  # no title given: nothing left out
