"""The span score rollup counted from the rows in SQL, for nodes whose tree changed.

``score_span_count`` is keyed by instansi and perangkat daerah (``models.rollup``).
When a unit moves, its subtree's learners' attempts may change nodes: the nodes that
gained or lost units are emptied and counted again from the attempts, in the transaction
of the move (a rare admin action; ``rollups`` keeps them exact event by event otherwise).

Attempts with identical results are grouped before their JSON is expanded: many
learners hand in the same paper, so far fewer arrays are parsed than there are attempts.
"""

# ruff: noqa: S608 - the SQL is built from this file's constants; ids are bound

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, text

from elearn.extensions import db

# Each unit with its instansi and perangkat daerah (as ``rollups.ROOTS``), then each unit
# with every node its learners count under (one row when the learner's unit is the instansi).
NODES = """unit_root(unit_id, instansi_id, office_id) AS (
      SELECT id, id, id FROM unit WHERE parent_id IS NULL
      UNION ALL
      SELECT u.id, r.instansi_id,
             CASE WHEN r.unit_id = r.instansi_id THEN u.id ELSE r.office_id END
      FROM unit u JOIN unit_root r ON u.parent_id = r.unit_id),
    unit_node(unit_id, node_id) AS (
      SELECT unit_id, instansi_id FROM unit_root
      UNION
      SELECT unit_id, office_id FROM unit_root)"""

SQL = {
    "postgresql": {
        "month": "date_trunc('month', {} AT TIME ZONE 'UTC')::date",
        "open": "DATE '9999-12-01'",
        "results": "a.results::text",
        "elements": "CROSS JOIN LATERAL json_array_elements(p.results::json) AS r(value)",
        "key": "r.value ->> 'key'",
        "correct": "(r.value ->> 'correct')::boolean",
        "scored": "COALESCE((r.value ->> 'scored')::boolean, true)",
    },
    "sqlite": {
        "month": "date({}, 'start of month')",
        "open": "'9999-12-01'",
        "results": "a.results",
        "elements": "CROSS JOIN json_each(p.results) AS r",
        "key": "json_extract(r.value, '$.key')",
        "correct": "json_extract(r.value, '$.correct') = 1",
        "scored": "COALESCE(json_extract(r.value, '$.scored'), 1) = 1",
    },
}


def span_score_statements(dialect: str, where: str = "") -> list[str]:
    """INSERT … SELECT statements counting the span score rollup from the attempts.

    ``where`` narrows the nodes counted (e.g. ``AND n.node_id IN (…)``).
    """
    d = SQL[dialect]
    em = d["month"].format("e.enrolled_at")
    cm = f"COALESCE({d['month'].format('e.completed_at')}, {d['open']})"
    attempts = f"""FROM quiz_attempt a
              JOIN enrollment e ON e.id = a.enrollment_id
              JOIN user_account u ON u.id = e.user_id
              JOIN unit_node n ON n.unit_id = u.unit_id
              JOIN course_item i ON i.id = a.item_id
              WHERE a.submitted_at IS NOT NULL {where}"""
    return [
        # One scan of the attempts: grouped with their results first (each distinct
        # paper's JSON is expanded once), then summed into attempt rows (question key '')
        # and answer rows.
        f"""WITH RECURSIVE {NODES},
            papers AS (
              SELECT n.node_id, e.version_id, i.title AS quiz, {em} AS em, {cm} AS cm,
                     COALESCE(a.score, 0) AS score, {d["results"]} AS results, count(*) AS n
              {attempts}
              GROUP BY n.node_id, e.version_id, i.title, {em}, {cm}, COALESCE(a.score, 0),
                       {d["results"]})
            INSERT INTO score_span_count
              (node_id, version_id, quiz, question_key, enrolled_month, completed_month,
               score, answered, correct)
            SELECT p.node_id, p.version_id, p.quiz, '', p.em, p.cm, p.score, sum(p.n), 0
            FROM papers p
            GROUP BY p.node_id, p.version_id, p.quiz, p.em, p.cm, p.score
            UNION ALL
            SELECT p.node_id, p.version_id, p.quiz, {d["key"]}, p.em, p.cm, p.score,
                   sum(p.n), sum(CASE WHEN {d["correct"]} THEN p.n ELSE 0 END)
            FROM papers p {d["elements"]}
            WHERE {d["scored"]}
            GROUP BY p.node_id, p.version_id, p.quiz, {d["key"]}, p.em, p.cm, p.score""",
    ]


def recount_nodes(node_ids: Iterable[int]) -> None:
    """Count the span score rollup of these instansi and perangkat daerah again."""
    ids = sorted(set(node_ids))
    if not ids:
        return
    dialect = db.session.get_bind().dialect.name
    db.session.flush()  # the moved unit's new parent must be visible to the statements
    param: Any = bindparam("ids", expanding=True)
    db.session.execute(
        text("DELETE FROM score_span_count WHERE node_id IN :ids").bindparams(param),
        {"ids": ids},
    )
    for statement in span_score_statements(dialect, "AND n.node_id IN :ids"):
        db.session.execute(text(statement).bindparams(param), {"ids": ids})
