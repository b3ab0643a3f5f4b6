"""The query parameters of each API resource, read strictly: a bad one is a 422."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime

from elearn.reports.filters import FIRST_DAY, LAST_DAY, InvalidFilter, ReportFilter

# Query names ReportFilter.from_args reads.
FILTER_NAMES = ("since", "until", "unit", "course", "category", "competency", "status")
ENROLLMENT_FILTERS = frozenset(FILTER_NAMES)
COMPLETION_FILTERS = frozenset(FILTER_NAMES)  # status may only say "completed"
CERTIFICATE_FILTERS = frozenset(FILTER_NAMES) - {"status"}
LEARNER_FILTERS = frozenset({"unit"})
# Every query parameter some resource reads.
QUERY_NAMES = (*FILTER_NAMES, "updated_since", "year", "limit", "cursor")
# A "+" in a query string arrives as a space unless the client encoded it as %2B.
_SPACED_OFFSET = re.compile(r" (\d{2}:?\d{2})$")
_YEAR = re.compile(r"^[0-9]{4}$")
# Free-text filters are compared with stored codes; control characters (NUL breaks
# PostgreSQL) and very long values can only be mistakes.
# Dates outside these years overflow once shifted across zones; no record lies there.


def refuse_empty(args: Mapping[str, str]) -> None:
    """Raise InvalidFilter for a parameter given with nothing in it (``updated_since=``).

    Read as absent, an empty ``updated_since`` would turn an incremental pull into a
    full one, and an empty ``unit`` would widen it to the whole scope: a script that
    failed to fill in a value gets told rather than everything.
    """
    for name in QUERY_NAMES:
        if name in args and not args[name].strip():
            raise InvalidFilter(f"{name}: empty; give a value or leave the parameter out")


def refuse(args: Mapping[str, str], names: Iterable[str], resource: str) -> None:
    """Raise InvalidFilter if any of ``names`` is given: ``resource`` cannot honour it."""
    for name in names:
        if (args.get(name) or "").strip():
            raise InvalidFilter(f"{name}: not supported on /{resource}")


def read_filter(args: Mapping[str, str], accepted: frozenset[str], resource: str) -> ReportFilter:
    """ReportFilter from ``args``, refusing filters ``resource`` does not take."""
    refuse(args, [name for name in FILTER_NAMES if name not in accepted], resource)
    return ReportFilter.from_args({name: args[name] for name in accepted if name in args})


def completions_filter(args: Mapping[str, str]) -> ReportFilter:
    """The filter of /completions: completed enrolments only, whatever else is asked."""
    found = read_filter(args, COMPLETION_FILTERS, "completions")
    if found.status not in ("", "completed"):
        raise InvalidFilter("status: /completions returns completed enrolments only")
    return replace(found, status="completed")


def read_updated_since(args: Mapping[str, str]) -> datetime | None:
    """``updated_since`` as an aware datetime, or None when absent."""
    raw = (args.get("updated_since") or "").strip()
    if not raw:
        return None
    problem = InvalidFilter(
        "updated_since: expected an ISO 8601 date-time with a time zone, e.g. 2026-03-01T00:00:00Z"
    )
    try:
        parsed = datetime.fromisoformat(_SPACED_OFFSET.sub(r"+\1", raw))
        # A naive time would silently be read in the server's zone.
        value = parsed.astimezone(UTC) if parsed.utcoffset() is not None else None
    except (ValueError, OverflowError):
        raise problem from None
    if value is None:
        raise problem
    if not FIRST_DAY <= value.date() <= LAST_DAY:
        raise InvalidFilter(f"updated_since: expected a time between {FIRST_DAY} and {LAST_DAY}")
    return value


def read_year(args: Mapping[str, str], default: int) -> int:
    """``year`` as YYYY, ``default`` when absent."""
    raw = (args.get("year") or "").strip()
    if not raw:
        return default
    if not _YEAR.match(raw) or not FIRST_DAY.year <= int(raw) <= LAST_DAY.year:
        raise InvalidFilter(f"year: expected a year from {FIRST_DAY.year} to {LAST_DAY.year}")
    return int(raw)
