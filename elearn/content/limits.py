"""How big and how tangled course sources may be, so one author cannot stall the renderer.

Sizes are checked before a file is read. The shape check refuses the inputs on
which Python-Markdown does work proportional to the square of their length:
for every ``[`` or ``(`` it scans forward to the matching bracket (to the end of
the paragraph when there is none), and for every ``<`` that starts a tag
Python's ``html.parser`` scans to the next ``>``. Each check here is a single
linear pass that adds up exactly those scan lengths, and refuses a file whose
total would take the renderer more than a fraction of a second. Whatever slips
through still meets the CPU and memory limits of the render process
(``elearn.content.sandbox``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from elearn.problem_text import Problem

MAX_SOURCE_BYTES = 1024 * 1024  # one .md, .quiz.md or .gift file
MAX_COURSE_BYTES = 60 * 1024 * 1024  # all files of one course, assets included
MAX_IMAGE_PIXELS = 40_000_000  # decoded size: width × height
MAX_IMAGE_SIDE = 8000  # pixels, either side
# Characters Python-Markdown may rescan while matching brackets in one file;
# 2,000,000 is about 0.3 s. A long paragraph with a few stray "[" stays far below.
MAX_SCAN_CHARS = 2_000_000
MAX_HTML_DEPTH = 100  # nested raw HTML elements (html5lib's scope checks walk them all)
# Table rows, list items, headings and quote lines in one file. Rendering and
# sanitising cost about 0.3 ms per element, so 2,500 stay under a second; a real
# module has a few hundred.
MAX_STRUCTURE_LINES = 2500


@dataclass(frozen=True)
class RenderBudget:
    """Limits of the separate process that parses and renders one upload or folder."""

    cpu_seconds: int = 60
    memory_bytes: int = 1536 * 1024 * 1024
    wall_seconds: int = 120
    max_scan_chars: int = MAX_SCAN_CHARS


_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n")
_STRUCTURE_LINE = re.compile(r"^[ \t]*(?:[-*+][ \t]|\d{1,9}[.)][ \t]|\||#{1,6}[ \t]|>)", re.M)
_BRACKETS = re.compile(r"[\[\]()]")
_TAG_START = re.compile(r"<[A-Za-z/!?]")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^<>]*?(/?)>")
# Elements that never nest without end: void ones, and those the parser closes itself.
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "option",
    }
)  # fmt: skip
_PAIRS = {"]": "[", ")": "("}


def shape_problems(text: str, max_scan_chars: int = MAX_SCAN_CHARS) -> list[tuple[int, str]]:
    """Return (line, message) for each way ``text`` would make the renderer slow."""
    problems = []
    scan, line = _bracket_scan(text)
    if scan > max_scan_chars:
        problems.append(
            (line, _too_tangled(Problem("tanda kurung [ ] atau ( ) yang tidak ditutup")))
        )
    scan, line = _tag_scan(text)
    if scan > max_scan_chars:
        problems.append((line, _too_tangled(Problem("tanda < yang tidak ditutup dengan >"))))
    lines = _STRUCTURE_LINE.findall(text)
    if len(lines) > MAX_STRUCTURE_LINES:
        problems.append(
            (
                _line_of(text, _nth_start(text, MAX_STRUCTURE_LINES)),
                Problem(
                    "lebih dari %(n)d baris tabel, butir daftar atau judul dalam "
                    "satu berkas; pecah menjadi beberapa modul",
                    n=MAX_STRUCTURE_LINES,
                ),
            )
        )
    depth, line = _html_depth(text)
    if depth > MAX_HTML_DEPTH:
        problems.append(
            (
                line,
                Problem(
                    "HTML bersarang lebih dari %(n)d tingkat; tutup setiap tag", n=MAX_HTML_DEPTH
                ),
            )
        )
    return problems


def _too_tangled(what: str) -> str:
    return Problem("terlalu banyak %(what)s; berkas ini akan terlalu lama diproses", what=what)


def _bracket_scan(text: str) -> tuple[int, int]:
    """Add up, per paragraph, how far each bracket is from its match (or the paragraph's end).

    Return the total and the first line of the paragraph that costs the most.
    """
    total, worst, worst_at, offset = 0, 0, 0, 0
    for block in _BLOCK_SPLIT.split(text):
        cost = 0
        stacks: dict[str, list[int]] = {"[": [], "(": []}
        for match in _BRACKETS.finditer(block):
            char, at = match.group(), match.start()
            if char in stacks:
                stacks[char].append(at)
            elif stacks[_PAIRS[char]]:
                cost += at - stacks[_PAIRS[char]].pop()
        cost += sum(len(block) - opened for opened in (*stacks["["], *stacks["("]))
        if cost > worst:
            worst, worst_at = cost, offset
        total += cost
        offset += len(block) + 2  # the blank line between paragraphs, roughly
    return total, _line_of(text, worst_at)


def _tag_scan(text: str) -> tuple[int, int]:
    """Add up how far each ``<`` that opens a tag is from the next ``>``."""
    total, first = 0, None
    for match in _TAG_START.finditer(text):
        end = text.find(">", match.start())
        distance = (end if end >= 0 else len(text)) - match.start()
        total += distance
        if distance > 200 and first is None:
            first = match.start()
    return total, _line_of(text, first or 0)


def _html_depth(text: str) -> tuple[int, int]:
    depth, deepest, deepest_at = 0, 0, 0
    for match in _TAG.finditer(text):
        closing, name, self_closing = match.groups()
        if name.lower() in _VOID or self_closing:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        if depth > deepest:
            deepest, deepest_at = depth, match.start()
    return deepest, _line_of(text, deepest_at)


def _nth_start(text: str, n: int) -> int:
    """Where the ``n``-th structure line (counted from 0) starts."""
    for count, match in enumerate(_STRUCTURE_LINE.finditer(text)):
        if count == n:
            return match.start()
    return 0


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1
