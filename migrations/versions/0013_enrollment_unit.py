"""The learner's unit on each enrolment, and date indexes that cover unit and version.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 18:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # The old date indexes go first so the backfill does not maintain them row by row.
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_index('ix_enrollment_enrolled_at')
        batch_op.drop_index('ix_enrollment_completed_at')
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        # One hash join instead of a look-up per enrolment.
        op.execute(
            'UPDATE enrollment SET unit_id = user_account.unit_id FROM user_account '
            'WHERE user_account.id = enrollment.user_id'
        )
    else:
        op.execute(
            'UPDATE enrollment SET unit_id = '
            '(SELECT unit_id FROM user_account WHERE user_account.id = enrollment.user_id)'
        )
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.alter_column('unit_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_enrollment_unit_id_unit'), 'unit', ['unit_id'], ['id'], ondelete='RESTRICT'
        )
        batch_op.create_index(
            'ix_enrollment_enrolled_at_unit', ['enrolled_at', 'unit_id', 'version_id', 'completed_at'], unique=False
        )
        batch_op.create_index(
            'ix_enrollment_completed_at_unit', ['completed_at', 'unit_id', 'version_id', 'enrolled_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_index('ix_enrollment_completed_at_unit')
        batch_op.drop_index('ix_enrollment_enrolled_at_unit')
        batch_op.create_index('ix_enrollment_completed_at', ['completed_at'], unique=False)
        batch_op.create_index('ix_enrollment_enrolled_at', ['enrolled_at'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_enrollment_unit_id_unit'), type_='foreignkey')
        batch_op.drop_column('unit_id')
