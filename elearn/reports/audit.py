"""The audit log of data pulls (exports and API), visible to admins."""

from __future__ import annotations

from typing import Any

from elearn import clock
from elearn.extensions import db
from elearn.models import AuditEntry, User


def audit(user: User | None, action: str, filters: dict[str, Any], row_count: int) -> AuditEntry:
    """Record one pull; committed by the caller (or by its own commit for streams)."""
    entry = AuditEntry(
        user_id=user.id if user else None,
        action=action,
        filters=filters,
        row_count=row_count,
        created_at=clock.now(),
    )
    db.session.add(entry)
    return entry
