"""Read a program folder's ``program.md`` into checked, frozen data; every error is ``path:line``.

A program is a folder of ``courses/`` holding ``program.md`` only: YAML front matter (like
course.md) naming its courses in order. Each entry of ``courses`` is a step: a course slug,
or an elective group ``{title, choose, from: [slugs]}`` met by completing ``choose`` of its
courses. Lines come from the YAML nodes, so each message points at the entry at fault.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from elearn.content.errors import ContentErrors, SourceError
from elearn.content.frontmatter import FENCE, split_front_matter
from elearn.content.parse import SLUG
from elearn.problem_text import Problem

FILE_NAME = "program.md"
KEYS = {"slug", "title", "description", "courses", "berurutan"}
GROUP_KEYS = {"title", "choose", "from"}
MAX_TITLE = 200
MAX_DESCRIPTION = 1000
MAX_STEPS = 50


@dataclass(frozen=True)
class Step:
    """One step of a program: a required course (``choose`` 1 of 1) or an elective group."""

    slugs: tuple[str, ...]
    choose: int = 1
    title: str = ""

    @property
    def is_elective(self) -> bool:
        return len(self.slugs) > 1


@dataclass(frozen=True)
class ParsedProgram:
    slug: str
    title: str
    description: str
    steps: tuple[Step, ...]
    sequential: bool
    content_hash: str
    path: str  # how program.md is named in messages
    lines: dict[str, int]  # course slug -> its line in program.md


def is_program_folder(folder: Path) -> bool:
    """A folder with program.md and no course.md is a program."""
    return (folder / FILE_NAME).is_file() and not (folder / "course.md").exists()


def parse_program(folder: Path, *, label: str | None = None) -> ParsedProgram:
    """Parse and check one program folder's shape; raise ContentErrors with every problem.

    Whether its courses exist is checked by ``unknown_courses`` against what is known.
    """
    label = label or str(folder)
    path = f"{label}/{FILE_NAME}"
    data = (folder / FILE_NAME).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContentErrors(
            [SourceError(path, 1, Problem("berkas harus berenkode UTF-8"))]
        ) from None
    document, errors = split_front_matter(text, path)
    if errors:
        raise ContentErrors(errors)
    if document.body.strip():
        errors.append(
            SourceError(
                path,
                document.body_line,
                Problem("program.md hanya berisi front matter; tulis uraian di 'description'"),
            )
        )
    nodes = _key_nodes(text)
    raw = document.meta
    parsed = _program(raw, nodes, folder.name, path, errors)
    if errors or parsed is None:
        raise ContentErrors(errors)
    return ParsedProgram(**parsed, content_hash=hashlib.sha256(data).hexdigest(), path=path)


def _key_nodes(text: str) -> dict[str, yaml.Node]:
    """The front matter's top-level YAML nodes by key (their marks give line numbers)."""
    lines = text.replace("\r\n", "\n").lstrip("\ufeff").split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    # Blank lines keep the marks' line numbers equal to the file's.
    root = yaml.compose("\n".join(["", *lines[1:end]]))
    if not isinstance(root, yaml.MappingNode):
        return {}
    return {key.value: value for key, value in root.value if isinstance(key, yaml.ScalarNode)}


def _line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def _program(
    raw: dict[str, Any],
    nodes: dict[str, yaml.Node],
    folder_name: str,
    path: str,
    errors: list[SourceError],
) -> dict[str, Any] | None:
    def fail(key: str, message: str, node: yaml.Node | None = None) -> None:
        errors.append(SourceError(path, _line(node or nodes.get(key)), message))

    for key in sorted(set(raw) - KEYS):
        fail(key, Problem("kunci front matter tidak dikenal: '%(key)s'", key=key))
    slug = raw.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug):
        fail("slug", Problem("'slug' wajib diisi: huruf kecil, angka dan tanda hubung"))
    elif slug != folder_name:
        fail("slug", Problem("'slug' harus sama dengan nama folder '%(name)s'", name=folder_name))

    def text(key: str, limit: int) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            fail(key, Problem("'%(key)s' wajib diisi dengan teks", key=key))
            return ""
        if len(value.strip()) > limit:
            fail(key, Problem("'%(key)s' paling panjang %(n)d karakter", key=key, n=limit))
        return value.strip()

    title, description = text("title", MAX_TITLE), text("description", MAX_DESCRIPTION)
    sequential = raw.get("berurutan", False)
    if not isinstance(sequential, bool):
        fail("berurutan", Problem("'berurutan' harus true atau false"))
    steps, lines = _steps(raw.get("courses"), nodes.get("courses"), path, errors)
    if errors:
        return None
    return {
        "slug": slug,
        "title": title,
        "description": description,
        "steps": steps,
        "sequential": sequential,
        "lines": lines,
    }


def _steps(
    value: Any, node: yaml.Node | None, path: str, errors: list[SourceError]
) -> tuple[tuple[Step, ...], dict[str, int]]:
    """Check ``courses``; return its steps and each slug's line."""
    if not isinstance(value, list) or not value or not isinstance(node, yaml.SequenceNode):
        errors.append(
            SourceError(
                path,
                _line(node),
                Problem("'courses' wajib berisi daftar slug kursus, mis. [manajemen-proyek]"),
            )
        )
        return (), {}
    if len(value) > MAX_STEPS:
        errors.append(
            SourceError(path, _line(node), Problem("paling banyak %(n)d langkah", n=MAX_STEPS))
        )
    steps: list[Step] = []
    lines: dict[str, int] = {}

    def take(slug: Any, slug_node: yaml.Node) -> str | None:
        line = _line(slug_node)
        if not isinstance(slug, str) or not SLUG.match(slug):
            errors.append(SourceError(path, line, Problem("bukan slug kursus: %(v)s", v=slug)))
            return None
        if slug in lines:
            errors.append(
                SourceError(
                    path,
                    line,
                    Problem(
                        "kursus '%(slug)s' sudah disebut di baris %(line)d",
                        slug=slug,
                        line=lines[slug],
                    ),
                )
            )
            return None
        lines[slug] = line
        return slug

    for entry, entry_node in zip(value, node.value, strict=True):
        if isinstance(entry, dict):
            step = _group(entry, entry_node, path, errors, take)
            if step is not None:
                steps.append(step)
            continue
        slug = take(entry, entry_node)
        if slug is not None:
            steps.append(Step((slug,)))
    return tuple(steps), lines


def _group(
    entry: dict[str, Any],
    node: yaml.Node,
    path: str,
    errors: list[SourceError],
    take: Any,
) -> Step | None:
    line = _line(node)
    before = len(errors)
    for key in sorted(set(entry) - GROUP_KEYS):
        errors.append(
            SourceError(
                path, line, Problem("kunci kelompok pilihan tidak dikenal: '%(key)s'", key=key)
            )
        )
    sub = {k.value: v for k, v in node.value} if isinstance(node, yaml.MappingNode) else {}
    choices, choices_node = entry.get("from"), sub.get("from")
    if (
        not isinstance(choices, list)
        or len(choices) < 2
        or not isinstance(choices_node, yaml.SequenceNode)
    ):
        errors.append(
            SourceError(
                path,
                _line(choices_node) if choices_node is not None else line,
                Problem("kelompok pilihan: 'from' harus daftar paling sedikit 2 slug kursus"),
            )
        )
        return None
    slugs = [
        take(slug, slug_node) for slug, slug_node in zip(choices, choices_node.value, strict=True)
    ]
    choose = entry.get("choose")
    if isinstance(choose, bool) or not isinstance(choose, int) or not 1 <= choose < len(choices):
        errors.append(
            SourceError(
                path,
                _line(sub.get("choose")) if "choose" in sub else line,
                Problem(
                    "kelompok pilihan: 'choose' harus bilangan bulat 1–%(max)d",
                    max=len(choices) - 1,
                ),
            )
        )
    title = entry.get("title", "")
    if not isinstance(title, str) or len(title) > MAX_TITLE:
        errors.append(
            SourceError(path, line, Problem("kelompok pilihan: 'title' harus teks pendek"))
        )
    if len(errors) > before:
        return None
    return Step(tuple(s for s in slugs if s), int(choose or 1), title.strip())


def unknown_courses(program: ParsedProgram, known: Collection[str]) -> list[SourceError]:
    """Errors for the program's courses that are neither published nor being published."""
    return [
        SourceError(program.path, line, Problem("kursus tidak dikenal: '%(slug)s'", slug=slug))
        for slug, line in program.lines.items()
        if slug not in known
    ]
