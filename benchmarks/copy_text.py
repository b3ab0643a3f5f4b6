"""PostgreSQL COPY text for the rows of benchmarks/seed_data.py, formatted in bulk.

psycopg's ``write_row`` adapts every value of every row (~7 µs a row here); at 1,000,000
learners that is 37 M rows. The big tables are formatted here with one f-string per row for
their known column types, and the long JSON columns of the quiz attempts (the same few hundred
template strings over and over) are escaped once and looked up after that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

NULL = "\\N"
BOOL = {True: "t", False: "f", None: NULL}


def escape(value: str) -> str:
    """A text value as COPY's text format reads it back unchanged."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        value = value.replace("\r", "\\r")
    return value


class Escaped(dict[str, str]):
    """Escaped text of strings that repeat (templates, constants), computed once each."""

    def __missing__(self, key: str) -> str:
        value = self[key] = escape(key)
        return value


def field(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return BOOL[value]
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()  # bytea hex input, its backslash escaped for COPY
    if isinstance(value, float):
        return repr(value)
    return str(value)


def generic(rows: Iterable[tuple[Any, ...]]) -> str:
    return "".join(["\t".join(map(field, row)) + "\n" for row in rows])


# Only for strings that repeat: per-row ones (names, tokens, codes) go through escape().
_SEEN = Escaped()


def user_account(rows: list[tuple[Any, ...]]) -> str:
    s, b = _SEEN, BOOL
    return "".join(
        [
            f"{r[0]}\t{escape(r[1])}\t{escape(r[2])}\t{field(r[3])}\t{s[r[4]]}\t{r[5]}\t"
            f"{s[r[6]]}\t{s[r[7]]}\t{s[r[8]]}\t{b[r[9]]}\t{escape(r[10])}\t{b[r[11]]}\t"
            f"{field(r[12])}\t"
            f"{r[13]}\t{field(r[14])}\n"
            for r in rows
        ]
    )


def role_grant(rows: list[tuple[Any, ...]]) -> str:
    s = _SEEN
    return "".join([f"{r[0]}\t{s[r[1]]}\n" for r in rows])


def enrollment(rows: list[tuple[Any, ...]]) -> str:
    # completed_at may be None; last_item_id and last_seen_at are never seeded.
    n = NULL
    return "".join(
        [
            f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\t{r[4]}\t{r[5]}\t{r[6] or n}\t"
            f"{n if r[7] is None else r[7]}\t{n if r[8] is None else r[8]}\t{r[9]}\n"
            for r in rows
        ]
    )


def quiz_attempt(rows: list[tuple[Any, ...]]) -> str:
    # The deadline is a timestamp text or None; the score a float or None (repr as before).
    s, b, n = _SEEN, BOOL, NULL
    return "".join(
        [
            f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\t{r[4]}\t{n if r[5] is None else r[5]}\t"
            f"{s[r[6]]}\t{s[r[7]]}\t{r[8]}\t{r[9]}\t{n if r[10] is None else r[10]!r}\t"
            f"{b[r[11]]}\t{s[r[12]]}\n"
            for r in rows
        ]
    )


def certificate(rows: list[tuple[Any, ...]]) -> str:
    s = _SEEN
    return "".join(
        [
            f"{r[0]}\t{escape(r[1])}\t{escape(r[2])}\t{r[3]}\t{r[4]}\t{r[5]}\t{r[6]}\t{r[7]}\t"
            f"{r[8]}\t{escape(r[9])}\t{s[r[10]]}\t{s[r[11]]}\t{field(r[12])}\t"
            f"{field(r[13])}\t{field(r[14])}\n"
            for r in rows
        ]
    )


def course_evaluation(rows: list[tuple[Any, ...]]) -> str:
    s = _SEEN
    return "".join([f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\t{r[4]}\t{s[r[5]]}\t{r[6]}\n" for r in rows])


FORMAT: dict[str, Callable[[list[tuple[Any, ...]]], str]] = {
    "user_account": user_account,
    "role_grant": role_grant,
    "enrollment": enrollment,
    "quiz_attempt": quiz_attempt,
    "certificate": certificate,
    "course_evaluation": course_evaluation,
}


def copy_text(table: str, rows: list[tuple[Any, ...]]) -> str:
    """COPY text lines for ``rows`` of ``table`` (any table: others go value by value)."""
    return FORMAT.get(table, generic)(rows)
