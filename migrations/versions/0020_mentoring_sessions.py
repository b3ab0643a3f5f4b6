"""Coaching and mentoring sessions a mentee records and the named mentor confirms.

Revision ID: 0020
Revises: 0015
Create Date: 2026-12-05 07:00:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mentoring_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mentee_id', sa.Integer(), nullable=False),
        sa.Column('mentor_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('starts_at', sa.Time(), nullable=False),
        sa.Column('duration_minutes', sa.Integer(), nullable=False),
        sa.Column('topic', sa.String(length=300), nullable=False),
        sa.Column('competency', sa.String(length=20), nullable=False),
        sa.Column('outcome', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('jp', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=False),
        sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_mentoring_session_duration_positive')),
        sa.CheckConstraint('jp >= 0', name=op.f('ck_mentoring_session_jp_not_negative')),
        sa.CheckConstraint(
            'mentor_id IS NULL OR mentor_id <> mentee_id',
            name=op.f('ck_mentoring_session_not_own_mentor'),
        ),
        sa.ForeignKeyConstraint(
            ['mentee_id'], ['user_account.id'],
            name=op.f('fk_mentoring_session_mentee_id_user_account'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['mentor_id'], ['user_account.id'],
            name=op.f('fk_mentoring_session_mentor_id_user_account'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mentoring_session')),
    )
    with op.batch_alter_table('mentoring_session', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_mentoring_session_mentee_id'), ['mentee_id'], unique=False
        )
        batch_op.create_index(
            'ix_mentoring_session_mentor_id_status', ['mentor_id', 'status'], unique=False
        )
        batch_op.create_index(
            'uq_mentoring_session_live',
            ['mentee_id', 'mentor_id', 'held_on', 'starts_at'],
            unique=True,
            sqlite_where=sa.text("status <> 'rejected'"),
            postgresql_where=sa.text("status <> 'rejected'"),
        )


def downgrade():
    with op.batch_alter_table('mentoring_session', schema=None) as batch_op:
        batch_op.drop_index('uq_mentoring_session_live')
        batch_op.drop_index('ix_mentoring_session_mentor_id_status')
        batch_op.drop_index(batch_op.f('ix_mentoring_session_mentee_id'))
    op.drop_table('mentoring_session')
