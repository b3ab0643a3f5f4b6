"""Build small course folders and zips for tests."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

# A real 2×2 PNG: assets are opened with Pillow to read their size.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00"
    b"\x00\xfd\xd4\x9as\x00\x00\x00\x16IDATx\xdac<!'\xc7\xc0\xc0\xc0\xc4\xc0\xc0\xc0\xc0\xc0"
    b"\x00\x00\r\x04\x01\x08\x7f\xad\x82Q\x00\x00\x00\x00IEND\xaeB`\x82"
)

COURSE_MD = """---
title: Dasar Manajemen Proyek
summary: Pengantar singkat manajemen proyek untuk ASN.
category: manajemen-proyek
competency: teknis
jp: 2
level: dasar
language: id
prerequisites: []
certificate: true
---
Kursus ini mengenalkan **siklus proyek**.
"""

MODULE_MD = """---
title: Siklus Proyek
minutes: 10
---
## Tahap proyek

Proyek punya awal dan akhir.

![Diagram](assets/diagram.png)

## Tahap penutupan

Selesai.
"""

QUIZ_MD = """---
title: Kuis Siklus
pass_mark: 70
max_attempts: 3
---
## Apa kepanjangan JP?
- [x] Jam Pelajaran
- [ ] Jadwal Pelatihan

> JP adalah satuan jam pelajaran.

## Berapa menit satu JP?
= 45
"""

GIFT = """::Q1:: Proyek memiliki awal dan akhir yang jelas. {T}

::Q2:: Ibu kota Sulawesi Tengah? {=Palu ~Mamuju ~Kendari}
"""


def write_course(root: Path, slug: str = "dasar-proyek", **overrides: str | bytes) -> Path:
    """Write a valid course folder; ``overrides`` maps relative paths to content ('' deletes)."""
    files: dict[str, str | bytes] = {
        "course.md": COURSE_MD,
        "01-siklus.md": MODULE_MD,
        "02-kuis-siklus.quiz.md": QUIZ_MD,
        "03-kuis-akhir.gift": GIFT,
        "assets/diagram.png": PNG,
    }
    files.update(overrides)
    folder = root / slug
    for relative, content in files.items():
        path = folder / relative
        if content == "":
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def zip_folder(folder: Path, *, top: str | None = None) -> bytes:
    """Zip ``folder``'s files under ``top/`` (its own name by default)."""
    buffer = io.BytesIO()
    prefix = folder.name if top is None else top
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                archive.writestr(f"{prefix}/{name}" if prefix else name, path.read_bytes())
    return buffer.getvalue()
