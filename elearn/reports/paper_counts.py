"""Score and per-question counts of scored attempts, aggregated in SQL.

For the figures the rollups cannot answer (a date filter): the database
expands each attempt's ``results`` JSON itself (``jsonb_array_elements`` on
PostgreSQL, ``json_each`` on SQLite) and hands back only the counts, so no
paper travels to Python, however many attempts are in range.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, cast, func, literal_column, or_, true
from sqlalchemy.dialects.postgresql import JSONB

from elearn.extensions import db
from elearn.models import CourseItem, Enrollment, QuizAttempt
from elearn.reports.filters import AnySelect
from elearn.reports.item_analysis import QuestionCounts, ScoreCounts


def _sql(text: str) -> Any:
    # Constants are written into the SQL, not bound: PostgreSQL binds server-side, and
    # ``coalesce(score, $1)`` in SELECT would not match ``coalesce(score, $2)`` in GROUP BY.
    return literal_column(text)


def _result_fields(dialect: str) -> tuple[Any, Any, Any, Any]:
    """Each attempt's results plus one JSON null (the attempt itself, so one scan counts
    both attempts and answers), and each element's key, "correct" and "scored" tests."""
    if dialect == "postgresql":
        results = func.coalesce(cast(QuizAttempt.results, JSONB), _sql("'[]'::jsonb"))
        elements = func.jsonb_array_elements(results.op("||")(_sql("'[null]'::jsonb")))
        value = elements.table_valued("value").c.value

        def field(name: str) -> Any:
            return value.op("->>")(_sql(f"'{name}'"))

        yes = _sql("'true'")
    else:
        results = func.coalesce(QuizAttempt.results, _sql("'[]'"))
        elements = func.json_each(func.json_insert(results, _sql("'$[#]'"), _sql("NULL")))
        value = elements.table_valued("value").c.value

        def field(name: str) -> Any:
            return func.json_extract(value, _sql(f"'$.{name}'"))

        yes = _sql("1")
    return (
        value.table,
        field("key"),
        field("correct") == yes,
        func.coalesce(field("scored"), yes) == yes,
    )


def count_in_sql(enrolments: AnySelect) -> tuple[ScoreCounts, QuestionCounts]:
    """Counts of the submitted attempts of ``enrolments`` (a filtered ``base_statement()``).

    One statement: the rows with no question key count attempts, the others answers.
    """
    score = func.coalesce(QuizAttempt.score, _sql("0"))
    elements, key, correct, scored = _result_fields(db.session.get_bind().dialect.name)
    statement = (
        enrolments.join(QuizAttempt, QuizAttempt.enrollment_id == Enrollment.id)
        .join(CourseItem, QuizAttempt.item_id == CourseItem.id)
        .join(elements, true())
        .with_only_columns(
            CourseItem.title, key, score, func.count(), func.sum(case((correct, 1), else_=0))
        )
        .where(QuizAttempt.submitted_at.is_not(None), or_(key.is_(None), scored))
        .group_by(CourseItem.title, key, score)
    )
    scores: ScoreCounts = {}
    questions: QuestionCounts = {}
    for quiz, k, s, n, c in db.session.execute(statement):
        if k is None:
            scores[(quiz, float(s))] = int(n)
        else:
            questions[(quiz, str(k), float(s))] = (int(n), int(c or 0))
    return scores, questions
