"""Program certificates as credentials: their issuer, revocation details, and a status bit each.

Revision ID: 0029p
Revises: 0028
Create Date: 2026-12-06 02:40:00

"""

import secrets
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0029p"
down_revision = "0029i"
branch_labels = None
depends_on = None

LIST_BITS = 131072
ONE_OF_TWO = "(certificate_id IS NULL) <> (badge_id IS NULL)"
ONE_OF_THREE = (
    "(CASE WHEN certificate_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN badge_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN program_certificate_id IS NULL THEN 0 ELSE 1 END) = 1"
)


def upgrade():
    with op.batch_alter_table("program_certificate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issuer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("revoked_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("revoked_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_program_certificate_issuer_id"), ["issuer_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_program_certificate_issuer_id_issuer_profile"),
            "issuer_profile",
            ["issuer_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_program_certificate_revoked_by_id_user_account"),
            "user_account",
            ["revoked_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("status_list_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("program_certificate_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_status_list_entry_program_certificate_id"), ["program_certificate_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_status_list_entry_program_certificate_id_program_certificate"),
            "program_certificate",
            ["program_certificate_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.drop_constraint(op.f("ck_status_list_entry_one_credential"), type_="check")
        batch_op.create_check_constraint(op.f("ck_status_list_entry_one_credential"), ONE_OF_THREE)
    _backfill()


def _backfill():
    """Give every program certificate issued before this revision a random free bit of the
    newest list (revoked if it was): the lists then say at once which are revoked."""
    bind = op.get_bind()
    owners = list(
        bind.execute(sa.text("SELECT id, revoked_at FROM program_certificate ORDER BY id"))
    )
    if not owners:
        return
    list_no = bind.execute(sa.text("SELECT MAX(list_no) FROM status_list_entry")).scalar() or 1
    taken = set(
        bind.execute(
            sa.text("SELECT status_index FROM status_list_entry WHERE list_no = :n"), {"n": list_no}
        ).scalars()
    )
    free = [index for index in range(LIST_BITS) if index not in taken]
    if len(free) < len(owners):  # a full list: open the next one
        list_no, free = list_no + 1, list(range(LIST_BITS))
    indexes = secrets.SystemRandom().sample(free, len(owners))
    now = datetime.now(timezone.utc)
    entry = sa.table(
        "status_list_entry",
        sa.column("list_no", sa.Integer),
        sa.column("status_index", sa.Integer),
        sa.column("program_certificate_id", sa.Integer),
        sa.column("revoked", sa.Boolean),
        sa.column("changed_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        entry,
        [
            {
                "list_no": list_no,
                "status_index": index,
                "program_certificate_id": row.id,
                "revoked": row.revoked_at is not None,
                "changed_at": now,
            }
            for row, index in zip(owners, indexes)
        ],
    )


def downgrade():
    op.execute("DELETE FROM status_list_entry WHERE program_certificate_id IS NOT NULL")
    with op.batch_alter_table("status_list_entry", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_status_list_entry_one_credential"), type_="check")
        batch_op.create_check_constraint(op.f("ck_status_list_entry_one_credential"), ONE_OF_TWO)
        batch_op.drop_constraint(
            batch_op.f("fk_status_list_entry_program_certificate_id_program_certificate"),
            type_="foreignkey",
        )
        batch_op.drop_constraint(
            batch_op.f("uq_status_list_entry_program_certificate_id"), type_="unique"
        )
        batch_op.drop_column("program_certificate_id")
    with op.batch_alter_table("program_certificate", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_program_certificate_revoked_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_program_certificate_issuer_id_issuer_profile"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_program_certificate_issuer_id"))
        batch_op.drop_column("revoked_by_id")
        batch_op.drop_column("revoked_reason")
        batch_op.drop_column("issuer_id")
