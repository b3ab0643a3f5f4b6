import io
import stat
import zipfile
from pathlib import Path

import pytest

from elearn.content.errors import ContentErrors
from elearn.content.upload import MAX_ENTRIES, unpack_course_zip
from tests.content.course_fixtures import write_course, zip_folder


def make_zip(entries: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def refused(data: bytes, tmp_path: Path, filename: str = "kursus.zip") -> list[str]:
    with pytest.raises(ContentErrors) as excinfo:
        unpack_course_zip(data, filename, tmp_path / "refused")
    assert not any((tmp_path / "refused").rglob("*"))
    return [str(e) for e in excinfo.value.errors]


def test_zip_with_course_folder_unpacks(tmp_path: Path):
    data = zip_folder(write_course(tmp_path / "src"))
    folder = unpack_course_zip(data, "upload.zip", tmp_path / "out")
    assert folder.name == "dasar-proyek"
    assert (folder / "assets" / "diagram.png").is_file()


def test_zip_with_files_at_root_takes_slug_from_file_name(tmp_path: Path):
    data = zip_folder(write_course(tmp_path / "src"), top="")
    assert unpack_course_zip(data, "dasar-proyek.zip", tmp_path / "out").name == "dasar-proyek"
    errors = refused(data, tmp_path, "Kursus Saya (1).zip")
    assert "nama berkas zip harus slug kursus" in errors[0]


@pytest.mark.parametrize(
    "name",
    ["../evil.md", "kursus/../../evil.md", "/etc/evil.md", "kursus\\..\\evil.md", "C:/evil.md"],
)
def test_path_traversal_is_refused(tmp_path: Path, name: str):
    data = make_zip({"kursus/course.md": b"x", name: b"x"})
    assert any("jalur berkas tidak aman" in e for e in refused(data, tmp_path))


def test_symlinks_and_unexpected_types_are_refused(tmp_path: Path):
    data = make_zip(
        {"kursus/course.md": b"x", "kursus/run.sh": b"#!", "kursus/assets/x.svg": b"<svg/>"},
        symlink="kursus/assets/link.png",
    )
    errors = refused(data, tmp_path)
    assert "kursus.zip/kursus/assets/link.png:1: tautan simbolik tidak diizinkan" in errors
    assert "kursus.zip/kursus/run.sh:1: jenis berkas tidak diizinkan di dalam kursus" in errors
    assert (
        "kursus.zip/kursus/assets/x.svg:1: jenis berkas tidak diizinkan di dalam kursus" in errors
    )


def test_too_many_entries_and_not_a_zip(tmp_path: Path):
    many = {f"kursus/{i:03d}-m.md": b"x" for i in range(MAX_ENTRIES + 1)}
    assert "lebih dari 500 entri" in refused(make_zip(many), tmp_path)[0]
    assert "bukan berkas zip yang valid" in refused(b"PK\x03\x04 rusak", tmp_path)[0]


def test_zip_bomb_is_stopped(tmp_path: Path):
    data = make_zip({"kursus/course.md": b"x", "kursus/01-besar.md": b"a" * (101 * 1024 * 1024)})
    assert len(data) < 1024 * 1024
    assert any("terlalu besar" in e for e in refused(data, tmp_path))


def test_mac_litter_is_ignored(tmp_path: Path):
    src = write_course(tmp_path / "src")
    (src / ".DS_Store").write_bytes(b"\0")
    data = make_zip(
        {
            **{
                f"dasar-proyek/{p.relative_to(src).as_posix()}": p.read_bytes()
                for p in src.rglob("*")
                if p.is_file()
            },
            "__MACOSX/dasar-proyek/._course.md": b"\0",
        }
    )
    assert unpack_course_zip(data, "x.zip", tmp_path / "out").name == "dasar-proyek"
