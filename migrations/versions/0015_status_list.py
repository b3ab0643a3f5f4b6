"""Bitstring Status List entries: one random bit per certificate and badge, backfilled.

Revision ID: 0015
Revises: 0018
Create Date: 2026-12-05 07:00:00

"""

import secrets
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0018"
branch_labels = None
depends_on = None

LIST_BITS = 131072
# Fill a list only half-way, as issuance does, so random draws rarely collide later.
PER_LIST = LIST_BITS // 2
CHUNK = 1000


def upgrade():
    entry = op.create_table(
        "status_list_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_no", sa.Integer(), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=True),
        sa.Column("badge_id", sa.Integer(), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(certificate_id IS NULL) <> (badge_id IS NULL)",
            name=op.f("ck_status_list_entry_one_credential"),
        ),
        sa.ForeignKeyConstraint(
            ["badge_id"],
            ["jp_badge.id"],
            name=op.f("fk_status_list_entry_badge_id_jp_badge"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificate.id"],
            name=op.f("fk_status_list_entry_certificate_id_certificate"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_list_entry")),
        sa.UniqueConstraint("badge_id", name=op.f("uq_status_list_entry_badge_id")),
        sa.UniqueConstraint("certificate_id", name=op.f("uq_status_list_entry_certificate_id")),
        sa.UniqueConstraint(
            "list_no", "status_index", name=op.f("uq_status_list_entry_list_no_status_index")
        ),
    )
    bind = op.get_bind()
    owners = [
        ("certificate_id", row.id, row.revoked_at is not None)
        for row in bind.execute(sa.text("SELECT id, revoked_at FROM certificate ORDER BY id"))
    ]
    owners += [
        ("badge_id", row.id, False)
        for row in bind.execute(sa.text("SELECT id FROM jp_badge ORDER BY id"))
    ]
    now = datetime.now(timezone.utc)
    draw = secrets.SystemRandom()
    rows = []
    for start in range(0, len(owners), PER_LIST):
        batch = owners[start : start + PER_LIST]
        # Distinct random indexes within each list: no order of issue can be read from them.
        indexes = draw.sample(range(LIST_BITS), len(batch))
        list_no = start // PER_LIST + 1
        for (column, owner_id, revoked), index in zip(batch, indexes):
            rows.append(
                {
                    "list_no": list_no,
                    "status_index": index,
                    "certificate_id": owner_id if column == "certificate_id" else None,
                    "badge_id": owner_id if column == "badge_id" else None,
                    "revoked": revoked,
                    "changed_at": now,
                }
            )
    for start in range(0, len(rows), CHUNK):
        op.bulk_insert(entry, rows[start : start + CHUNK])


def downgrade():
    op.drop_table("status_list_entry")
