"""What the public verification page reads of a program certificate: one plain row."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select

from elearn.extensions import db
from elearn.models import Program, ProgramCertificate, ProgramVersion
from elearn.models.rows import Columns


@dataclass(frozen=True)
class VerifiedProgramCertificate:
    """The columns the page shows, checks and links by: the signed payload and its signature,
    the revocation and the holder's id; and the unit owning the program, which decides who
    may revoke it. Nothing else of the certificate, its holder or its program."""

    code: str
    user_id: int
    payload: dict[str, Any]
    signature: str
    revoked_at: datetime | None
    revoked_reason: str | None
    program_unit_id: int | None


_CERTIFICATE = ProgramCertificate.__table__
_VERSION = ProgramVersion.__table__
_PROGRAM = Program.__table__
_COLUMNS = Columns(
    ProgramCertificate,
    keys=tuple(f.name for f in fields(VerifiedProgramCertificate) if f.name != "program_unit_id"),
)
# Built once, as the course certificate's (certificates/verification.py): plain columns skip
# the ORM's set-up and identity map; the code is a bound parameter, never part of the SQL.
_BY_CODE: Select[Any] = (
    select(*_COLUMNS.columns, _PROGRAM.c.unit_id)
    .join_from(_CERTIFICATE, _VERSION, _CERTIFICATE.c.version_id == _VERSION.c.id)
    .join(_PROGRAM, _VERSION.c.program_id == _PROGRAM.c.id)
    .where(_CERTIFICATE.c.code == bindparam("code", type_=_CERTIFICATE.c.code.type))
)


def verified_program_certificate(code: str) -> VerifiedProgramCertificate | None:
    """The program certificate with this code as the verification page reads it, or None."""
    # On the session's connection: the page answers from the primary, as it did.
    row = db.session.connection().execute(_BY_CODE, {"code": code}).first()
    if row is None:
        return None
    return VerifiedProgramCertificate(**_COLUMNS.values(row), program_unit_id=row[-1])
