"""``flask courses check`` reports warnings beside errors, and fails on them only with --strict."""

import random
import re
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from elearn.settings import with_changes
from tests.content.course_fixtures import write_course

REPO = Path(__file__).resolve().parents[2]
CHECK_COURSES = Path(__file__).resolve().parent / "check_courses"
WARNED = CHECK_COURSES / "peringatan"
EXTERNAL = CHECK_COURSES / "gambar-luar"


def expected_warnings(folder: Path) -> list[str]:
    """The warnings of the fixture course ``peringatan``, as printed."""
    return [
        f"{folder}/01-pengantar.md:7: peringatan: baris daftar ini menempel pada paragraf di "
        "atasnya sehingga tampil sebagai teks biasa, bukan daftar; sisipkan baris kosong "
        "sebelumnya",
        f"{folder}/01-pengantar.md:10: peringatan: judul tingkat 4 setelah judul tingkat 2 "
        "melompati tingkat; gunakan ###",
        f"{folder}/01-pengantar.md:12: peringatan: gambar tanpa teks alternatif; tulis "
        'keterangan singkat di antara [ ] (atau alt="...") untuk pembaca layar dan saat gambar '
        "gagal dimuat",
        f"{folder}/01-pengantar.md:14: peringatan: tautan '#ringkasan' tidak menuju judul mana "
        "pun di halaman ini",
        f"{folder}/01-pengantar.md:18: peringatan: blok kode berpagar di bawah butir daftar "
        "tidak tampil sebagai kode (pagar ``` terlihat sebagai teks); beri baris kosong sebelum "
        "pagar dan indentasi 4 spasi per tingkat daftar",
        f"{folder}/02-lanjutan.md:3: peringatan: tautan ke 'pengantar#rincian-lain': tidak ada "
        "judul dengan jangkar itu di modul tersebut",
        f"{folder}/03-kuis.quiz.md:4: peringatan: pilihan 'palu' sama dengan pilihan di baris 2",
        f"{folder}/04-evaluasi.gift:1: peringatan: pilihan '45  Menit' sama dengan pilihan di "
        "baris 1",
        f"{folder}/04-evaluasi.gift:3: peringatan: teks '\";' setelah blok jawaban {{...}} ikut "
        "masuk ke teks pertanyaan; hapus bila tidak disengaja",
        f"{folder}/course.md:8: peringatan: tautan ke 'penutup': tidak ada modul atau kuis "
        "dengan nama itu di kursus ini (tautan ke situs lain ditulis lengkap dengan https://)",
    ]


@pytest.fixture(autouse=True)
def render_in_process(app: Flask) -> None:
    """Render in the test process (fast); one test below uses the limited render process."""
    with_changes(app, content_sandbox=False)


def test_warnings_are_printed_and_the_check_passes(runner):
    result = runner.invoke(args=["courses", "check", str(WARNED)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:-1] == expected_warnings(WARNED)
    assert lines[-1].startswith("peringatan: ok — 2 modules, 2 quizzes, 1 assets, 1 JP")


def test_strict_fails_on_warnings(runner):
    result = runner.invoke(args=["courses", "check", "--strict", str(WARNED)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        *expected_warnings(WARNED),
        "10 peringatan; --strict menganggapnya gagal",
    ]


def test_warnings_survive_the_limited_render_process(runner, app):
    with_changes(app, content_sandbox=True)
    result = runner.invoke(args=["courses", "check", "--strict", str(WARNED), str(EXTERNAL)])
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if "peringatan: " in line] == (
        expected_warnings(WARNED)
    )


@pytest.mark.parametrize("strict", [[], ["--strict"]])
def test_an_external_image_is_an_error(runner, strict):
    result = runner.invoke(args=["courses", "check", *strict, str(EXTERNAL)])
    assert result.exit_code == 1
    advice = (
        "diblokir oleh kebijakan keamanan halaman (CSP) dan tidak akan tampil; simpan "
        "gambarnya di assets/ lalu tulis assets/nama-berkas"
    )
    assert result.output.splitlines() == [
        f"{EXTERNAL}/01-logo.md:3: gambar dari luar kursus (https://contoh.go.id/logo.png) "
        + advice,
        f"{EXTERNAL}/01-logo.md:5: gambar dari luar kursus (//cdn.contoh.go.id/foto.jpg) " + advice,
    ]


def test_errors_and_warnings_are_reported_together(runner, tmp_path: Path):
    folder = write_course(
        tmp_path,
        **{"01-siklus.md": "---\nminutes: banyak\n---\n## Isi\n\n#### Rincian\n"},
    )
    result = runner.invoke(args=["courses", "check", str(folder)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{folder}/01-siklus.md:1: 'minutes' harus bilangan bulat 1–600",
        f"{folder}/01-siklus.md:6: peringatan: judul tingkat 4 setelah judul tingkat 2 "
        "melompati tingkat; gunakan ###",
    ]


def noise_png(width: int, height: int) -> bytes:
    """A PNG of random pixels: no re-encoding gets it much smaller."""
    pixels = random.Random(12).randbytes(width * height * 3)
    output = BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(output, "PNG")
    return output.getvalue()


def test_an_image_still_large_once_optimised_is_a_warning(runner, tmp_path: Path):
    module = "## Foto\n\n![Foto kegiatan](assets/foto.png)\n\n![Diagram](assets/diagram.png)\n"
    folder = write_course(
        tmp_path, **{"01-siklus.md": module, "assets/foto.png": noise_png(320, 320)}
    )
    result = runner.invoke(args=["courses", "check", str(folder)])
    assert result.exit_code == 0, result.output
    # Random pixels stay near 3 bytes a pixel (the exact size is zlib's).
    assert re.fullmatch(
        re.escape(f"{folder}/01-siklus.md:3: peringatan: gambar 'foto.png' berukuran ")
        + r"3\d\d"
        + re.escape(
            " KB setelah dioptimalkan (anjuran paling besar 200 KB); perkecil ukuran atau "
            "kompres gambarnya"
        ),
        result.output.splitlines()[0],
    )
    assert "diagram.png" not in result.output


def test_the_sample_courses_have_no_errors_and_no_warnings(runner, app):
    with_changes(app, courses_dir=REPO / "courses")
    result = runner.invoke(args=["courses", "check", "--strict", "--all"])
    assert result.exit_code == 0, result.output
    assert "peringatan" not in result.output
    assert len(result.output.splitlines()) == 4  # three courses and the sample program
