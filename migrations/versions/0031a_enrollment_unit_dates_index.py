"""The enrolment's dates after its unit and id in the API's unit index.

The API's unit-scoped pages read each unit's next enrolments in id order from this
index; with the dates in it, a month, status or ``updated_since`` filter skips the rows
that do not match without reading the table (docs/performance.md, branch ``api10m``).
It replaces ``ix_enrollment_unit_id_id`` (0019), whose queries use it as they used that.

Revision ID: 0031a
Revises: 0030s
Create Date: 2026-12-07 05:30:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0031a"
down_revision = "0030s"
branch_labels = None
depends_on = None

COLUMNS = ["unit_id", "id", "enrolled_at", "completed_at", "updated_at"]


def upgrade():
    # Key columns rather than PostgreSQL's INCLUDE: the same index on SQLite, and id is
    # unique, so the columns after it change no order.
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.create_index("ix_enrollment_unit_id_id_dates", COLUMNS, unique=False)
        batch_op.drop_index("ix_enrollment_unit_id_id")


def downgrade():
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.create_index("ix_enrollment_unit_id_id", ["unit_id", "id"], unique=False)
        batch_op.drop_index("ix_enrollment_unit_id_id_dates")
