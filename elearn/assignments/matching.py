"""Matching a jabatan: the one rule both resolving targets and catching arrivals use."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func


def same_position(column: Any, position: str) -> ColumnElement[bool]:
    """Jabatan compare trimmed and case-insensitively: typed by hand, in imports and forms."""
    return func.lower(func.trim(column)) == position.strip().lower()
