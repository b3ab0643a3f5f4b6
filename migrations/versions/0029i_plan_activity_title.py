"""Plan activity: keep the planned course's title, so a deleted course leaves it readable.

Revision ID: 0029i
Revises: 0028
Create Date: 2026-12-06 02:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0029i"
down_revision = "0028"
branch_labels = None
depends_on = None

OLD_CHECK = "kind <> 'course' OR course_id IS NOT NULL"
NEW_CHECK = "kind <> 'course' OR course_id IS NOT NULL OR course_title <> ''"


def upgrade():
    with op.batch_alter_table("plan_activity", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("course_title", sa.String(length=300), server_default="", nullable=False)
        )
    # The course's published title where it has one, else the activity's own name (which
    # was the course's title when planned unless the learner renamed it).
    op.execute(
        "UPDATE plan_activity SET course_title = COALESCE("
        "(SELECT course_version.title FROM course_version"
        " WHERE course_version.course_id = plan_activity.course_id"
        " AND course_version.status = 'published'), title)"
        " WHERE kind = 'course'"
    )
    # A course deleted later sets course_id to NULL: the stored title now satisfies the check.
    with op.batch_alter_table("plan_activity", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_plan_activity_course_named"), type_="check")
        batch_op.create_check_constraint(op.f("ck_plan_activity_course_named"), NEW_CHECK)


def downgrade():
    # Activities whose course is gone cannot satisfy the old check: they lose the course kind.
    op.execute(
        "UPDATE plan_activity SET kind = 'external' WHERE kind = 'course' AND course_id IS NULL"
    )
    with op.batch_alter_table("plan_activity", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_plan_activity_course_named"), type_="check")
        batch_op.create_check_constraint(op.f("ck_plan_activity_course_named"), OLD_CHECK)
        batch_op.drop_column("course_title")
