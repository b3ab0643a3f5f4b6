"""Author input that would stall the renderer is refused fast, or rendered in linear time."""

import gc
import io
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from elearn.content.errors import ContentErrors
from elearn.content.parse import parse_course
from elearn.content.render import render_markdown
from elearn.content.upload import unpack_course_zip
from tests.content.course_fixtures import MODULE_MD, write_course

# CPU seconds of the test's own thread for the refusal or the render. Thread time, not process
# time: servers other tests started in this process (browser, cluster) keep running threads
# whose CPU would otherwise be charged here (a 0.5 s render once measured 2.06 s in CI).
TIME_LIMIT = 2.0


def refusal(folder: Path) -> list[str]:
    started = time.thread_time()
    with pytest.raises(ContentErrors) as excinfo:
        parse_course(folder, label=folder.name)
    assert time.thread_time() - started < TIME_LIMIT
    return [str(error) for error in excinfo.value.errors]


@pytest.mark.parametrize("count", [10_000, 50_000])
def test_thousands_of_open_brackets_are_refused_quickly(tmp_path: Path, count: int):
    body = MODULE_MD + "\nTeks biasa.\n\n" + "[" * count + "\n"
    folder = write_course(tmp_path, **{"01-siklus.md": body})
    errors = refusal(folder)
    assert errors == [
        "dasar-proyek/01-siklus.md:17: terlalu banyak tanda kurung [ ] atau ( ) yang tidak "
        "ditutup; berkas ini akan terlalu lama diproses"
    ]


@pytest.mark.parametrize(
    ("tangle", "message"),
    [
        ("![" * 5000, "tanda kurung"),
        ("[tautan](" * 5000, "tanda kurung"),
        ("<a \n\n" * 5000, "tanda < yang tidak ditutup"),
        ("<div>" * 5000, "HTML bersarang lebih dari 100 tingkat"),
    ],
)
def test_other_quadratic_shapes_are_refused(tmp_path: Path, tangle: str, message: str):
    folder = write_course(tmp_path, **{"01-siklus.md": MODULE_MD + tangle})
    assert message in refusal(folder)[0]


def test_a_five_thousand_row_table_is_refused_quickly(tmp_path: Path):
    table = "| Nama | Unit |\n|---|---|\n" + "| Andi | Dinas Kominfo |\n" * 5000
    folder = write_course(tmp_path, **{"01-siklus.md": MODULE_MD + "\n" + table})
    errors = refusal(folder)
    assert len(errors) == 1 and errors[0].startswith("dasar-proyek/01-siklus.md:")
    assert "lebih dari 2500 baris tabel, butir daftar atau judul" in errors[0]


def test_the_largest_allowed_table_renders_in_time_and_in_linear_time():
    def render_seconds(rows: int) -> float:
        table = "| Nama | Unit |\n|---|---|\n" + "| Andi | Dinas Kominfo |\n" * rows
        started = time.thread_time()
        rendered = render_markdown(table)
        assert rendered.html.count("<tr>") == rows + 1
        return time.thread_time() - started

    # The cyclic collector's passes scan the whole heap, which late in a full pytest run is
    # large: they made the larger render look 15-30x the smaller one. Time the renderer only.
    gc.disable()
    try:
        largest = render_seconds(2490)
        smallest = min(render_seconds(249) for _ in range(3))
    finally:
        gc.enable()
    assert largest < TIME_LIMIT
    # Ten times the rows may cost at most about ten times the time (not a hundred).
    assert largest < 25 * max(smallest, 0.001)


def test_ordinary_prose_with_brackets_and_comparisons_passes(tmp_path: Path):
    prose = "Lihat [pedoman](https://lan.go.id) (terbaru) bila nilai < 70 atau <b>gagal</b>. "
    folder = write_course(tmp_path, **{"01-siklus.md": MODULE_MD + prose * 2000})
    parse_course(folder)


def test_a_98_mb_module_is_refused_before_it_is_read(tmp_path: Path):
    folder = write_course(tmp_path)
    with (folder / "01-siklus.md").open("r+b") as module:
        module.truncate(98 * 1024 * 1024)  # sparse: the test writes nothing
    errors = refusal(folder)
    assert (
        "dasar-proyek/01-siklus.md:1: berkas sumber melebihi 1 MB; pecah menjadi beberapa modul"
        in errors
    )


def test_a_98_mb_module_in_a_zip_is_refused_before_extracting(tmp_path: Path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("kursus/course.md", "x")
        archive.writestr("kursus/01-besar.md", b"a" * (98 * 1024 * 1024))
    with pytest.raises(ContentErrors) as excinfo:
        unpack_course_zip(buffer.getvalue(), "kursus.zip", tmp_path / "out")
    assert [str(e) for e in excinfo.value.errors] == [
        "kursus.zip/kursus/01-besar.md:1: berkas sumber melebihi 1 MB; pecah menjadi beberapa modul"
    ]
    assert not (tmp_path / "out").exists()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(width: int, height: int, padding: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels, its image data ``padding`` zeros."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", b"\0" * padding)
        + png_chunk(b"IEND", b"")
    )


def test_images_are_judged_by_decoded_size_not_bytes(tmp_path: Path):
    four_mb = 4 * 1024 * 1024
    folder = write_course(
        tmp_path,
        **{
            "assets/diagram.png": png_header(100_000, 100_000, four_mb),
            "assets/lebar.png": png_header(9000, 10, 0),
            "assets/luas.png": png_header(7000, 7000, 0),
            "assets/nol.png": b"\x89PNG\r\n\x1a\n" + b"\0" * four_mb,
            "assets/pas.png": png_header(8000, 5000, 0),
        },
    )
    errors = refusal(folder)
    assert [e for e in errors if "/assets/" in e] == [
        "dasar-proyek/assets/diagram.png:1: gambar terlalu besar; "
        "paling besar 8000 piksel per sisi dan 40 megapiksel",
        "dasar-proyek/assets/lebar.png:1: gambar terlalu besar (9000×10 piksel); "
        "paling besar 8000 piksel per sisi dan 40 megapiksel",
        "dasar-proyek/assets/luas.png:1: gambar terlalu besar (7000×7000 piksel); "
        "paling besar 8000 piksel per sisi dan 40 megapiksel",
        "dasar-proyek/assets/nol.png:1: gambar rusak atau tidak dapat dibaca",
    ]
