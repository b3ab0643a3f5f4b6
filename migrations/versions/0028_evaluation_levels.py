"""Evaluation levels 2 and 3: quiz roles (pre-test, post-test) and the follow-up survey.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 09:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    # Quizzes published before roles existed have none: nothing to fill in.
    with op.batch_alter_table("course_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quiz_role", sa.String(length=10), nullable=True))
    with op.batch_alter_table("course_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up_days", sa.Integer(), nullable=True))

    op.create_table(
        "follow_up_survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("respondent", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "rating IS NULL OR rating BETWEEN 1 AND 5",
            name=op.f("ck_follow_up_survey_rating_range"),
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
            name=op.f("fk_follow_up_survey_enrollment_id_enrollment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["user_account.id"],
            name=op.f("fk_follow_up_survey_recipient_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_survey")),
        sa.UniqueConstraint(
            "enrollment_id",
            "recipient_id",
            name=op.f("uq_follow_up_survey_enrollment_id_recipient_id"),
        ),
        sa.UniqueConstraint(
            "enrollment_id", "respondent", name=op.f("uq_follow_up_survey_enrollment_id_respondent")
        ),
    )
    with op.batch_alter_table("follow_up_survey", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_survey_recipient_id"), ["recipient_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("follow_up_survey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_survey_recipient_id"))

    op.drop_table("follow_up_survey")
    with op.batch_alter_table("course_item", schema=None) as batch_op:
        batch_op.drop_column("quiz_role")
    with op.batch_alter_table("course_version", schema=None) as batch_op:
        batch_op.drop_column("follow_up_days")
