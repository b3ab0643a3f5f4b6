"""score_span_count keyed by unit-tree node: each instansi and each perangkat daerah.

The instansi rows stay as they are (instansi_id becomes node_id); the perangkat daerah
rows are counted from the attempts. The month indexes lead with the node, so a sum over
instansi does not read the perangkat daerah rows of the same months.

Revision ID: 0030s
Revises: 0029p
Create Date: 2026-12-06 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030s'
down_revision = '0029p'
branch_labels = None
depends_on = None

TABLE = 'score_span_count'
SPAN_KEYS = ('enrolled_month', 'completed_month')


def _rename(old, new):
    # Two batches: on SQLite, a foreign key created on the column renamed in the same
    # batch is left out of the rebuilt table.
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_constraint(f'fk_{TABLE}_{old}_unit', type_='foreignkey')
        batch_op.alter_column(old, new_column_name=new, existing_type=sa.Integer(),
                              existing_nullable=False)
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_foreign_key(f'fk_{TABLE}_{new}_unit', 'unit', [new], ['id'],
                                    ondelete='CASCADE')


def upgrade():
    for name in SPAN_KEYS:
        op.drop_index(f'ix_{TABLE}_{name}', table_name=TABLE)
    _rename('instansi_id', 'node_id')
    for statement in backfill(op.get_bind().dialect.name):
        op.execute(statement)
    # Built after the backfill: one sort instead of an index insert per row.
    for name in SPAN_KEYS:
        op.create_index(f'ix_{TABLE}_node_id_{name}', TABLE, ['node_id', name], unique=False)


def downgrade():
    for name in SPAN_KEYS:
        op.drop_index(f'ix_{TABLE}_node_id_{name}', table_name=TABLE)
    # The instansi rows are what 0014 kept; the perangkat daerah rows go.
    op.execute(f"DELETE FROM {TABLE} WHERE node_id IN (SELECT id FROM unit WHERE parent_id IS NOT NULL)")
    _rename('node_id', 'instansi_id')
    for name in SPAN_KEYS:
        op.create_index(f'ix_{TABLE}_{name}', TABLE, [name], unique=False)


# The SQL is this revision's own (a migration must not follow later application code);
# elearn/reports/span_rollups.py counts any node the same way.
# Each unit with its instansi and its perangkat daerah (the unit directly under the
# instansi; the instansi itself for the instansi).
ROOTS = """unit_root(unit_id, instansi_id, office_id) AS (
      SELECT id, id, id FROM unit WHERE parent_id IS NULL
      UNION ALL
      SELECT u.id, r.instansi_id,
             CASE WHEN r.unit_id = r.instansi_id THEN u.id ELSE r.office_id END
      FROM unit u JOIN unit_root r ON u.parent_id = r.unit_id)"""

SQL = {
    'postgresql': {
        'month': "date_trunc('month', {} AT TIME ZONE 'UTC')::date",
        'open': "DATE '9999-12-01'",
        'results': 'a.results::text',
        'elements': 'CROSS JOIN LATERAL json_array_elements(p.results::json) AS r(value)',
        'key': "r.value ->> 'key'",
        'correct': "(r.value ->> 'correct')::boolean",
        'scored': "COALESCE((r.value ->> 'scored')::boolean, true)",
    },
    'sqlite': {
        'month': "date({}, 'start of month')",
        'open': "'9999-12-01'",
        'results': 'a.results',
        'elements': 'CROSS JOIN json_each(p.results) AS r',
        'key': "json_extract(r.value, '$.key')",
        'correct': "json_extract(r.value, '$.correct') = 1",
        'scored': "COALESCE(json_extract(r.value, '$.scored'), 1) = 1",
    },
}


def backfill(dialect):
    """The perangkat daerah rows, counted as elearn.reports.rollups would have, set-based.

    One scan of the attempts of learners below an instansi, grouped with their results
    first so each distinct paper's JSON is expanded once (as 0014).
    """
    d = SQL[dialect]
    em = d['month'].format('e.enrolled_at')
    cm = f"COALESCE({d['month'].format('e.completed_at')}, {d['open']})"
    return [
        f"""WITH RECURSIVE {ROOTS},
            papers AS (
              SELECT r.office_id AS node_id, e.version_id, i.title AS quiz, {em} AS em,
                     {cm} AS cm, COALESCE(a.score, 0) AS score, {d['results']} AS results,
                     count(*) AS n
              FROM quiz_attempt a
              JOIN enrollment e ON e.id = a.enrollment_id
              JOIN user_account u ON u.id = e.user_id
              JOIN unit_root r ON r.unit_id = u.unit_id
              JOIN course_item i ON i.id = a.item_id
              WHERE a.submitted_at IS NOT NULL AND r.office_id <> r.instansi_id
              GROUP BY r.office_id, e.version_id, i.title, {em}, {cm}, COALESCE(a.score, 0),
                       {d['results']})
            INSERT INTO score_span_count
              (node_id, version_id, quiz, question_key, enrolled_month, completed_month,
               score, answered, correct)
            SELECT p.node_id, p.version_id, p.quiz, '', p.em, p.cm, p.score, sum(p.n), 0
            FROM papers p
            GROUP BY p.node_id, p.version_id, p.quiz, p.em, p.cm, p.score
            UNION ALL
            SELECT p.node_id, p.version_id, p.quiz, {d['key']}, p.em, p.cm, p.score,
                   sum(p.n), sum(CASE WHEN {d['correct']} THEN p.n ELSE 0 END)
            FROM papers p {d['elements']}
            WHERE {d['scored']}
            GROUP BY p.node_id, p.version_id, p.quiz, {d['key']}, p.em, p.cm, p.score""",
    ]
