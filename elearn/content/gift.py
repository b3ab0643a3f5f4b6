"""Import quizzes written in Moodle's GIFT format.

A file is an optional YAML front matter block with the quiz options, then
questions separated by blank lines. Each question is read as Moodle's
``qformat_gift`` reads it (see ``gift_answers`` for the answer block); where
Moodle would import something surprising or unusable, the author gets an error
with its line instead, and every error in the file is reported at once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from elearn.content.errors import ContentErrors, SourceError
from elearn.content.frontmatter import draw_problem, quiz_settings, split_front_matter
from elearn.content.gift_answers import parse_answers
from elearn.content.gift_text import (
    Block,
    Piece,
    clean_name,
    default_name,
    formatted,
    has_placeholder_chars,
    hide_escapes,
    optional_text,
    plain,
)
from elearn.content.quiz import Question, Quiz, TextFormat
from elearn.problem_text import Problem

CATEGORY = "$CATEGORY:"
BLANK = "_____"  # Moodle puts this where an answer block sat inside the question text
GENERAL_FEEDBACK = "####"
KEY_LENGTH = 12
FALLBACK_NAME = "Pertanyaan"
ID_TAG_PREFIX = "id:"  # Moodle's [id:...] idnumber is kept as a tag with this prefix
_CONTEXT = re.compile(r"^\$\w+\$/?")  # Moodle's "$course$/", "$system$/", ... category prefix
_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>\x00-\x1f\x7f])+)\]")


def parse_gift_quiz(text: str, path: str, default_title: str) -> Quiz:
    """Parse a GIFT quiz file; raise ``ContentErrors`` listing every problem in it."""
    document, errors = split_front_matter(text, path)
    reader = _Reader(path)
    # An unclosed front matter leaves the fence in the body: its errors would only be noise.
    if not (errors and document.body_line == 1):
        reader.read(document.body, document.body_line)
        if not reader.questions and not reader.errors:
            errors.append(
                SourceError(path, document.body_line, Problem("kuis tidak berisi pertanyaan"))
            )
    errors.extend(reader.errors)
    title = reader.first_category_leaf or default_title
    settings, setting_errors = quiz_settings(document.meta, path, title)
    errors.extend(setting_errors)
    too_many = draw_problem(settings, len(reader.questions), path)
    if too_many is not None and reader.questions:
        errors.append(too_many)
    if errors:
        raise ContentErrors([*errors, *reader.warnings])
    return Quiz(
        settings,
        tuple(reader.questions),
        source_path=path,
        warnings=tuple(sorted(reader.warnings)),
    )


def _is_comment(line: str) -> bool:
    return line.strip().startswith("//")


def _blocks(body: str, first_line: int) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line number, lines) of each run of non-blank lines."""
    current: list[str] = []
    start = first_line
    for number, line in enumerate(body.split("\n"), start=first_line):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            yield start, current
            current = []
    if current:
        yield start, current


def _tags(comment: str) -> tuple[str, ...]:
    """Read ``[tag:...]`` and ``[id:...]`` from a question's comment lines."""
    tags = [raw.replace("\\]", "]").strip() for raw in _TAG.findall(comment)]
    ident = _ID.search(comment)
    if ident is not None:
        tags.append(ID_TAG_PREFIX + ident.group(1).replace("\\]", "]").strip())
    return tuple(dict.fromkeys(tag for tag in tags if tag and tag != ID_TAG_PREFIX))


def question_key(source: str) -> str:
    """Return the short stable hash that identifies a question's source."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:KEY_LENGTH]


class _Reader:
    """Reads blocks in order, carrying the current category between them."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[SourceError] = []
        self.warnings: list[SourceError] = []
        self.questions: list[Question] = []
        self.category = ""
        self.first_category_leaf = ""
        self._keys: dict[str, int] = {}

    def read(self, body: str, first_line: int) -> None:
        for line, lines in _blocks(body, first_line):
            self._read_block(line, lines)

    def _read_block(self, line: int, lines: list[str]) -> None:
        # Moodle drops whole comment lines, even inside the answer block; '//' later in a
        # line (a URL) is text. Blanking them keeps line numbers right.
        kept = ["" if _is_comment(text) else text for text in lines]
        raw = "\n".join(kept)
        if not raw.strip():
            return
        if has_placeholder_chars(raw):
            self.errors.append(
                SourceError(
                    self.path, line, Problem("karakter Unicode privat (U+E000–U+E007) tidak boleh")
                )
            )
            return
        block = Block(self.path, line, hide_escapes(raw))
        content = Piece(block.text, 0).strip()
        if content.text.startswith(CATEGORY):
            self._category(block, content.cut(len(CATEGORY)).strip())
        else:
            comment = "\n".join(text.strip() for text in lines if _is_comment(text))
            self._question(block, content, comment, raw.strip())
        self.errors.extend(block.errors)
        self.warnings.extend(block.warnings)

    def _category(self, block: Block, name: Piece) -> None:
        if "\n" in name.text:
            after = name.cut(name.text.index("\n")).strip()
            block.error(
                after, Problem("pisahkan baris $CATEGORY dari pertanyaan dengan baris kosong")
            )
            return
        parts = _CONTEXT.sub("", plain(name)).split("/")
        category = "/".join(part.strip() for part in parts if part.strip())
        if not category:
            block.error(name, Problem("nama kategori kosong setelah $CATEGORY:"))
            return
        self.category = category
        self.first_category_leaf = self.first_category_leaf or category.rsplit("/", 1)[-1]

    def _question(self, block: Block, content: Piece, comment: str, source: str) -> None:
        line = block.line_of(content)
        errors = len(block.errors)
        rest = content
        name = ""
        if rest.text.startswith("::"):
            end = rest.text.find("::", 2)
            if end < 0:
                block.error(rest, Problem("judul pertanyaan '::' tidak ditutup dengan '::'"))
                return
            name = clean_name(rest.text[2:end])
            rest = rest.cut(end + 2).strip()
        braces = _answer_braces(block, rest)
        if braces is None:
            return
        opening, closing = braces
        _warn_if_swallowed(block, rest, closing)
        # A block that ends the question is cut out; one inside the text leaves a blank.
        after = "" if closing == len(rest.text) - 1 else BLANK + rest.text[closing + 1 :]
        text = formatted(Piece(rest.text[:opening] + after, rest.start), TextFormat.MOODLE)
        if not text.source:
            block.error(rest, Problem("teks pertanyaan kosong"))
        answers = rest.cut(opening + 1, closing)
        general = answers.text.rfind(GENERAL_FEEDBACK)
        feedback = None
        if general >= 0:
            feedback = answers.cut(general + len(GENERAL_FEEDBACK))
            answers = answers.cut(0, general)
        parsed = parse_answers(block, answers, text.format)
        if parsed is None or len(block.errors) > errors:
            return
        key = question_key(source)
        if key in self._keys:
            block.error(
                content,
                Problem(
                    "pertanyaan ini sama persis dengan pertanyaan di baris %(line)d",
                    line=self._keys[key],
                ),
            )
            return
        self._keys[key] = line
        self.questions.append(
            Question(
                key=key,
                kind=parsed.kind,
                name=name or default_name(text, FALLBACK_NAME),
                text=text,
                line=line,
                general_feedback=optional_text(feedback, text.format),
                choices=parsed.choices,
                short_answers=parsed.short_answers,
                numeric_answers=parsed.numeric_answers,
                pairs=parsed.pairs,
                true_false=parsed.true_false,
                category=self.category,
                tags=_tags(comment),
            )
        )


def _answer_braces(block: Block, rest: Piece) -> tuple[int, int] | None:
    """Find the one answer block ``{...}``; escaped braces are already hidden."""
    braces = [(index, char) for index, char in enumerate(rest.text) if char in "{}"]
    if not braces:
        # Moodle would import a "description"; we have no such question type.
        block.error(rest, Problem("pertanyaan tanpa blok jawaban {...}"))
        return None
    opening, first = braces[0]
    if first == "}":
        block.error(
            rest.cut(opening), Problem("kurung kurawal '}' tanpa '{' pembuka (tulis \\} di teks)")
        )
        return None
    if len(braces) == 1 or braces[1][1] == "{":
        block.error(rest.cut(opening), Problem("kurung kurawal '{' tidak ditutup"))
        return None
    if len(braces) > 2:
        block.error(
            rest.cut(braces[2][0]),
            Problem(
                "hanya satu blok jawaban {...} per pertanyaan: pisahkan pertanyaan dengan baris "
                "kosong, atau tulis \\{ dan \\} untuk kurung kurawal di teks"
            ),
        )
        return None
    return opening, braces[1][0]


# After an answer block, sentence punctuation ends a missing-word question ("... {=Palu}.").
_SENTENCE_END = re.compile(r"[.,:!?…)]+")


def _warn_if_swallowed(block: Block, rest: Piece, closing: int) -> None:
    """Warn when text after the answer block looks like it was not meant for the question.

    Moodle keeps whatever follows ``}`` as question text: a stray ``";`` left from
    copying, or the next question when the blank line between them is missing.
    """
    after = rest.cut(closing + 1)
    text = after.strip()
    if not text.text:
        return
    if "\n" in after.text[: len(after.text) - len(after.text.lstrip())]:
        block.warn(
            text,
            Problem(
                "teks di baris setelah blok jawaban {...} ikut masuk ke teks pertanyaan; "
                "pisahkan pertanyaan dengan baris kosong bila teks itu bukan bagian pertanyaan"
            ),
        )
    elif not any(char.isalnum() for char in text.text) and not _SENTENCE_END.fullmatch(text.text):
        block.warn(
            text,
            Problem(
                "teks '%(text)s' setelah blok jawaban {...} ikut masuk ke teks pertanyaan; "
                "hapus bila tidak disengaja",
                text=plain(text)[:30],
            ),
        )
