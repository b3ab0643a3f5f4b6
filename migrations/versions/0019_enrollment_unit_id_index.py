"""An index on the enrolment's unit and id, for the API's unit-scoped pages.

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-05 06:30:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    # /api/v1/enrollments for an evaluator of one instansi reads each of its units' next
    # rows in id order from here, instead of walking every enrolment's id (docs/performance.md).
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.create_index("ix_enrollment_unit_id_id", ["unit_id", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.drop_index("ix_enrollment_unit_id_id")
