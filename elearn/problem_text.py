"""Messages shared by the CLI and the web UI: Indonesian text that can be shown in English.

The content checks and the CSV import run from ``flask`` commands, which print
``file:line: message`` in Indonesian, and from the web UI, which shows the same
problems in the viewer's language. A ``Problem`` is the Indonesian text itself (a
``str``: the CLI, logs and tests read it as before) that also keeps its msgid and
values, so ``translated`` can look it up in the active catalogue at render time.

``Problem(...)`` calls are extracted like ``_()`` (``pybabel extract -k Problem``;
tests/main/test_catalogue.py checks that each has an English translation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Problem(str):
    """``Problem("kolom '%(column)s' kosong", column="nip")`` reads "kolom 'nip' kosong"."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Problem:
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid = msgid
        text.params = params
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        # Problems cross the content sandbox's process boundary in a pickle.
        return (_rebuild, (self.msgid, self.params))


def _rebuild(msgid: str, params: dict[str, Any]) -> Problem:
    return Problem(msgid, **params)


def translated(text: str, gettext: Callable[[str], str]) -> str:
    """``text`` in the catalogue of ``gettext``: a Problem with its values, else as a msgid."""
    if isinstance(text, Problem):
        if not text.params:
            return gettext(text.msgid)
        values = {key: _value(value, gettext) for key, value in text.params.items()}
        return gettext(text.msgid) % values
    return gettext(text)


def _value(value: Any, gettext: Callable[[str], str]) -> Any:
    # Only nested Problems: a plain value (a file name, a column) is the author's, not ours.
    return translated(value, gettext) if isinstance(value, Problem) else value


def problem_of(error: BaseException) -> str:
    """The message an exception was raised with, still a Problem (``str(error)`` is not)."""
    message = error.args[0] if error.args else ""
    return message if isinstance(message, str) else str(error)


def to_record(text: str) -> dict[str, Any]:
    """The msgid and values of ``text`` for storing as JSON (an upload's saved errors)."""
    if not isinstance(text, Problem) or not text.params:
        return {}
    return {"msgid": text.msgid, "params": {k: _stored(v) for k, v in text.params.items()}}


def _stored(value: Any) -> Any:
    if isinstance(value, Problem):
        return {"msgid": value.msgid, "params": to_record(value).get("params", {})}
    return value if isinstance(value, int | float) else str(value)


def from_record(message: str, record: dict[str, Any]) -> str:
    """The message stored with ``to_record``, as a Problem again when it had values."""
    if not record.get("msgid"):
        return message
    return _rebuilt(record)


def _rebuilt(record: dict[str, Any]) -> Problem:
    params = {
        k: _rebuilt(v) if isinstance(v, dict) else v for k, v in record.get("params", {}).items()
    }
    return Problem(record["msgid"], **params)
