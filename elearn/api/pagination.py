"""Cursor pagination: ``limit`` and an opaque ``cursor`` over ascending ids."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from elearn.main.input_guard import MAX_DB_INT
from elearn.reports.filters import InvalidFilter

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
_CURSOR = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_LIMIT = re.compile(r"^[0-9]{1,4}$")
_ID = re.compile(r"^[1-9][0-9]{0,9}$")
T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    """Rows with an id above ``after_id``, at most ``limit`` of them."""

    limit: int = DEFAULT_LIMIT
    after_id: int = 0

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> PageRequest:
        """Read ``limit`` and ``cursor``; raise InvalidFilter naming the bad one."""
        return cls(limit=_read_limit(args.get("limit")), after_id=decode_cursor(args.get("cursor")))


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of rows and the cursor for the next, None on the last page."""

    rows: Sequence[T]
    next_cursor: str | None


def _read_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not _LIMIT.match(raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidFilter(f"limit: expected an integer from 1 to {MAX_LIMIT}")
    return int(raw)


def encode_cursor(last_id: int) -> str:
    """The opaque cursor after ``last_id``: base64url of the id, unpadded."""
    return base64.urlsafe_b64encode(str(last_id).encode("ascii")).decode("ascii").rstrip("=")


def decode_cursor(raw: str | None) -> int:
    """The id a cursor stands for (0 without one); raise InvalidFilter if it is not ours."""
    if raw is None or raw == "":
        return 0
    problem = InvalidFilter("cursor: not a cursor returned by this API")
    if not _CURSOR.match(raw):
        raise problem
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise problem from None
    # Only the exact encoding of an id is accepted, so one page has one cursor.
    if not _ID.match(decoded) or encode_cursor(int(decoded)) != raw:
        raise problem
    # Ids are PostgreSQL integers; comparing with a larger number is an error there.
    if int(decoded) > MAX_DB_INT:
        raise problem
    return int(decoded)


def paginate(rows: Sequence[T], request: PageRequest, id_of: Callable[[T], int]) -> Page[T]:
    """Cut ``rows`` (fetched with ``limit + 1``) to a page and its next cursor."""
    if len(rows) <= request.limit:
        return Page(rows, None)
    shown = rows[: request.limit]
    return Page(shown, encode_cursor(id_of(shown[-1])))
