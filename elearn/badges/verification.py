"""What the public verification page reads of a badge: one plain row."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Select, bindparam, select

from elearn.extensions import db
from elearn.models import JpBadge
from elearn.models.rows import Columns


@dataclass(frozen=True)
class VerifiedBadge:
    """The columns the page shows, checks and links by: the signed payload and its signature,
    the code and the holder's id. Nothing else of the badge or its holder."""

    code: str
    user_id: int
    payload: dict[str, Any]
    signature: str


_BADGE = JpBadge.__table__
_COLUMNS = Columns(JpBadge, keys=tuple(f.name for f in fields(VerifiedBadge)))
# Built once, as the course certificate's (certificates/verification.py): plain columns skip
# the ORM's set-up and identity map; the code is a bound parameter, never part of the SQL.
_BY_CODE: Select[Any] = select(*_COLUMNS.columns).where(
    _BADGE.c.code == bindparam("code", type_=_BADGE.c.code.type)
)


def verified_badge(code: str) -> VerifiedBadge | None:
    """The badge with this code as the verification page reads it, or None."""
    # On the session's connection: the page answers from the primary, as it did.
    row = db.session.connection().execute(_BY_CODE, {"code": code}).first()
    if row is None:
        return None
    return VerifiedBadge(**_COLUMNS.values(row))
