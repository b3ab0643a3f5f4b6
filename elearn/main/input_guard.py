"""Refuse hostile input before any view sees it: control bytes, ids and pages out of range.

PostgreSQL rejects a NUL byte in text and an integer beyond its 32-bit ``integer``
columns with an error, which would surface as a 500; these checks turn both into a
400 or 404 for every route at once, so no view has to remember them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map, ValidationError

# The largest value of PostgreSQL's ``integer``, the type of every id column.
MAX_DB_INT = 2**31 - 1
MAX_PAGE = 100_000
# Path segments and query values are short identifiers and filters; no control byte belongs there.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Form fields may carry pasted text (form feeds from word processors); only NUL is refused.
_NUL = "\x00"
_DIGITS = re.compile(r"^[0-9]{1,10}$")


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` limited to 0..2**31-1: a larger id cannot exist, so the route is a 404."""

    def __init__(
        self,
        map: Map,  # noqa: A002 - werkzeug's parameter name
        fixed_digits: int = 0,
        min: int | None = 0,  # noqa: A002
        max: int | None = MAX_DB_INT,  # noqa: A002
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        # int() of a 5,000-digit string raises ValueError (Python's digit limit), not a miss.
        if len(value.lstrip("-")) > 10:
            raise ValidationError()
        number: int = super().to_python(value)
        return number


def bad_input(message: str) -> BadRequest:
    """A 400 whose (Indonesian) message is shown to the user."""
    return BadRequest(description=message)


def query_int(
    args: Mapping[str, str], name: str, default: int, *, minimum: int = 1, maximum: int = MAX_PAGE
) -> int:
    """Read a whole number from the query string; raise a 400 outside minimum..maximum."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not _DIGITS.match(raw) or not minimum <= int(raw) <= maximum:
        raise bad_input(
            _(
                "Parameter %(name)s harus bilangan bulat dari %(low)d sampai %(high)d.",
                name=name,
                low=minimum,
                high=maximum,
            )
        )
    return int(raw)


def page_number(args: Mapping[str, str]) -> int:
    """The ``page`` query argument of a paginated list (1 when absent)."""
    return query_int(args, "page", 1)


def _has_control(values: Iterable[str], pattern: re.Pattern[str]) -> bool:
    return any(pattern.search(value) for value in values)


def _refuse_control_bytes() -> None:
    # The JSON API checks its own parameters, answering 422 with the parameter's name.
    args = [] if request.blueprint == "api" else request.args.items(multi=True)
    if _has_control([request.path, *(text for pair in args for text in pair)], _CONTROL):
        raise bad_input(_("Alamat berisi karakter kendali yang tidak diizinkan."))
    if request.method in {"POST", "PUT", "PATCH"}:
        fields = [text for pair in request.form.items(multi=True) for text in pair]
        if any(_NUL in text for text in fields):
            raise bad_input(_("Isian formulir berisi karakter yang tidak diizinkan (NUL)."))


def _check_page() -> None:
    # Every paginated list reads ``page``; checking it here covers lists in any blueprint.
    page_number(request.args)


def init_input_guard(app: Flask) -> None:
    """Install the id converter (before routes are added) and the request checks."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.before_request(_refuse_control_bytes)
    app.before_request(_check_page)
