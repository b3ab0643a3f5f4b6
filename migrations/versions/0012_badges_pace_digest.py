"""Pembelajar ASN badges; reminders of a period (monthly JP-pace lines, weekly digests).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

OLD_CHECK = (
    '(assignment_id IS NOT NULL AND enrollment_id IS NULL)'
    ' OR (assignment_id IS NULL AND enrollment_id IS NOT NULL)'
)
NEW_CHECK = (
    '(course_id IS NOT NULL AND period IS NULL AND ('
    '(assignment_id IS NOT NULL AND enrollment_id IS NULL)'
    ' OR (assignment_id IS NULL AND enrollment_id IS NOT NULL)))'
    ' OR (course_id IS NULL AND assignment_id IS NULL AND enrollment_id IS NULL'
    ' AND period IS NOT NULL)'
)


def upgrade():
    op.create_table('jp_badge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=43), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('jp', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('signature', sa.String(length=200), nullable=False),
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_jp_badge_user_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jp_badge')),
    sa.UniqueConstraint('code', name=op.f('uq_jp_badge_code')),
    sa.UniqueConstraint('user_id', 'year', name=op.f('uq_jp_badge_user_id_year'))
    )

    # Existing rows all have a course and no period: the new check holds for them.
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))
        batch_op.alter_column('course_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(op.f('ck_reminder_one_subject'), type_='check')
        batch_op.create_check_constraint(op.f('ck_reminder_one_subject_or_period'), NEW_CHECK)
        batch_op.create_unique_constraint(op.f('uq_reminder_user_id_kind_period'), ['user_id', 'kind', 'period'])


def downgrade():
    # Reminders of a period have no course: they cannot exist under the old schema.
    op.execute("DELETE FROM reminder WHERE period IS NOT NULL")
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_reminder_user_id_kind_period'), type_='unique')
        batch_op.drop_constraint(op.f('ck_reminder_one_subject_or_period'), type_='check')
        batch_op.create_check_constraint(op.f('ck_reminder_one_subject'), OLD_CHECK)
        batch_op.alter_column('course_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('details')
        batch_op.drop_column('period')

    op.drop_table('jp_badge')
