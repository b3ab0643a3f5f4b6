"""Links to one endpoint for many values (outline items, catalog cards) from one url_for."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask, url_for

# Characters URL quoting never changes: a value made only of these appears in the URL as it
# is, so prefix + value + suffix is exactly what url_for would build.
_UNQUOTED = re.compile(r"[A-Za-z0-9._~-]+")
_MARKER = "0elearnaddress0"


def addresses(endpoint: str, argument: str, **values: Any) -> Callable[[object], str]:
    """Return ``f`` with ``f(x) == url_for(endpoint, **values, **{argument: x})``.

    url_for costs ~20 µs; a course outline or a catalog page asks for one per item. This
    builds the URL once around a marker and splices each value in; a value that URL quoting
    would change falls back to url_for, so every link is the one url_for gives.
    """
    template = _url(endpoint, {**values, argument: _MARKER})
    if template.count(_MARKER) != 1:  # cannot split (never for our routes): ask each time
        return lambda value: _url(endpoint, {**values, argument: value})
    prefix, suffix = template.split(_MARKER)

    def address(value: object) -> str:
        text = str(value)
        if _UNQUOTED.fullmatch(text):
            return prefix + text + suffix
        return _url(endpoint, {**values, argument: value})

    return address


def _url(endpoint: str, values: dict[str, Any]) -> str:
    return url_for(endpoint, **values)


def init_addresses(app: Flask) -> None:
    app.jinja_env.globals["addresses"] = addresses
