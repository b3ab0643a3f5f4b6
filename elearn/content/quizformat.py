"""Parse the Markdown quiz syntax (``NN-name.quiz.md``) into a :class:`Quiz`.

A quiz file is optional YAML front matter, optional intro text, then one
section per question starting with a ``## `` heading. Each section holds an
optional body, one group of answers (task-list options or ``=`` lines) and an
optional trailing blockquote of general feedback. Fenced code blocks are
opaque everywhere. Every problem in the file is collected and raised together.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import Enum

from elearn.content.errors import ContentErrors, SourceError, warning
from elearn.content.frontmatter import draw_problem, quiz_settings, split_front_matter
from elearn.content.quiz import (
    Answers,
    Choice,
    NumericAnswer,
    Question,
    QuestionKind,
    Quiz,
    ShortAnswer,
    Text,
)
from elearn.problem_text import Problem

HEADING = re.compile(r"^ {0,3}##(?:[ \t]+(?P<text>.*?))?[ \t]*$")
OTHER_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
OPTION = re.compile(r"^ {0,3}[-*][ \t]+\[(?P<mark>[ xX])\](?:[ \t]+(?P<text>.*?))?[ \t]*$")
# Near misses such as "- [v] a", "-[x] a", "+ [ ] a" or "- [x]a": reported, not taken as text.
# Letters and digits other than x/v stay text: "- [A] pernyataan" is a lettered list in a body.
OPTION_LIKE = re.compile(r"^ {0,3}[-*+][ \t]*\[(?:[xXvV]|[^\]\w])?\](?![(\[:])")
BULLET = re.compile(r"^ {0,3}[-*+][ \t]+\S")
ANSWER = re.compile(r"^ {0,3}=(?P<text>.*)$")
QUOTE = re.compile(r"^ {0,3}> ?(?P<text>.*)$")
# Any indentation: a fence nested in a list item must stay opaque too.
FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
UNSIGNED = r"(?:\d+(?:\.\d+)?|\.\d+)"
NUMERIC = re.compile(
    rf"^(?P<value>[+-]?{UNSIGNED})(?:[ \t]*(?:±|\+-)[ \t]*(?P<tolerance>{UNSIGNED}))?$"
)
TOLERANCE_MARK = re.compile(r"±|\+-")

__all__ = ["parse_markdown_quiz"]

OPTION_HINT = Problem(
    "tulis '- [x] teks' untuk pilihan benar atau '- [ ] teks' untuk pilihan salah"
)


class Kind(Enum):
    HEADING = "heading"
    OPTION = "option"
    BAD_OPTION = "bad_option"
    ANSWER = "answer"
    QUOTE = "quote"
    BLANK = "blank"
    TEXT = "text"  # anything else, including every line of a fenced code block


ANSWER_KINDS = frozenset({Kind.OPTION, Kind.BAD_OPTION, Kind.ANSWER})


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    raw: str
    kind: Kind


class Collector:
    """Accumulates errors (and warnings) for one file so parsing can go on after each one."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[SourceError] = []
        self.warnings: list[SourceError] = []

    def add(self, line: int, message: str) -> None:
        self.errors.append(SourceError(self.path, line, message))

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(warning(self.path, line, message))


def parse_markdown_quiz(text: str, path: str, default_title: str) -> Quiz:
    """Parse a Markdown quiz file; raise ContentErrors listing every problem."""
    document, front_errors = split_front_matter(text, path)
    settings, setting_errors = quiz_settings(document.meta, path, default_title)
    errors = Collector(path)
    errors.errors.extend(front_errors + setting_errors)

    lines = classify(document.body.split("\n"), document.body_line, errors)
    intro, sections = split_sections(lines)
    stray = next((line for line in intro if line.kind in ANSWER_KINDS), None)
    if stray is not None:
        errors.add(
            stray.number,
            Problem(
                "pilihan atau baris '=' sebelum pertanyaan pertama; "
                "setiap pertanyaan harus diawali judul '## '"
            ),
        )

    questions = [parse_question(section, errors) for section in sections]
    check_duplicates(sections, errors)
    if not sections:
        errors.add(
            1, Problem("kuis tidak memiliki pertanyaan; setiap pertanyaan diawali judul '## '")
        )
    elif (too_many := draw_problem(settings, len(sections), path)) is not None:
        errors.errors.append(too_many)
    if errors.errors:
        raise ContentErrors([*errors.errors, *errors.warnings])
    return Quiz(
        settings=settings,
        questions=tuple(q for q in questions if q is not None),
        intro=Text(join(intro)),
        source_path=path,
        warnings=tuple(sorted(errors.warnings)),
    )


def classify(raw_lines: list[str], first_number: int, errors: Collector) -> list[Line]:
    """Tag each body line with its role, treating fenced code as plain text."""
    result: list[Line] = []
    fence: tuple[str, int] | None = None  # opening fence character and length
    fence_line = 0
    for offset, raw in enumerate(raw_lines):
        number = first_number + offset
        opener = FENCE.match(raw)
        if fence is not None:
            if opener and is_closing(opener, fence):
                fence = None
            result.append(Line(number, raw, Kind.TEXT))
            continue
        if opener and not (opener["fence"][0] == "`" and "`" in opener["info"]):
            fence = (opener["fence"][0], len(opener["fence"]))
            fence_line = number
            result.append(Line(number, raw, Kind.TEXT))
            continue
        result.append(Line(number, raw, line_kind(raw)))
    if fence is not None:
        errors.add(
            fence_line,
            Problem(
                "blok kode yang dibuka dengan '%(fence)s' tidak pernah ditutup", fence=fence[0] * 3
            ),
        )
    return result


def is_closing(match: re.Match[str], fence: tuple[str, int]) -> bool:
    """Tell whether a fence line closes the open block (same character, not shorter)."""
    marks = match["fence"]
    return marks[0] == fence[0] and len(marks) >= fence[1] and not match["info"].strip()


def line_kind(raw: str) -> Kind:
    """Classify a line outside fenced code."""
    if not raw.strip():
        return Kind.BLANK
    if HEADING.match(raw):
        return Kind.HEADING
    if OPTION.match(raw):
        return Kind.OPTION
    if OPTION_LIKE.match(raw):
        return Kind.BAD_OPTION
    if ANSWER.match(raw):
        return Kind.ANSWER
    if QUOTE.match(raw):
        return Kind.QUOTE
    return Kind.TEXT


def split_sections(lines: list[Line]) -> tuple[list[Line], list[list[Line]]]:
    """Split lines into the intro and one list per question, each starting at its heading."""
    intro: list[Line] = []
    sections: list[list[Line]] = []
    for line in lines:
        if line.kind is Kind.HEADING:
            sections.append([line])
        elif sections:
            sections[-1].append(line)
        else:
            intro.append(line)
    return intro, sections


def parse_question(section: list[Line], errors: Collector) -> Question | None:
    """Build one question from its section, or report why it cannot be built."""
    heading = section[0]
    name = heading_text(heading.raw)
    before = len(errors.errors)
    if not name:
        errors.add(
            heading.number, Problem("judul pertanyaan kosong: tulis teks pertanyaan setelah '## '")
        )
    rest = section[1:]
    start = next((i for i, line in enumerate(rest) if line.kind in ANSWER_KINDS), None)
    if start is None:
        errors.add(
            heading.number,
            Problem(
                "pertanyaan tidak memiliki jawaban: tambahkan pilihan '- [x]'/'- [ ]' "
                "atau baris '= jawaban'"
            ),
        )
        return None
    group, tail = answer_group(rest[start:])
    feedback = check_tail(tail, group[0], errors)
    options = [line for line in group if line.kind is not Kind.ANSWER]
    answers = [line for line in group if line.kind is Kind.ANSWER]
    for line in options:
        if line.kind is not Kind.OPTION:
            errors.add(line.number, Problem("pilihan tidak valid: %(hint)s", hint=OPTION_HINT))
    if options and answers:
        later = max(options[0], answers[0], key=lambda line: line.number)
        errors.add(
            later.number,
            Problem("pertanyaan tidak boleh memakai pilihan '- [ ]' dan baris '=' sekaligus"),
        )
        return None
    if feedback is None:
        return None
    scored = choice_fields(options, errors) if options else answer_fields(answers, errors)
    if len(errors.errors) > before or scored is None:
        return None
    body = join(rest[:start])
    return Question(
        key=question_key(section),
        kind=scored.kind,
        name=name,
        text=Text(f"{name}\n\n{body}" if body else name),
        line=heading.number,
        general_feedback=Text(join_quote(feedback)),
        choices=scored.choices,
        short_answers=scored.short_answers,
        numeric_answers=scored.numeric_answers,
    )


def heading_text(raw: str) -> str:
    """Return a heading's text without its optional closing '#' sequence."""
    match = HEADING.match(raw)
    text = (match["text"] or "") if match else ""
    if re.fullmatch(r"#+", text):
        return ""
    return re.sub(r"[ \t]+#+$", "", text).strip()


def answer_group(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """Split off the first answer group; blank lines inside it are allowed (a loose list)."""
    group: list[Line] = []
    for index, line in enumerate(lines):
        if line.kind in ANSWER_KINDS:
            group.append(line)
        elif line.kind is Kind.TEXT and BULLET.match(line.raw) and group[0].kind is not Kind.ANSWER:
            # A plain bullet among options is a malformed option, not prose after the answers.
            group.append(Line(line.number, line.raw, Kind.BAD_OPTION))
        elif line.kind is not Kind.BLANK:
            return group, lines[index:]
    return group, []


def check_tail(tail: list[Line], first_answer: Line, errors: Collector) -> list[Line] | None:
    """Report anything after the answers except one blockquote; return that blockquote.

    None means a second answer group was found: the first group is then incomplete,
    so checks on it (option count, correct option) would only mislead.
    """
    feedback: list[Line] = []
    quotes = 0
    previous = Kind.BLANK
    second_group: Line | None = None
    texts: list[tuple[Line, str]] = []
    extra_quote: Line | None = None
    for line in tail:
        if line.kind is Kind.QUOTE:
            if previous is not Kind.QUOTE:
                quotes += 1
                if quotes == 2:
                    extra_quote = line
            if quotes == 1:
                feedback.append(line)
        elif line.kind in ANSWER_KINDS:
            if second_group is None:
                second_group = line
        elif line.kind is Kind.TEXT:
            texts.append((line, tail_message(line, previous)))
        previous = line.kind
    if second_group is not None:
        errors.add(
            second_group.number,
            Problem(
                "jawaban harus ditulis dalam satu kelompok; kelompok ini terpisah dari jawaban "
                "di baris %(line)d",
                line=first_answer.number,
            ),
        )
    if extra_quote is not None:
        errors.add(
            extra_quote.number,
            Problem("hanya satu blockquote '>' umpan balik yang boleh mengikuti jawaban"),
        )
    # Text that merely separates two answer groups is covered by the group error.
    cutoff = second_group.number if second_group is not None else 0
    reported = next(((line, msg) for line, msg in texts if line.number > cutoff), None)
    if reported is not None:
        errors.add(reported[0].number, reported[1])
    return None if second_group is not None else feedback


def tail_message(line: Line, previous: Kind) -> str:
    """Explain why a text line after the answers is wrong, as precisely as possible."""
    if previous is Kind.QUOTE:
        return Problem("setiap baris umpan balik harus diawali '>'")
    if OTHER_HEADING.match(line.raw):
        return Problem("judul pertanyaan harus memakai '## ' (tepat dua tanda '#')")
    return Problem(
        "teks setelah jawaban tidak diperbolehkan; setelah jawaban hanya boleh ada "
        "satu blockquote '>' berisi umpan balik"
    )


def choice_fields(options: list[Line], errors: Collector) -> Answers | None:
    """Score task-list options: single choice, or multiple response with partial credit."""
    parsed: list[tuple[str, bool]] = []
    seen: dict[str, int] = {}  # an option's text, compared loosely → its line
    for line in options:
        match = OPTION.match(line.raw)
        if match is None:
            continue  # already reported as an invalid option
        text = (match["text"] or "").strip()
        if not text:
            errors.add(line.number, Problem("teks pilihan kosong"))
        elif (key := " ".join(text.split()).casefold()) in seen:
            errors.warn(
                line.number,
                Problem(
                    "pilihan '%(text)s' sama dengan pilihan di baris %(line)d",
                    text=text[:40],
                    line=seen[key],
                ),
            )
        else:
            seen[key] = line.number
        parsed.append((text, match["mark"] in "xX"))
    correct = sum(1 for _, right in parsed if right)
    if len(options) < 2:
        errors.add(options[0].number, Problem("pertanyaan pilihan memerlukan minimal dua pilihan"))
    if correct == 0 and len(parsed) == len(options):
        errors.add(
            options[0].number,
            Problem("tidak ada pilihan benar: tandai minimal satu dengan '- [x]'"),
        )
    if correct == 0 or len(parsed) != len(options):
        return None
    wrong = len(parsed) - correct
    if correct == 1:
        kind, right_credit, wrong_credit = QuestionKind.SINGLE, 1.0, 0.0
    else:
        kind, right_credit = QuestionKind.MULTIPLE, 1.0 / correct
        wrong_credit = -1.0 / wrong if wrong else 0.0
    choices = tuple(
        Choice(Text(text), right_credit if right else wrong_credit) for text, right in parsed
    )
    return Answers(kind, choices=choices)


def answer_fields(answers: list[Line], errors: Collector) -> Answers | None:
    """Read '=' lines as numeric answers when all are numbers, else as short answers."""
    texts: list[tuple[Line, str]] = []
    for line in answers:
        match = ANSWER.match(line.raw)
        text = match["text"].strip() if match else ""
        if not text:
            errors.add(line.number, Problem("jawaban setelah '=' kosong"))
        else:
            texts.append((line, text))
    numbers = {line.number: NUMERIC.match(text) for line, text in texts}
    with_tolerance = [line for line, text in texts if TOLERANCE_MARK.search(text)]
    for line in with_tolerance:
        if numbers[line.number] is None:
            errors.add(
                line.number,
                Problem(
                    "jawaban numerik tidak valid: tulis '= angka ± toleransi', "
                    "misalnya '= 75 ± 0.5'"
                ),
            )
    if with_tolerance:
        for line, text in texts:
            if numbers[line.number] is None and not TOLERANCE_MARK.search(text):
                errors.add(
                    line.number,
                    Problem(
                        "baris ini bukan angka, padahal baris '=' lain memakai '±'; "
                        "jawaban numerik hanya boleh berisi angka"
                    ),
                )
    if len(texts) != len(answers) or not texts:
        return None
    matches = [numbers[line.number] for line, _ in texts]
    if all(match is not None for match in matches):
        numeric = tuple(numeric_answer(match) for match in matches if match is not None)
        return Answers(QuestionKind.NUMERIC, numeric_answers=numeric)
    short = tuple(ShortAnswer(text) for _, text in texts)
    return Answers(QuestionKind.SHORT, short_answers=short)


def numeric_answer(match: re.Match[str]) -> NumericAnswer:
    """Turn a matched '= value ± tolerance' line into a NumericAnswer."""
    tolerance = match["tolerance"]
    return NumericAnswer(float(match["value"]), float(tolerance) if tolerance else 0.0)


def check_duplicates(sections: list[list[Line]], errors: Collector) -> None:
    """Report headings that repeat an earlier one (ignoring case and spacing)."""
    seen: dict[str, int] = {}
    for section in sections:
        heading = section[0]
        label = " ".join(heading_text(heading.raw).split()).casefold()
        if not label:
            continue  # reported as an empty heading
        if label in seen:
            errors.add(
                heading.number,
                Problem(
                    "judul pertanyaan sama dengan pertanyaan di baris %(line)d", line=seen[label]
                ),
            )
        else:
            seen[label] = heading.number


def question_key(section: list[Line]) -> str:
    """Hash a question's source lines, ignoring trailing blank lines, into a short stable key."""
    raws = [line.raw for line in section]
    while raws and not raws[-1].strip():
        raws.pop()
    return hashlib.sha256("\n".join(raws).encode("utf-8")).hexdigest()[:12]


def join(lines: list[Line]) -> str:
    """Join raw lines, dropping blank lines at both ends."""
    raws = [line.raw for line in lines]
    while raws and not raws[0].strip():
        raws.pop(0)
    while raws and not raws[-1].strip():
        raws.pop()
    return "\n".join(raws)


def join_quote(lines: list[Line]) -> str:
    """Return a blockquote's Markdown with its '>' markers removed."""
    inner = []
    for line in lines:
        match = QUOTE.match(line.raw)
        inner.append(match["text"] if match else line.raw)
    return "\n".join(inner).strip("\n")
