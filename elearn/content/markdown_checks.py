"""Markdown that reads one way and renders another: heading skips, glued lists, lost fences.

Authors preview their Markdown on GitHub or in their editor, and those follow
CommonMark. Where our renderer could disagree, the source lines are scanned for
the suspicious shape, and the renderer itself is asked how it renders that
snippet: only a snippet that does come out wrong is reported. So the warnings
follow the renderer, whichever Markdown library it uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from elearn.content.errors import SourceError, warning
from elearn.content.render import render_markdown
from elearn.problem_text import Problem

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
ATX_HEADING = re.compile(r"^ {0,3}(?P<marks>#{1,6})(?:[ \t]|$)")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+\S")
THEMATIC_BREAK = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
# First lines that open something other than a paragraph (a list can follow those).
NOT_PARAGRAPH = re.compile(r"^(?: {4}|\t| {0,3}(?:[>|<]|!!!|\?\?\?|\[\^|\[[^\]]+\]:))")
BACKTICKS = re.compile(r"`+")
# Rendering snippets costs time; a file with more suspicious places than this gets
# warnings for the first ones only.
MAX_SNIPPETS = 100


@dataclass(frozen=True)
class SourceLine:
    """A line of a Markdown document outside fenced code and HTML comments."""

    index: int  # 0-based in the document
    text: str  # inline code spans blanked out


@dataclass(frozen=True)
class Fence:
    opening: int  # 0-based line of the opening fence
    closing: int  # 0-based line of the closing fence (the last line if never closed)
    indent: int
    marker: str  # the opening line, stripped


def _indent(text: str) -> int:
    return len(text.expandtabs(4)) - len(text.expandtabs(4).lstrip())


def scan(lines: list[str]) -> tuple[list[SourceLine], list[Fence]]:
    """Split a document's lines into prose lines and fenced code blocks."""
    text = without_comments("\n".join(lines))
    prose: list[SourceLine] = []
    fences: list[Fence] = []
    open_fence: tuple[int, str, int, str] | None = None  # line, marks, indent, marker
    plain = text.split("\n")
    for index, raw in enumerate(plain):
        match = FENCE.match(raw)
        if open_fence is not None:
            opened, marks, indent, marker = open_fence
            if match and match["fence"][0] == marks[0] and len(match["fence"]) >= len(marks):
                if not match["info"].strip():
                    fences.append(Fence(opened, index, indent, marker))
                    open_fence = None
            continue
        if match and not (match["fence"][0] == "`" and "`" in match["info"]):
            open_fence = (index, match["fence"], _indent(match["indent"]), raw.strip())
            continue
        prose.append(SourceLine(index, without_code_spans(raw)))
    if open_fence is not None:
        opened, _, indent, marker = open_fence
        fences.append(Fence(opened, len(plain) - 1, indent, marker))
    return prose, fences


def without_comments(text: str) -> str:
    """``text`` with each HTML comment reduced to its line breaks (lines keep their numbers)."""
    kept = []
    position = 0
    while (start := text.find("<!--", position)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break  # never closed: left as it is
        kept += [text[position:start], "\n" * text.count("\n", start, end)]
        position = end + 3
    kept.append(text[position:])
    return "".join(kept)


def without_code_spans(line: str) -> str:
    """``line`` with each inline code span blanked, so nothing in it looks like Markdown.

    A span opens with a run of backticks and closes with the next run of the same
    length. Linear in the line's length, however many unmatched runs it holds.
    """
    runs = [(match.start(), match.end()) for match in BACKTICKS.finditer(line)]
    by_length: dict[int, list[int]] = {}
    for number, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(number)
    for numbers in by_length.values():
        numbers.reverse()  # popped from the end: the next run of that length
    blanked = list(line)
    position = 0
    for number, (start, end) in enumerate(runs):
        same = by_length[end - start]
        while same and same[-1] <= number:
            same.pop()
        if start < position or not same:
            continue
        closing = runs[same.pop()][1]
        blanked[start:closing] = " " * (closing - start)
        position = closing
    return "".join(blanked)


def layout_problems(body: str, first_line: int, path: str) -> list[SourceError]:
    """Warn about heading skips, lists glued to paragraphs and fences lost in lists."""
    lines = body.split("\n")
    prose, fences = scan(lines)
    budget = _Budget()
    return sorted(
        [
            *_heading_skips(prose, first_line, path),
            *_glued_lists(lines, prose, first_line, path, budget),
            *_lost_fences(lines, fences, first_line, path, budget),
        ]
    )


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_SNIPPETS

    def render(self, lines: list[str]) -> str | None:
        """The HTML of ``lines``, or None once the budget is spent."""
        if self.left <= 0:
            return None
        self.left -= 1
        return render_markdown("\n".join(lines)).html


def _headings(prose: list[SourceLine]) -> Iterator[tuple[int, int]]:
    """Yield (0-based line, level) of every ATX and setext heading."""
    previous: SourceLine | None = None
    for line in prose:
        atx = ATX_HEADING.match(line.text)
        if atx:
            yield line.index, len(atx["marks"])
        elif (
            SETEXT_UNDERLINE.match(line.text)
            and previous is not None
            and previous.index == line.index - 1
            and _is_paragraph_text(previous.text)
        ):
            yield previous.index, 1 if line.text.strip().startswith("=") else 2
        previous = line


def _is_paragraph_text(text: str) -> bool:
    return bool(
        text.strip()
        and not ATX_HEADING.match(text)
        and not LIST_ITEM.match(text)
        and not THEMATIC_BREAK.match(text)
        and not NOT_PARAGRAPH.match(text)
    )


def _heading_skips(prose: list[SourceLine], first_line: int, path: str) -> Iterator[SourceError]:
    # The page shows the module's (or course's) title as its level 1 heading.
    previous: int | None = None
    for index, level in _headings(prose):
        if previous is None and level > 2:
            yield warning(
                path,
                first_line + index,
                Problem(
                    "judul pertama bertingkat %(level)d melompati tingkat 2 (judul halaman "
                    "sudah tingkat 1); mulai dengan ##",
                    level=level,
                ),
            )
        elif previous is not None and level > previous + 1:
            yield warning(
                path,
                first_line + index,
                Problem(
                    "judul tingkat %(level)d setelah judul tingkat %(previous)d melompati "
                    "tingkat; gunakan %(marks)s",
                    level=level,
                    previous=previous,
                    marks="#" * (previous + 1),
                ),
            )
        previous = level


def _blocks(prose: list[SourceLine]) -> Iterator[list[SourceLine]]:
    """Yield runs of consecutive non-blank prose lines; a heading ends a run."""
    block: list[SourceLine] = []
    for line in prose:
        adjacent = block and block[-1].index == line.index - 1
        if not line.text.strip() or ATX_HEADING.match(line.text) or not adjacent:
            if block:
                yield block
            block = [line] if line.text.strip() and not ATX_HEADING.match(line.text) else []
        else:
            block.append(line)
    if block:
        yield block


def _glued_lists(
    lines: list[str], prose: list[SourceLine], first_line: int, path: str, budget: _Budget
) -> Iterator[SourceError]:
    for block in _blocks(prose):
        if not _is_paragraph_text(block[0].text):
            continue
        item = next(
            (
                line
                for line in block[1:]
                if LIST_ITEM.match(line.text)
                and _indent(line.text) < 4
                and not THEMATIC_BREAK.match(line.text)
            ),
            None,
        )
        if item is None:
            continue
        html = budget.render(lines[block[0].index : block[-1].index + 1])
        if html is not None and "<li" not in html:
            yield warning(
                path,
                first_line + item.index,
                Problem(
                    "baris daftar ini menempel pada paragraf di atasnya sehingga tampil sebagai "
                    "teks biasa, bukan daftar; sisipkan baris kosong sebelumnya"
                ),
            )


def _list_start(lines: list[str], code: dict[int, Fence], fence: Fence) -> int | None:
    """The first line of the list that ``fence`` is indented under, or None.

    The whole list is the snippet: how an item renders depends on the items before it.
    """
    start = None
    for index in range(fence.opening - 1, -1, -1):
        if index in code:
            if code[index].indent == 0:
                break  # a fence at the margin ends any list above it
            continue
        text = lines[index]
        if not text.strip():
            continue
        indent = _indent(text)
        if LIST_ITEM.match(text) and indent < fence.indent:
            start = index
        elif indent == 0:
            break  # a paragraph at the margin ends the list
    return start


def _lost_fences(
    lines: list[str],
    fences: list[Fence],
    first_line: int,
    path: str,
    budget: _Budget,
) -> Iterator[SourceError]:
    code = {index: f for f in fences for index in range(f.opening, f.closing + 1)}
    shown: dict[tuple[int, str], int] = {}  # (list start, fence) → fences visible in its snippet
    for fence in fences:
        if fence.indent == 0:
            continue
        start = _list_start(lines, code, fence)
        if start is None:
            continue
        html = budget.render(lines[start : fence.closing + 1])
        if html is None:
            return
        run = fence.marker[0] * 3
        visible = html.count(run)
        if visible > shown.get((start, run), 0):
            yield warning(
                path,
                first_line + fence.opening,
                Problem(
                    "blok kode berpagar di bawah butir daftar tidak tampil sebagai kode "
                    "(pagar %(fence)s terlihat sebagai teks); beri baris kosong sebelum pagar "
                    "dan indentasi 4 spasi per tingkat daftar",
                    fence=run,
                ),
            )
        shown[start, run] = visible
