"""The statement every rollup write uses: add to a counter row, creating it if missing.

``INSERT … ON CONFLICT DO UPDATE SET n = n + k`` is applied atomically by the
database, so parallel events never lose a count.
"""

# ruff: noqa: S608 - statements are built from the models' table and column names, never input

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Boolean, bindparam, text
from sqlalchemy.dialects import postgresql, sqlite

from elearn.extensions import db
from elearn.models import (
    CourseEvaluationCount,
    EnrollmentMonthCount,
    EnrollmentSpanCount,
    JpBandCount,
    LearnerJpTotal,
    LearnerJpYear,
    QuestionScoreCount,
    QuizScoreCount,
    ScoreSpanCount,
    UnitUserCount,
    User,
)

# The counter columns of each rollup; every upsert adds to all of them (zero where unchanged)
# so one statement per table serves every event.
COUNTS: dict[Any, tuple[str, ...]] = {
    EnrollmentMonthCount: ("enrolled", "enrolled_completed", "completed"),
    LearnerJpYear: ("jp",),
    QuizScoreCount: ("attempts",),
    QuestionScoreCount: ("answered", "correct"),
    EnrollmentSpanCount: ("enrollments",),
    ScoreSpanCount: ("answered", "correct"),
    CourseEvaluationCount: ("responses", "relevance", "clarity", "applicability"),
    LearnerJpTotal: ("jp",),
    UnitUserCount: ("users",),
    JpBandCount: ("users",),
}


@cache
def _upsert(dialect: str, model: Any) -> Any:
    """The upsert of ``model``, built once per dialect with bound parameters.

    Built once, the statement is compiled once too: SQLAlchemy's compiled cache
    then hits on every later event (building it per call cost ~5 ms in compilation).
    """
    table = model.__table__
    keys = [column.name for column in table.primary_key.columns]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values({name: bindparam(name) for name in [*keys, *COUNTS[model]]})
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: table.c[name] + statement.excluded[name] for name in COUNTS[model]},
    )
    return statement


def upsert_rows(model: Any, params: list[dict[str, Any]]) -> None:
    """Add each parameter row's counts to its counter row, in one statement."""
    if params:
        db.session.execute(_upsert(db.session.get_bind().dialect.name, model), params)


def merged(model: Any, rows: Iterable[tuple[Mapping[str, Any], Mapping[str, int]]]) -> list[Any]:
    """The parameter rows of ``model``'s upsert: rows with the same keys added together
    (one statement must not touch a row twice), rows that add nothing left out."""
    rows_by_key: dict[tuple[Any, ...], dict[str, Any]] = {}
    for keys, counts in rows:
        row = rows_by_key.setdefault(
            tuple(keys.values()), {**keys, **dict.fromkeys(COUNTS[model], 0)}
        )
        for name, count in counts.items():
            row[name] += count
    return [row for row in rows_by_key.values() if any(row[n] for n in COUNTS[model])]


@cache
def _chained(models: tuple[Any, ...]) -> Any:
    """One PostgreSQL statement upserting into every table of ``models``, in that order.

    Each table's rows come as one JSON array of objects, read as rows of the table's type
    (``json_populate_recordset``, in array order): one parameter per table, made by the
    json module in C, where one array per column cost psycopg a Python loop per array
    (38 of them in a completing submit). Each INSERT reads the count of the one before
    it, so the database runs them one after the other in this order (data-modifying CTEs
    left to themselves run in an order PostgreSQL does not promise), and two
    transactions lock the rows they share in the same order.
    """
    parts = []
    for i, model in enumerate(models):
        table = model.__table__
        keys = [column.name for column in table.primary_key.columns]
        columns = ", ".join([*keys, *COUNTS[model]])
        rows = f"json_populate_recordset(NULL::{table.name}, CAST(:t{i} AS json))"
        after = f" WHERE (SELECT count(*) FROM t{i - 1}) >= 0" if i else ""
        updates = ", ".join(f"{name} = r.{name} + EXCLUDED.{name}" for name in COUNTS[model])
        parts.append(
            f"t{i} AS (INSERT INTO {table.name} AS r ({columns}) "
            f"SELECT {columns} FROM {rows}{after} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates} RETURNING 1)"
        )
    return text(f"WITH {', '.join(parts)} SELECT count(*) FROM t{len(models) - 1}")


def upsert_tables(tables: Iterable[tuple[Any, list[dict[str, Any]]]]) -> None:
    """Add counts to several rollups, in the order given: one statement on PostgreSQL.

    For the rows every learner of a unit, course or quiz shares: locked from their
    upsert to the commit, they are then locked for one round trip and the commit, not
    for one round trip per table.
    """
    tables = [(model, params) for model, params in tables if params]
    bind = db.session.get_bind()
    if bind.dialect.name != "postgresql" or len(tables) < 2:
        for model, params in tables:
            upsert_rows(model, params)
        return
    values = {f"t{i}": json.dumps(params, default=_iso) for i, (_, params) in enumerate(tables)}
    db.session.execute(_chained(tuple(model for model, _ in tables)), values)


def _iso(value: Any) -> str:
    """A rollup key's month (a date) as JSON: the text PostgreSQL reads back as that date."""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a rollup key")


@cache
def _jp_added(dialect: str, platform: bool) -> tuple[Any, ...]:
    """The statements of ``add_jp``: one on PostgreSQL; on SQLite the platform year's
    upsert, then the total's with the account read in its RETURNING."""
    year, total = LearnerJpYear.__tablename__, LearnerJpTotal.__tablename__
    account_table = User.__tablename__
    update = "ON CONFLICT (user_id, year) DO UPDATE SET jp = r.jp + excluded.jp"
    if dialect != "postgresql":
        account = f"(SELECT {{}} FROM {account_table} WHERE id = :user_id)"
        added = text(
            f"INSERT INTO {total} AS r (user_id, year, jp) VALUES (:user_id, :year, :jp) "
            f"{update} RETURNING {account.format('unit_id')} AS unit_id, "
            f"{account.format('is_active')} AS is_active, jp"
        ).columns(is_active=Boolean)
        return (_upsert(dialect, LearnerJpYear), added) if platform else (added,)
    values = "CAST(:user_id AS INTEGER), CAST(:year AS INTEGER), CAST(:jp AS INTEGER)"
    # The account is read (shared lock) before the total is locked: the total's INSERT
    # selects from it. An account change locks them in that order too, so they never
    # deadlock; and an activation or move in progress is waited for, so the band
    # moved is the account's as committed.
    parts = [
        f"a AS (SELECT unit_id, is_active FROM {account_table} WHERE id = :user_id FOR SHARE)",
        f"t AS (INSERT INTO {total} AS r (user_id, year, jp) SELECT {values} FROM a "
        f"{update} RETURNING r.jp)",
    ]
    if platform:
        parts.insert(
            0, f"y AS (INSERT INTO {year} AS r (user_id, year, jp) VALUES ({values}) {update})"
        )
    return (text(f"WITH {', '.join(parts)} SELECT a.unit_id, a.is_active, t.jp FROM a, t"),)


def add_jp(user_id: int, year: int, jp: int, *, platform: bool) -> Any:
    """Add ``jp`` to a learner's JP total of ``year`` (``platform``: and to their platform
    JP of it); return the account's unit and activity and the total as it is now, the
    total locked until commit. One statement on PostgreSQL, two on SQLite (one for
    external JP)."""
    params = {"user_id": user_id, "year": year, "jp": jp}
    *first, added = _jp_added(db.session.get_bind().dialect.name, platform)
    for statement in first:
        db.session.execute(statement, params)
    return db.session.execute(added, params).one()
