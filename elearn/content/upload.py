"""Unpack a course uploaded as a .zip, refusing anything unsafe or unexpected."""

from __future__ import annotations

import stat
import zipfile
from io import BytesIO
from pathlib import Path, PurePosixPath

from elearn.content.assets import ALLOWED_ASSET_TYPES
from elearn.content.errors import ContentErrors, SourceError
from elearn.content.parse import SLUG, file_size_problem
from elearn.problem_text import Problem

MAX_ZIP_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 500
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a zip bomb stops here
SOURCE_SUFFIXES = (".md", ".gift")
IGNORED_PREFIXES = ("__MACOSX/",)


def unpack_course_zip(data: bytes, filename: str, destination: Path) -> Path:
    """Extract the course folder inside ``data`` under ``destination`` and return it.

    The zip holds either one folder (its name is the course slug) with
    course.md inside, or course.md at its root (the slug is the zip's name).
    Raises ContentErrors naming every refused entry; nothing is extracted then.
    """
    label = filename or "kursus.zip"
    with _open_zip(data, label) as archive:
        files = _checked_files(archive, label)
        prefix, slug = _course_root([info.filename for info in files], label)
        root = destination / slug
        for info in files:
            relative = PurePosixPath(info.filename[len(prefix) :])
            _extract(archive, info, root.joinpath(*relative.parts), label)
    return root


def _open_zip(data: bytes, label: str) -> zipfile.ZipFile:
    if len(data) > MAX_ZIP_BYTES:
        raise _error(label, Problem("berkas zip melebihi %(mb)d MB", mb=MAX_ZIP_BYTES // 2**20))
    try:
        return zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise _error(label, Problem("bukan berkas zip yang valid")) from None


def _checked_files(archive: zipfile.ZipFile, label: str) -> list[zipfile.ZipInfo]:
    """The files to extract; ContentErrors naming every refused entry (or a zip too large)."""
    entries = [info for info in archive.infolist() if not _ignored(info.filename)]
    if len(entries) > MAX_ENTRIES:
        raise _error(label, Problem("zip berisi lebih dari %(n)d entri", n=MAX_ENTRIES))
    files = [info for info in entries if not info.is_dir()]
    errors = [error for info in files for error in _entry_problems(info, label)]
    if sum(info.file_size for info in files) > MAX_UNPACKED_BYTES:
        errors.append(SourceError(label, 1, Problem("isi zip terlalu besar setelah diekstrak")))
    if errors:
        raise ContentErrors(errors)
    return files


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, label: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(info) as source:
        # Read one byte past the declared size: a lying header is a bomb.
        content = source.read(info.file_size + 1)
    if len(content) != info.file_size:
        raise _error(f"{label}/{info.filename}", Problem("ukuran entri tidak sesuai"))
    target.write_bytes(content)


def _ignored(name: str) -> bool:
    return name.startswith(IGNORED_PREFIXES) or PurePosixPath(name).name.startswith(".")


def _entry_problems(info: zipfile.ZipInfo, label: str) -> list[SourceError]:
    name = info.filename
    where = f"{label}/{name}"
    path = PurePosixPath(name)
    if "\\" in name or path.is_absolute() or ".." in path.parts or ":" in name:
        return [SourceError(where, 1, Problem("jalur berkas tidak aman"))]
    if stat.S_ISLNK(info.external_attr >> 16):
        return [SourceError(where, 1, Problem("tautan simbolik tidak diizinkan"))]
    suffix = path.suffix.lower()
    in_assets = "assets" in path.parts[:-1]
    if not (suffix in SOURCE_SUFFIXES or (in_assets and suffix in ALLOWED_ASSET_TYPES)):
        return [SourceError(where, 1, Problem("jenis berkas tidak diizinkan di dalam kursus"))]
    # Judged on the size the zip declares, before anything is extracted.
    problem = file_size_problem("assets/" if in_assets else name, info.file_size)
    return [SourceError(where, 1, problem)] if problem else []


def _course_root(names: list[str], label: str) -> tuple[str, str]:
    """Return (prefix to strip, slug) for the folder holding course.md."""
    if "course.md" in names:
        slug = PurePosixPath(label).stem.lower()
        if not SLUG.match(slug):
            raise _error(
                label, Problem("nama berkas zip harus slug kursus, mis. manajemen-proyek.zip")
            )
        return "", slug
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1:
        top = tops.pop()
        if f"{top}/course.md" in names:
            if not SLUG.match(top):
                raise _error(
                    label,
                    Problem(
                        "nama folder '%(name)s' harus huruf kecil, angka dan tanda hubung", name=top
                    ),
                )
            return f"{top}/", top
    raise _error(label, Problem("zip harus berisi satu folder kursus dengan course.md di dalamnya"))


def _error(where: str, message: str) -> ContentErrors:
    return ContentErrors([SourceError(where, 1, message)])


def unpack_zip_tree(data: bytes, filename: str, destination: Path) -> None:
    """Extract every entry of ``data`` under ``destination``, keeping the zip's folders.

    The same checks as a course zip (size, entry count, safe paths, allowed file types,
    file sizes, a lying header); raises ContentErrors naming every refused entry, and
    nothing is extracted then. For a zip of several folders (a program and its courses).
    """
    label = filename or "program.zip"
    with _open_zip(data, label) as archive:
        for info in _checked_files(archive, label):
            target = destination.joinpath(*PurePosixPath(info.filename).parts)
            _extract(archive, info, target, label)
