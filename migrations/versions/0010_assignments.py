"""Assignments: courses made mandatory for units, a jabatan or NIPs, and their learners.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 04:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('timezone', sa.String(length=40), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('due_on >= starts_on', name=op.f('ck_assignment_due_after_start')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_assignment_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_assignment_created_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment')),
    sa.UniqueConstraint('id', 'course_id', name=op.f('uq_assignment_id_course_id'))
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_course_id'), ['course_id'], unique=False)

    op.create_table('assignee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('exempt_reason', sa.String(length=200), nullable=True),
    sa.Column('exempted_by_id', sa.Integer(), nullable=True),
    sa.Column('exempted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(state = 'assigned' AND exempt_reason IS NULL) OR (state = 'exempt' AND exempt_reason IS NOT NULL)", name=op.f('ck_assignee_exempt_has_reason')),
    sa.ForeignKeyConstraint(['assignment_id', 'course_id'], ['assignment.id', 'assignment.course_id'], name=op.f('fk_assignee_assignment_id_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['exempted_by_id'], ['user_account.id'], name=op.f('fk_assignee_exempted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_assignee_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignee')),
    sa.UniqueConstraint('assignment_id', 'user_id', name=op.f('uq_assignee_assignment_id_user_id'))
    )
    with op.batch_alter_table('assignee', schema=None) as batch_op:
        batch_op.create_index('ix_assignee_user_id_course_id', ['user_id', 'course_id'], unique=False)

    op.create_table('assignment_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('include_subunits', sa.Boolean(), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(kind = 'unit' AND unit_id IS NOT NULL AND position IS NULL AND user_id IS NULL) OR (kind = 'position' AND unit_id IS NOT NULL AND position IS NOT NULL AND user_id IS NULL) OR (kind = 'learner' AND user_id IS NOT NULL AND unit_id IS NULL AND position IS NULL)", name=op.f('ck_assignment_target_kind_columns')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_assignment_target_assignment_id_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_assignment_target_unit_id_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_assignment_target_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_target'))
    )
    with op.batch_alter_table('assignment_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_target_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_target_unit_id'), ['unit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('assignment_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_target_unit_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_target_assignment_id'))

    op.drop_table('assignment_target')
    with op.batch_alter_table('assignee', schema=None) as batch_op:
        batch_op.drop_index('ix_assignee_user_id_course_id')

    op.drop_table('assignee')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_course_id'))

    op.drop_table('assignment')
