"""What the public verification page reads of a course certificate: one plain row."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select

from elearn.extensions import db
from elearn.models import Certificate, Course, CourseVersion
from elearn.models.rows import Columns


@dataclass(frozen=True)
class VerifiedCertificate:
    """The columns the page shows, checks and links by: the signed payload and its signature,
    the revocation and the holder's id; and the unit owning the course, which decides who may
    revoke it. Nothing else of the certificate, its holder or its course."""

    code: str
    user_id: int
    payload: dict[str, Any]
    signature: str
    revoked_at: datetime | None
    revoked_reason: str | None
    course_unit_id: int | None


_CERTIFICATE = Certificate.__table__
_VERSION = CourseVersion.__table__
_COURSE = Course.__table__
_COLUMNS = Columns(
    Certificate,
    keys=tuple(f.name for f in fields(VerifiedCertificate) if f.name != "course_unit_id"),
)
# Built once: the page only reads, so the tables' columns skip the ORM's set-up and the
# session's identity map; the code is a bound parameter, never part of the SQL.
_BY_CODE: Select[Any] = (
    select(*_COLUMNS.columns, _COURSE.c.unit_id)
    .join_from(_CERTIFICATE, _VERSION, _CERTIFICATE.c.version_id == _VERSION.c.id)
    .join(_COURSE, _VERSION.c.course_id == _COURSE.c.id)
    .where(_CERTIFICATE.c.code == bindparam("code", type_=_CERTIFICATE.c.code.type))
)


def verified_certificate(code: str) -> VerifiedCertificate | None:
    """The certificate with this code as the verification page reads it, or None."""
    # On the session's connection: certificates never read from the replica.
    row = db.session.connection().execute(_BY_CODE, {"code": code}).first()
    if row is None:
        return None
    return VerifiedCertificate(**_COLUMNS.values(row), course_unit_id=row[-1])
