"""Certificate numbers from a per-year counter row instead of max(sequence) + 1.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_counter',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_sequence', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_certificate_counter'))
    )
    # Carry on from the numbers already issued.
    op.execute(
        "INSERT INTO certificate_counter (year, last_sequence) "
        "SELECT year, MAX(sequence) FROM certificate GROUP BY year"
    )


def downgrade():
    op.drop_table('certificate_counter')
