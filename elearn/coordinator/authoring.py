"""Help for course authors: the course template zip and the format documentation as a page."""

from __future__ import annotations

import functools
from pathlib import Path

from elearn.content.render import RenderedDoc, render_markdown
from elearn.coordinator.sources import folder_zip

TEMPLATE_FOLDER = Path(__file__).parent / "course_template" / "contoh-kursus"
# The format guide lives with the other docs; the app shows it as a page.
FORMAT_DOC = Path(__file__).resolve().parents[2] / "docs" / "course-format.md"


def template_files(folder: Path = TEMPLATE_FOLDER) -> dict[str, bytes]:
    """The sample course's files by relative path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def template_zip() -> bytes:
    """The sample course as an upload-ready zip (``contoh-kursus/…``)."""
    return folder_zip(TEMPLATE_FOLDER.name, template_files())


def format_guide(path: Path = FORMAT_DOC) -> RenderedDoc | None:
    """docs/course-format.md rendered by the content pipeline; None when not deployed with it."""
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    return _rendered(path, stamp)


@functools.lru_cache(maxsize=2)
def _rendered(path: Path, stamp: int) -> RenderedDoc:
    # ``stamp`` is in the key so an edited guide is rendered again.
    return render_markdown(path.read_text(encoding="utf-8"))
