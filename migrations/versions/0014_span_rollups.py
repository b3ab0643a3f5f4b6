"""Span rollups for the dashboard's month filter: enrolments and quiz scores by enrolled and completed month.

score_span_count rows with question_key '' count attempts (question keys are hashes).

Revision ID: 0014
Revises: 0020
Create Date: 2026-12-05 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0020'
branch_labels = None
depends_on = None

SPAN_KEYS = ('enrolled_month', 'completed_month')


def _months():
    return [sa.Column(name, sa.Date(), nullable=False) for name in SPAN_KEYS]


def _fks(table, unit_column):
    return [
        sa.ForeignKeyConstraint([unit_column], ['unit.id'], name=op.f(f'fk_{table}_{unit_column}_unit'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['version_id'], ['course_version.id'], name=op.f(f'fk_{table}_version_id_course_version'), ondelete='CASCADE'),
    ]


def _indexes(table):
    for name in SPAN_KEYS:
        op.create_index(op.f(f'ix_{table}_{name}'), table, [name], unique=False)


def upgrade():
    op.create_table('enrollment_span_count',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    *_months(),
    sa.Column('enrollments', sa.Integer(), nullable=False),
    *_fks('enrollment_span_count', 'unit_id'),
    sa.PrimaryKeyConstraint('unit_id', 'version_id', *SPAN_KEYS, name=op.f('pk_enrollment_span_count'))
    )
    op.create_table('score_span_count',
    sa.Column('instansi_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('quiz', sa.String(length=200), nullable=False),
    sa.Column('question_key', sa.String(length=200), nullable=False),
    *_months(),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('correct', sa.Integer(), nullable=False),
    *_fks('score_span_count', 'instansi_id'),
    sa.PrimaryKeyConstraint('instansi_id', 'version_id', 'quiz', 'question_key', *SPAN_KEYS, 'score', name=op.f('pk_score_span_count'))
    )
    for table in ('enrollment_span_count', 'score_span_count'):
        _indexes(table)
    for statement in backfill(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    for table in ('score_span_count', 'enrollment_span_count'):
        for name in SPAN_KEYS:
            op.drop_index(op.f(f'ix_{table}_{name}'), table_name=table)
        op.drop_table(table)


# The SQL is this revision's own (a migration must not follow later application code);
# elearn/reports/span_rollups.py counts the score rollups the same way for one instansi.
ROOTS = """unit_root(unit_id, instansi_id) AS (
      SELECT id, id FROM unit WHERE parent_id IS NULL
      UNION ALL
      SELECT u.id, r.instansi_id FROM unit u JOIN unit_root r ON u.parent_id = r.unit_id)"""

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


def backfill(dialect, scores=True):
    """Count what is already there, as elearn.reports.rollups would have, set-based.

    Also used by benchmarks/seed_scale.py after a bulk load (``scores=False``: the seed
    sums the score spans from its paper templates). Attempts with identical results are
    grouped before their JSON is expanded, so each distinct paper is parsed once.
    """
    d = SQL[dialect]
    em = d['month'].format('e.enrolled_at')
    cm = f"COALESCE({d['month'].format('e.completed_at')}, {d['open']})"
    statements = [
        f"""INSERT INTO enrollment_span_count
              (unit_id, version_id, enrolled_month, completed_month, enrollments)
            SELECT u.unit_id, e.version_id, {em}, {cm}, count(*)
            FROM enrollment e JOIN user_account u ON u.id = e.user_id
            GROUP BY u.unit_id, e.version_id, {em}, {cm}"""
    ]
    if not scores:
        return statements
    attempts = """FROM quiz_attempt a
              JOIN enrollment e ON e.id = a.enrollment_id
              JOIN user_account u ON u.id = e.user_id
              JOIN unit_root r ON r.unit_id = u.unit_id
              JOIN course_item i ON i.id = a.item_id
              WHERE a.submitted_at IS NOT NULL"""
    return [
        *statements,
        # One scan of the attempts: grouped with their results first (each distinct
        # paper's JSON is expanded once), then summed into attempt rows (question key '')
        # and answer rows.
        f"""WITH RECURSIVE {ROOTS},
            papers AS (
              SELECT r.instansi_id, e.version_id, i.title AS quiz, {em} AS em, {cm} AS cm,
                     COALESCE(a.score, 0) AS score, {d['results']} AS results, count(*) AS n
              {attempts}
              GROUP BY r.instansi_id, e.version_id, i.title, {em}, {cm}, COALESCE(a.score, 0),
                       {d['results']})
            INSERT INTO score_span_count
              (instansi_id, version_id, quiz, question_key, enrolled_month, completed_month,
               score, answered, correct)
            SELECT p.instansi_id, p.version_id, p.quiz, '', p.em, p.cm, p.score, sum(p.n), 0
            FROM papers p
            GROUP BY p.instansi_id, p.version_id, p.quiz, p.em, p.cm, p.score
            UNION ALL
            SELECT p.instansi_id, p.version_id, p.quiz, {d['key']}, p.em, p.cm, p.score,
                   sum(p.n), sum(CASE WHEN {d['correct']} THEN p.n ELSE 0 END)
            FROM papers p {d['elements']}
            WHERE {d['scored']}
            GROUP BY p.instansi_id, p.version_id, p.quiz, {d['key']}, p.em, p.cm, p.score""",
    ]
