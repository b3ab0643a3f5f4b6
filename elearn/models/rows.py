"""Mapped columns read as plain Core rows: which columns a statement selects, and their values.

A page that only reads can skip the ORM's per-execution set-up, row processing and identity
map by selecting a mapped class's table columns and taking the values back by attribute key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Row, inspect


class Columns:
    """Some column attributes of one mapped class, as a Core statement selects them.

    ``table`` is the class's table or an alias of it; ``keys`` are attribute names (all the
    class's column attributes when left out). ``values`` reads them back from a row, starting
    at the position where the statement put them.
    """

    def __init__(
        self, mapped: type[Any], table: FromClause | None = None, keys: Sequence[str] = ()
    ) -> None:
        mapper = inspect(mapped)
        self.mapper = mapper
        table = mapper.local_table if table is None else table
        attrs = [mapper.column_attrs[k] for k in keys] if keys else list(mapper.column_attrs)
        self.keys = tuple(a.key for a in attrs)
        self.columns: tuple[ColumnElement[Any], ...] = tuple(
            table.c[a.columns[0].key] for a in attrs
        )

    def values(self, row: Row[Any], at: int = 0) -> dict[str, Any]:
        """The attribute values of ``row`` from position ``at``, by attribute key."""
        return dict(zip(self.keys, row[at : at + len(self.keys)], strict=True))
