"""People rollups for the dashboard: survey sums per unit, active accounts, JP totals and bands.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_evaluation_count',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.Column('relevance', sa.Integer(), nullable=False),
    sa.Column('clarity', sa.Integer(), nullable=False),
    sa.Column('applicability', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_evaluation_count_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_course_evaluation_count_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', 'course_id', name=op.f('pk_course_evaluation_count'))
    )
    op.create_table('learner_jp_total',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('jp', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_learner_jp_total_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'year', name=op.f('pk_learner_jp_total'))
    )
    op.create_table('unit_user_count',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('users', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_user_count_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_unit_user_count'))
    )
    op.create_table('jp_band_count',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('band', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('users', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_jp_band_count_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', 'year', 'band', name=op.f('pk_jp_band_count'))
    )
    for statement in backfill(op.get_bind().dialect.name):
        op.execute(statement)


def backfill(dialect):
    """Count what is already there, exactly as elearn.reports.learner_rollups would have.

    Also used by benchmarks/seed_scale.py after a bulk load. learner_jp_year (0007)
    must be filled first: the JP totals start from it.
    """
    if dialect == 'postgresql':
        external_year = "CAST(extract(year FROM finished_on) AS INTEGER)"
    else:
        external_year = "CAST(strftime('%Y', finished_on) AS INTEGER)"
    return [
        "INSERT INTO course_evaluation_count "
        "(unit_id, course_id, responses, relevance, clarity, applicability) "
        "SELECT u.unit_id, e.course_id, COUNT(*), SUM(s.relevance), SUM(s.clarity), "
        "SUM(s.applicability) "
        "FROM course_evaluation s JOIN enrollment e ON e.id = s.enrollment_id "
        "JOIN user_account u ON u.id = e.user_id "
        "GROUP BY u.unit_id, e.course_id",
        "INSERT INTO learner_jp_total (user_id, year, jp) "
        "SELECT user_id, year, SUM(jp) FROM ("
        " SELECT user_id, year, jp FROM learner_jp_year"
        " UNION ALL"
        f" SELECT user_id, {external_year} AS year, jp FROM external_training"
        "  WHERE status = 'verified'"
        ") AS earned GROUP BY user_id, year",
        "INSERT INTO unit_user_count (unit_id, users) "
        "SELECT unit_id, COUNT(*) FROM user_account WHERE is_active = TRUE GROUP BY unit_id",
        "INSERT INTO jp_band_count (unit_id, year, band, users) "
        "SELECT u.unit_id, t.year, "
        " CASE WHEN t.jp < 10 THEN 1 WHEN t.jp < 20 THEN 2 ELSE 3 END AS band, COUNT(*) "
        "FROM learner_jp_total t JOIN user_account u ON u.id = t.user_id "
        "WHERE u.is_active = TRUE AND t.jp > 0 "
        "GROUP BY u.unit_id, t.year, CASE WHEN t.jp < 10 THEN 1 WHEN t.jp < 20 THEN 2 ELSE 3 END",
    ]


def downgrade():
    op.drop_table('jp_band_count')
    op.drop_table('unit_user_count')
    op.drop_table('learner_jp_total')
    op.drop_table('course_evaluation_count')
