"""The one source of "now" for rules that depend on time (tests freeze it here)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Return the current aware UTC time."""
    return datetime.now(UTC)
