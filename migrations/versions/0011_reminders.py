"""Reminders and nudges: one row per (learner, assignment or enrolment, kind); nudge opt-out.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        # Existing learners keep getting nudges until they say otherwise.
        batch_op.add_column(sa.Column('nudges_opt_out', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table('reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('enrollment_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(assignment_id IS NOT NULL AND enrollment_id IS NULL) OR (assignment_id IS NULL AND enrollment_id IS NOT NULL)', name=op.f('ck_reminder_one_subject')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_reminder_assignment_id_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_reminder_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_reminder_enrollment_id_enrollment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_reminder_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder')),
    sa.UniqueConstraint('assignment_id', 'user_id', 'kind', name=op.f('uq_reminder_assignment_id_user_id_kind')),
    sa.UniqueConstraint('enrollment_id', 'user_id', 'kind', name=op.f('uq_reminder_enrollment_id_user_id_kind'))
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index('ix_reminder_user_id_created_at', ['user_id', 'created_at'], unique=False)
        batch_op.create_index('ix_reminder_unread', ['user_id'], unique=False, sqlite_where=sa.text('read_at IS NULL'), postgresql_where=sa.text('read_at IS NULL'))
        batch_op.create_index('ix_reminder_undelivered', ['id'], unique=False, sqlite_where=sa.text('delivered_at IS NULL'), postgresql_where=sa.text('delivered_at IS NULL'))


def downgrade():
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_undelivered')
        batch_op.drop_index('ix_reminder_unread')
        batch_op.drop_index('ix_reminder_user_id_created_at')

    op.drop_table('reminder')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('nudges_opt_out')
