"""Text-level rules of Moodle GIFT: escapes, ``[format]`` tags, weights and positions.

GIFT marks structure with single characters (``{ } ~ = # :``) that authors escape
with a backslash. Escapes are swapped for private-use placeholders before any
structure is looked for, so the parsers can search for plain markers, and are
swapped back when a piece of text is handed out. A placeholder takes the place
of its whole escape and newlines are never touched, so counting newlines
before a position still gives the right source line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from elearn.content.errors import SourceError, warning
from elearn.content.quiz import EMPTY_TEXT, Text, TextFormat
from elearn.problem_text import Problem

_PLACEHOLDER = {
    "\\": "\ue000",
    ":": "\ue001",
    "#": "\ue002",
    "=": "\ue003",
    "{": "\ue004",
    "}": "\ue005",
    "~": "\ue006",
    "n": "\ue007",
}
# ``\n`` stands for a newline; every other escape for the character itself.
_RESTORE = {ord(v): ("\n" if k == "n" else k) for k, v in _PLACEHOLDER.items()}
_ESCAPE = re.compile(r"\\([\\:#={}~n])")
_FORMAT_TAG = re.compile(r"\[(markdown|html|plain|moodle)\]")
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_HTML_TAG = re.compile(r"<[^>]*>")

NAME_LENGTH = 80  # Moodle shortens question text to this many characters for a default name


def hide_escapes(text: str) -> str:
    """Replace GIFT escapes by placeholders; ``\\\\`` is read first, as Moodle does."""
    return _ESCAPE.sub(lambda match: _PLACEHOLDER[match.group(1)], text)


def restore_escapes(text: str) -> str:
    """Turn placeholders back into the characters their escapes stand for."""
    return text.translate(_RESTORE)


def has_placeholder_chars(text: str) -> bool:
    """Tell whether raw text already holds characters used as placeholders."""
    return any(chr(code) in text for code in _RESTORE)


@dataclass(frozen=True)
class Piece:
    """A slice of a question block that remembers its offset, for error lines."""

    text: str
    start: int

    def strip(self) -> Piece:
        """Strip whitespace, keeping ``start`` on the first kept character."""
        lead = len(self.text) - len(self.text.lstrip())
        return Piece(self.text.strip(), self.start + lead)

    def cut(self, begin: int, end: int | None = None) -> Piece:
        """Return ``text[begin:end]`` as a piece."""
        return Piece(self.text[begin:end], self.start + begin)

    def split(self, separator: str, max_split: int = -1) -> list[Piece]:
        """Split like ``str.split`` with pieces that keep their offsets."""
        pieces = []
        offset = self.start
        for part in self.text.split(separator, max_split):
            pieces.append(Piece(part, offset))
            offset += len(part) + len(separator)
        return pieces

    def split_marked(self, markers: str) -> tuple[Piece, list[tuple[str, Piece]]]:
        """Split before each marker character: the text ahead, then (marker, body) pairs."""
        cuts = [i for i, char in enumerate(self.text) if char in markers]
        if not cuts:
            return self, []
        items = []
        for number, position in enumerate(cuts):
            end = cuts[number + 1] if number + 1 < len(cuts) else None
            items.append((self.text[position], self.cut(position + 1, end)))
        return self.cut(0, cuts[0]), items


@dataclass
class Block:
    """One blank-line separated block of a GIFT file, with its problems."""

    path: str
    line: int  # source line of the block's first character
    text: str  # the block with comment lines blanked and escapes hidden
    errors: list[SourceError] = field(default_factory=list)
    warnings: list[SourceError] = field(default_factory=list)

    def line_of(self, piece: Piece) -> int:
        """Return the source line where ``piece`` starts."""
        return self.line + self.text.count("\n", 0, piece.start)

    def error(self, piece: Piece, message: str) -> None:
        """Record a problem at the line of ``piece``."""
        self.errors.append(SourceError(self.path, self.line_of(piece), message))

    def warn(self, piece: Piece, message: str) -> None:
        """Record a warning at the line of ``piece``; it does not stop the question."""
        self.warnings.append(warning(self.path, self.line_of(piece), message))


def formatted(piece: Piece, default: TextFormat) -> Text:
    """Read an optional leading ``[format]`` tag, as Moodle's ``parse_text_with_format``."""
    raw = piece.text.strip()
    text_format = default
    tag = _FORMAT_TAG.match(raw)
    if tag is not None:
        text_format = TextFormat(tag.group(1))
        raw = raw[tag.end() :]
    return Text(restore_escapes(raw).strip(), text_format)


def optional_text(piece: Piece | None, default: TextFormat) -> Text:
    """Read feedback; absent or empty feedback is ``EMPTY_TEXT``."""
    if piece is None:
        return EMPTY_TEXT
    text = formatted(piece, default)
    return text if text.source else EMPTY_TEXT


def plain(piece: Piece) -> str:
    """Return a piece as plain text: escapes restored, whitespace stripped."""
    return restore_escapes(piece.text).strip()


def split_weight(block: Block, body: Piece, low: int, high: int) -> tuple[float | None, Piece]:
    """Take a leading ``%N%`` weight off an answer; ``None`` when there is none or it is bad."""
    if not body.text.startswith("%"):
        return None, body
    match = _WEIGHT.match(body.text)
    if match is None:
        block.error(
            body,
            Problem(
                "bobot jawaban tidak valid: '%(text)s' (contoh: %%50%%)", text=plain(body)[:30]
            ),
        )
        return None, body
    percent = float(match.group(1))
    if not low <= percent <= high:
        block.error(
            body,
            Problem(
                "bobot jawaban harus antara %(low)s%% dan %(high)s%%, bukan %(found)s",
                low=low,
                high=high,
                found=match.group(0),
            ),
        )
    return percent / 100, body.cut(match.end())


def default_name(text: Text, fallback: str) -> str:
    """Name an untitled question after its text, shortened as Moodle does."""
    words = " ".join(_HTML_TAG.sub(" ", text.source).split())
    if len(words) > NAME_LENGTH:
        cut = words[: NAME_LENGTH - 3]
        if " " in cut:
            cut = cut.rsplit(" ", 1)[0]
        words = cut + "..."
    return words or fallback


def clean_name(raw: str) -> str:
    """Clean a ``::title::`` like Moodle: no HTML tags, no surrounding whitespace."""
    return " ".join(_HTML_TAG.sub("", restore_escapes(raw)).split())
