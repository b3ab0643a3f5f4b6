"""Competency dictionary and standards, assessed levels, course competencies, atasan langsung.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('competency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency')),
    sa.UniqueConstraint('code', name=op.f('uq_competency_code'))
    )
    op.create_table('competency_level',
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_competency_level_level_in_range')),
    sa.ForeignKeyConstraint(['competency_id'], ['competency.id'], name=op.f('fk_competency_level_competency_id_competency'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('competency_id', 'level', name=op.f('pk_competency_level'))
    )
    op.create_table('competency_standard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('required_level', sa.Integer(), nullable=False),
    sa.CheckConstraint('required_level BETWEEN 1 AND 5', name=op.f('ck_competency_standard_level_in_range')),
    sa.ForeignKeyConstraint(['competency_id'], ['competency.id'], name=op.f('fk_competency_standard_competency_id_competency'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_standard')),
    sa.UniqueConstraint('position', 'competency_id', name=op.f('uq_competency_standard_position_competency_id'))
    )
    with op.batch_alter_table('competency_standard', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competency_standard_competency_id'), ['competency_id'], unique=False)

    op.create_table('competency_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_competency_assessment_level_in_range')),
    sa.ForeignKeyConstraint(['competency_id'], ['competency.id'], name=op.f('fk_competency_assessment_competency_id_competency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_competency_assessment_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_assessment')),
    sa.UniqueConstraint('user_id', 'competency_id', 'assessed_on', 'source', name='uq_competency_assessment_once_per_source')
    )
    with op.batch_alter_table('competency_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competency_assessment_competency_id'), ['competency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_competency_assessment_user_id'), ['user_id'], unique=False)

    op.create_table('course_competency',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('competency_code', sa.String(length=20), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_course_competency_level_in_range')),
    sa.ForeignKeyConstraint(['version_id'], ['course_version.id'], name=op.f('fk_course_competency_version_id_course_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'competency_code', name=op.f('pk_course_competency'))
    )
    with op.batch_alter_table('course_competency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_competency_competency_code'), ['competency_code'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supervisor_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_account_supervisor_id'), ['supervisor_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_user_account_supervisor_id_user_account'), 'user_account', ['supervisor_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_account_supervisor_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_account_supervisor_id'))
        batch_op.drop_column('supervisor_id')

    with op.batch_alter_table('course_competency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_competency_competency_code'))
    op.drop_table('course_competency')
    with op.batch_alter_table('competency_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competency_assessment_user_id'))
        batch_op.drop_index(batch_op.f('ix_competency_assessment_competency_id'))
    op.drop_table('competency_assessment')
    with op.batch_alter_table('competency_standard', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competency_standard_competency_id'))
    op.drop_table('competency_standard')
    op.drop_table('competency_level')
    op.drop_table('competency')
