"""The statement every rollup write uses: add to a counter row, creating it if missing.

``INSERT … ON CONFLICT DO UPDATE SET n = n + k`` is applied atomically by the
database, so parallel events never lose a count.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import bindparam
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
def _upsert(dialect: str, model: Any, returning: bool) -> Any:
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
    return statement.returning(*table.columns) if returning else statement


def upsert_rows(model: Any, params: list[dict[str, Any]]) -> None:
    """Add each parameter row's counts to its counter row, in one statement."""
    if params:
        db.session.execute(_upsert(db.session.get_bind().dialect.name, model, False), params)


def upsert_returning(model: Any, params: dict[str, Any]) -> Any:
    """Add one row's counts and return the row as it is now (locked until commit)."""
    statement = _upsert(db.session.get_bind().dialect.name, model, True)
    return db.session.execute(statement, params).one()
