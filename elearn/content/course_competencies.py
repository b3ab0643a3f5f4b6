"""The ``kompetensi:`` key of course.md: which competencies a course develops, to which level.

Only the shape is checked here (parsing opens no database); whether each code is in the
competency dictionary is checked by ``elearn.competencies.course_check`` when a course is
checked or published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from elearn.content.errors import SourceError
from elearn.problem_text import Problem

KEY = "kompetensi"
ENTRY_KEYS = ("kode", "level")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
MIN_LEVEL, MAX_LEVEL = 1, 5


@dataclass(frozen=True)
class DeclaredCompetency:
    code: str
    level: int
    line: int  # of the entry in course.md, for messages found later against the dictionary


def declared_competencies(
    value: Any, text: str, path: str, errors: list[SourceError]
) -> tuple[DeclaredCompetency, ...]:
    """Check ``kompetensi:`` (a list of ``{kode, level}``); record errors with their lines."""
    if value is None:
        return ()
    lines = _entry_lines(text)
    key_line = lines[0] if lines else 1

    def fail(line: int, message: str) -> None:
        errors.append(SourceError(path, line, message))

    if not isinstance(value, list):
        fail(
            key_line,
            Problem(
                "'kompetensi' harus daftar pasangan kode dan level, mis. [{kode: M.01, level: 3}]"
            ),
        )
        return ()
    found: list[DeclaredCompetency] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(value):
        line = lines[index + 1] if index + 1 < len(lines) else key_line
        if not isinstance(entry, dict) or set(entry) != set(ENTRY_KEYS):
            fail(line, Problem("setiap isian 'kompetensi' harus berisi tepat 'kode' dan 'level'"))
            continue
        code, level = entry["kode"], entry["level"]
        if not isinstance(code, str) or not CODE.match(code.strip()):
            fail(line, Problem("kode kompetensi '%(code)s' tidak sah", code=code))
            continue
        code = code.strip()
        if not _is_level(level):
            fail(
                line,
                Problem(
                    "level kompetensi %(code)s harus bilangan bulat 1–5, bukan %(level)s",
                    code=code,
                    level=level,
                ),
            )
            continue
        if code in seen:
            fail(
                line,
                Problem(
                    "kompetensi %(code)s sudah disebut di baris %(line)d",
                    code=code,
                    line=seen[code],
                ),
            )
            continue
        seen[code] = line
        found.append(DeclaredCompetency(code, level, line))
    return tuple(found)


def _is_level(value: Any) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and MIN_LEVEL <= value <= MAX_LEVEL
    )


def _entry_lines(text: str) -> list[int]:
    """File lines of the ``kompetensi`` key, then of each of its list entries."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return []
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return []
    try:
        root = yaml.compose("\n".join(lines[1:end]))
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    first = 2  # the front matter's first line follows the opening ---
    for key, node in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == KEY:
            entries = node.value if isinstance(node, yaml.SequenceNode) else []
            return [first + key.start_mark.line] + [first + e.start_mark.line for e in entries]
    return []
