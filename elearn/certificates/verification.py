"""What the public verification page reads of a course certificate: one plain row."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select

from elearn.extensions import db
from elearn.models import Certificate
from elearn.models.rows import Columns


@dataclass(frozen=True)
class VerifiedCertificate:
    """The columns the page shows, checks and links by: the signed payload and its signature,
    the revocation, the holder's and version's ids; nothing else of the certificate."""

    code: str
    user_id: int
    version_id: int
    payload: dict[str, Any]
    signature: str
    revoked_at: datetime | None
    revoked_reason: str | None


_COLUMNS = Columns(Certificate, keys=tuple(f.name for f in fields(VerifiedCertificate)))
# Built once: the page only reads, so the table's columns skip the ORM's set-up and the
# session's identity map; the code is a bound parameter, never part of the SQL.
_BY_CODE = select(*_COLUMNS.columns).where(
    Certificate.__table__.c.code == bindparam("code", type_=Certificate.__table__.c.code.type)
)


def verified_certificate(code: str) -> VerifiedCertificate | None:
    """The certificate with this code as the verification page reads it, or None."""
    # On the session's connection: certificates never read from the replica.
    row = db.session.connection().execute(_BY_CODE, {"code": code}).first()
    return None if row is None else VerifiedCertificate(**_COLUMNS.values(row))
