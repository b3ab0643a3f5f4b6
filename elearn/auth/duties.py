"""Separation of duties: nobody verifies, revokes or grants anything on their own record."""

from __future__ import annotations

from typing import Any

from elearn.models import User
from elearn.reports.audit import audit


class OwnRecordRefused(PermissionError):
    """``actor`` tried to decide on their own record; another person must do it.

    The message is English, for the CLI and logs; pages show their own Indonesian text.
    """

    def __init__(self, action: str) -> None:
        super().__init__(f"{action}: you cannot do this on your own record; another person must")
        self.action = action


def refuse_own_record(actor: User, owner_id: int, action: str, details: dict[str, Any]) -> None:
    """Raise OwnRecordRefused when ``actor`` owns the record; the refusal is audited.

    The audit entry is added to the session; the caller commits it after catching the error
    (no other change has been made at that point).
    """
    if actor.id != owner_id:
        return
    audit(actor, f"{action}.refused_own", details, 0)
    raise OwnRecordRefused(action)
