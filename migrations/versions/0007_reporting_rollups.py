"""Reporting rollups: counters kept with their events, filled from the existing rows.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 13:00:00

"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('enrollment_month_count',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('enrolled', sa.Integer(), nullable=False),
    sa.Column('enrolled_completed', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_enrollment_month_count_unit_id_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['course_version.id'], name=op.f('fk_enrollment_month_count_version_id_course_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', 'version_id', 'month', name=op.f('pk_enrollment_month_count'))
    )
    op.create_table('learner_jp_year',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('jp', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_learner_jp_year_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'year', name=op.f('pk_learner_jp_year'))
    )
    op.create_table('quiz_score_count',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('quiz', sa.String(length=200), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_quiz_score_count_unit_id_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['course_version.id'], name=op.f('fk_quiz_score_count_version_id_course_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', 'version_id', 'quiz', 'completed', 'score', name=op.f('pk_quiz_score_count'))
    )
    op.create_table('question_score_count',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('quiz', sa.String(length=200), nullable=False),
    sa.Column('question_key', sa.String(length=200), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('correct', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_question_score_count_unit_id_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['course_version.id'], name=op.f('fk_question_score_count_version_id_course_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', 'version_id', 'quiz', 'question_key', 'completed', 'score', name=op.f('pk_question_score_count'))
    )
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrollment_enrolled_at'), ['enrolled_at'], unique=False)
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_attempt_item_id'), ['item_id'], unique=False)
    _backfill()


def _backfill():
    """Count what is already there, exactly as elearn.reports.rollups would have."""
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        month = "CAST(date_trunc('month', {} AT TIME ZONE 'UTC') AS DATE)"
        year = "CAST(extract(year FROM completed_at AT TIME ZONE 'UTC') AS INTEGER)"
    else:
        month = "date({}, 'start of month')"
        year = "CAST(strftime('%Y', completed_at) AS INTEGER)"
    enrolled_month = month.format('e.enrolled_at')
    completed_month = month.format('e.completed_at')
    op.execute(
        "INSERT INTO enrollment_month_count "
        "(unit_id, version_id, month, enrolled, enrolled_completed, completed) "
        "SELECT unit_id, version_id, month, SUM(enrolled), SUM(enrolled_completed), SUM(completed) "
        "FROM ("
        f" SELECT u.unit_id, e.version_id, {enrolled_month} AS month, 1 AS enrolled,"
        "  CASE WHEN e.completed_at IS NULL THEN 0 ELSE 1 END AS enrolled_completed, 0 AS completed"
        "  FROM enrollment e JOIN user_account u ON u.id = e.user_id"
        " UNION ALL"
        f" SELECT u.unit_id, e.version_id, {completed_month}, 0, 0, 1"
        "  FROM enrollment e JOIN user_account u ON u.id = e.user_id"
        "  WHERE e.completed_at IS NOT NULL"
        ") AS counted GROUP BY unit_id, version_id, month"
    )
    op.execute(
        "INSERT INTO learner_jp_year (user_id, year, jp) "
        f"SELECT e.user_id, {year.replace('completed_at', 'e.completed_at')}, SUM(v.jp) "
        "FROM enrollment e JOIN course_version v ON v.id = e.version_id "
        "LEFT JOIN certificate c ON c.enrollment_id = e.id "
        "WHERE e.completed_at IS NOT NULL AND c.revoked_at IS NULL "
        f"GROUP BY e.user_id, {year.replace('completed_at', 'e.completed_at')}"
    )
    # Per-question results live in JSON; reading them here keeps one code path for both databases.
    attempts = defaultdict(int)
    questions = defaultdict(lambda: [0, 0])
    rows = bind.execute(sa.text(
        "SELECT u.unit_id, e.version_id, i.title, e.completed_at IS NOT NULL, a.score, a.results "
        "FROM quiz_attempt a "
        "JOIN enrollment e ON e.id = a.enrollment_id JOIN user_account u ON u.id = e.user_id "
        "JOIN course_item i ON i.id = a.item_id WHERE a.submitted_at IS NOT NULL"
    ).columns(sa.column('unit_id'), sa.column('version_id'), sa.column('title'),
              sa.column('done', sa.Boolean), sa.column('score'), sa.column('results', sa.JSON)))
    for unit_id, version_id, title, done, score, results in rows:
        key = (unit_id, version_id, title, bool(done), score or 0.0)
        attempts[key] += 1
        for result in results or []:
            if result.get('scored', True):
                counts = questions[(*key, result['key'])]
                counts[0] += 1
                counts[1] += bool(result['correct'])
    if attempts:
        op.bulk_insert(sa.table('quiz_score_count', sa.column('unit_id'), sa.column('version_id'),
                                sa.column('quiz'), sa.column('completed'), sa.column('score'),
                                sa.column('attempts')),
                       [dict(unit_id=u, version_id=v, quiz=q, completed=d, score=s, attempts=n)
                        for (u, v, q, d, s), n in attempts.items()])
    if questions:
        op.bulk_insert(sa.table('question_score_count', sa.column('unit_id'), sa.column('version_id'),
                                sa.column('quiz'), sa.column('completed'), sa.column('score'),
                                sa.column('question_key'), sa.column('answered'),
                                sa.column('correct')),
                       [dict(unit_id=u, version_id=v, quiz=q, completed=d, score=s,
                             question_key=k, answered=a, correct=c)
                        for (u, v, q, d, s, k), (a, c) in questions.items()])


def downgrade():
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_attempt_item_id'))
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrollment_enrolled_at'))
    op.drop_table('question_score_count')
    op.drop_table('quiz_score_count')
    op.drop_table('learner_jp_year')
    op.drop_table('enrollment_month_count')
