"""The answer block ``{...}`` of a GIFT question, read the way Moodle's importer reads it.

The question type is chosen by Moodle's rules, in Moodle's order: empty block →
essay, ``#`` first → numerical, any ``~`` → multiple choice, ``=`` with ``->`` →
matching, ``T``/``TRUE``/``F``/``FALSE`` → true/false, otherwise short answer.
Where Moodle would silently import something odd (text before the first
answer, a weight it ignores, a number it cannot read) we report an error.
"""

from __future__ import annotations

import math
import re

from elearn.content.gift_text import (
    Block,
    Piece,
    formatted,
    optional_text,
    plain,
    split_weight,
)
from elearn.content.quiz import (
    Answers,
    Choice,
    MatchPair,
    NumericAnswer,
    QuestionKind,
    ShortAnswer,
    TextFormat,
    TrueFalseAnswer,
)
from elearn.problem_text import Problem

TRUE_WORDS = {"T", "TRUE"}
FALSE_WORDS = {"F", "FALSE"}
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
WILDCARD = "*"  # Moodle's "any other answer"


def parse_answers(block: Block, inside: Piece, default: TextFormat) -> Answers | None:
    """Read the inside of ``{...}`` without its general feedback; ``None`` after errors.

    Problems with the whole block are reported where ``inside`` starts, the line of ``{``.
    """
    answers = inside.strip()
    text = answers.text
    if not text:
        return Answers(QuestionKind.ESSAY)
    if text.startswith("#"):
        return _numeric(block, inside, answers.cut(1), default)
    if "~" in text:
        return _multiple_choice(block, inside, answers, default)
    if "=" in text and "->" in text:
        return _matching(block, inside, answers, default)
    head = text.split("#", 1)[0].strip()
    if head in TRUE_WORDS or head in FALSE_WORDS:
        return _true_false(answers, default)
    if text.startswith("="):
        return _short(block, inside, answers, default)
    hint = "T, TRUE, F atau FALSE (huruf besar)" if head.upper() in TRUE_WORDS | FALSE_WORDS else ""
    block.error(
        inside,
        Problem(
            "tipe pertanyaan tidak dikenali: awali jawaban dengan '=' atau '~'; "
            "benar/salah ditulis T, TRUE, F atau FALSE (huruf besar)"
        )
        if hint
        else Problem("tipe pertanyaan tidak dikenali: awali jawaban dengan '=' atau '~'"),
    )
    return None


def _no_leading_text(block: Block, lead: Piece, markers: str) -> None:
    # Moodle would import such text as an extra answer, which is never what was meant.
    lead = lead.strip()
    if lead.text:
        block.error(
            lead,
            Problem(
                "teks '%(text)s' sebelum jawaban pertama; awali setiap jawaban dengan %(markers)s",
                text=plain(lead)[:30],
                markers=markers,
            ),
        )


def _answer_and_feedback(piece: Piece) -> tuple[Piece, Piece | None]:
    parts = piece.split("#", 1)
    return parts[0], (parts[1] if len(parts) > 1 else None)


def _multiple_choice(
    block: Block, inside: Piece, answers: Piece, default: TextFormat
) -> Answers | None:
    errors = len(block.errors)
    lead, items = answers.split_marked("~=")
    _no_leading_text(block, lead, "'=' atau '~'")
    choices = []
    seen: dict[str, int] = {}  # an option's text, compared loosely → its line
    for marker, raw in items:
        body = raw.strip()
        fraction = 1.0
        if marker == "=" and body.text.startswith("%"):
            block.error(body, Problem("bobot pilihan ditulis setelah '~' (mis. ~%50%), bukan '='"))
        elif marker == "~":
            weight, body = split_weight(block, body, -100, 100)
            fraction = 0.0 if weight is None else weight
        answer, feedback = _answer_and_feedback(body)
        text = formatted(answer, default)
        if not text.source:
            block.error(raw, Problem("pilihan jawaban kosong"))
        else:
            _warn_if_repeated(block, raw, text.source, seen)
        choices.append(Choice(text, fraction, optional_text(feedback, default)))
    if len(choices) < 2:
        block.error(inside, Problem("pertanyaan pilihan ganda membutuhkan minimal 2 pilihan"))
        return None
    # Moodle: a question with an '=' answer is single-response, otherwise multiple-response.
    kind = QuestionKind.SINGLE if any(m == "=" for m, _ in items) else QuestionKind.MULTIPLE
    positive = [c.fraction for c in choices if c.fraction > 0]
    if not positive:
        block.error(inside, Problem("pertanyaan pilihan ganda tanpa jawaban benar"))
        return None
    total = round(sum(positive), 2)
    if kind is QuestionKind.MULTIPLE and total != 1:
        block.error(
            inside,
            Problem(
                "jumlah bobot pilihan benar harus 100%%, bukan %(total)s%%",
                total=f"{total * 100:g}",
            ),
        )
        return None
    return Answers(kind, choices=tuple(choices)) if len(block.errors) == errors else None


def _warn_if_repeated(block: Block, raw: Piece, text: str, seen: dict[str, int]) -> None:
    """Warn about an option that reads the same as an earlier one of the question."""
    key = " ".join(text.split()).casefold()
    if key in seen:
        block.warn(
            raw.strip(),
            Problem(
                "pilihan '%(text)s' sama dengan pilihan di baris %(line)d",
                text=text[:40],
                line=seen[key],
            ),
        )
    else:
        seen[key] = block.line_of(raw.strip())


def _matching(block: Block, inside: Piece, answers: Piece, default: TextFormat) -> Answers | None:
    errors = len(block.errors)
    lead, items = answers.split_marked("=")
    _no_leading_text(block, lead, "'='")
    pairs = []
    for _, raw in items:
        body = raw.strip()
        if "->" not in body.text:
            block.error(
                body, Problem("pasangan menjodohkan harus berbentuk '=pertanyaan -> jawaban'")
            )
            continue
        prompt, answer = body.split("->", 1)
        if not plain(answer):
            block.error(body, Problem("pasangan menjodohkan tanpa jawaban setelah '->'"))
        pairs.append(MatchPair(formatted(prompt, default), plain(answer)))
    if len(block.errors) > errors:
        return None
    # Moodle's importer wants two entries; an entry without a prompt is only a distractor.
    if sum(1 for pair in pairs if pair.prompt.source) < 2:
        block.error(
            inside,
            Problem("pertanyaan menjodohkan membutuhkan minimal 2 pasangan berisi pertanyaan"),
        )
        return None
    return Answers(QuestionKind.MATCHING, pairs=tuple(pairs))


def _true_false(answers: Piece, default: TextFormat) -> Answers:
    # '{FALSE#wrong#right}': the first feedback is for a wrong answer, the second for a right one.
    parts = answers.split("#", 2)
    wrong = optional_text(parts[1] if len(parts) > 1 else None, default)
    right = optional_text(parts[2] if len(parts) > 2 else None, default)
    if parts[0].text.strip() in TRUE_WORDS:
        answer = TrueFalseAnswer(True, feedback_true=right, feedback_false=wrong)
    else:
        answer = TrueFalseAnswer(False, feedback_true=wrong, feedback_false=right)
    return Answers(QuestionKind.TRUE_FALSE, true_false=answer)


def _short(block: Block, inside: Piece, answers: Piece, default: TextFormat) -> Answers | None:
    errors = len(block.errors)
    found = []
    for _, raw in answers.split_marked("=")[1]:
        weight, body = split_weight(block, raw.strip(), 0, 100)
        answer, feedback = _answer_and_feedback(body)
        text = formatted(answer, default).source  # Moodle drops a format tag on the answer
        if not text:
            block.error(raw, Problem("jawaban isian kosong"))
        fraction = 1.0 if weight is None else weight
        found.append(ShortAnswer(text, fraction, optional_text(feedback, default)))
    if len(block.errors) > errors:
        return None
    if max(a.fraction for a in found) != 1:
        block.error(inside, Problem("pertanyaan isian tanpa jawaban bernilai 100%"))
        return None
    return Answers(QuestionKind.SHORT, short_answers=tuple(found))


def _numeric(block: Block, inside: Piece, answers: Piece, default: TextFormat) -> Answers | None:
    errors = len(block.errors)
    catch_all = None
    tilde = answers.text.find("~")
    if tilde >= 0:
        # '~#feedback' after the answers is feedback for any other number (Moodle's '*').
        catch_all = answers.cut(tilde + 1)
        answers = answers.cut(0, tilde)
    lead, items = answers.split_marked("=")
    raws = ([lead] if lead.text.strip() else []) + [raw for _, raw in items]
    if not raws:
        block.error(inside, Problem("pertanyaan numerik tanpa jawaban"))
        return None
    found = []
    for raw in raws:
        weight, body = split_weight(block, raw.strip(), 0, 100)
        answer, feedback = _answer_and_feedback(body)
        value = _numeric_value(block, answer.strip())
        if value is not None:
            fraction = 1.0 if weight is None else weight
            found.append(NumericAnswer(*value, fraction, optional_text(feedback, default)))
    if catch_all is not None:
        ignored, feedback = _answer_and_feedback(catch_all)
        if ignored.text.strip():
            block.error(
                ignored,
                Problem("setelah '~' pada pertanyaan numerik hanya boleh umpan balik '#...'"),
            )
        found.append(NumericAnswer(0.0, math.inf, 0.0, optional_text(feedback, default)))
    if len(block.errors) > errors:
        return None
    if max(a.fraction for a in found) != 1:
        block.error(inside, Problem("pertanyaan numerik tanpa jawaban bernilai 100%"))
        return None
    return Answers(QuestionKind.NUMERIC, numeric_answers=tuple(found))


def _numeric_value(block: Block, answer: Piece) -> tuple[float, float] | None:
    """Read ``value``, ``value:tolerance`` or ``min..max`` into (value, tolerance)."""
    text = plain(answer)
    if text == WILDCARD:
        return 0.0, math.inf
    if text.find("..") > 0:
        low, high = (_number(block, answer, part) for part in text.split("..", 1))
        if low is None or high is None:
            return None
        if low > high:
            block.error(
                answer, Problem("rentang numerik terbalik: '%(text)s' (tulis min..maks)", text=text)
            )
            return None
        return (low + high) / 2, (high - low) / 2
    if text.find(":") > 0:
        value, tolerance = (_number(block, answer, part) for part in text.split(":", 1))
        if value is None or tolerance is None:
            return None
        if tolerance < 0:
            block.error(
                answer, Problem("toleransi numerik tidak boleh negatif: '%(text)s'", text=text)
            )
            return None
        return value, tolerance
    single = _number(block, answer, text)
    return None if single is None else (single, 0.0)


def _number(block: Block, answer: Piece, text: str) -> float | None:
    text = text.strip()
    if _NUMBER.fullmatch(text):
        return float(text)
    if _NUMBER.fullmatch(text.replace(",", ".")):
        message = Problem(
            "jawaban numerik bukan angka: '%(text)s' (gunakan titik sebagai pemisah desimal)",
            text=text,
        )
    else:
        message = Problem("jawaban numerik bukan angka: '%(text)s'", text=text)
    block.error(answer, message)
    return None
