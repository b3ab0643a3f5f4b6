"""What a public verification page reads of a course or program certificate: one plain row."""

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
    the revocation and the holder's id; and the unit owning the course or program, which
    decides who may revoke it. Nothing else of the certificate, its holder or its course."""

    code: str
    user_id: int
    payload: dict[str, Any]
    signature: str
    revoked_at: datetime | None
    revoked_reason: str | None
    owner_unit_id: int | None


_KEYS = tuple(f.name for f in fields(VerifiedCertificate) if f.name != "owner_unit_id")


class CertificateReader:
    """Reads one kind of certificate by its code, with the unit owning what it certifies.

    ``certificate``, ``version`` and ``owner`` are the mapped classes of the certificate,
    the version it was issued for and the course or program that version belongs to
    (through ``version.owner_key``). The statement is built once: the page only reads, so
    the tables' columns skip the ORM's set-up and the session's identity map; the code is
    a bound parameter, never part of the SQL.
    """

    def __init__(
        self, certificate: type[Any], version: type[Any], owner: type[Any], owner_key: str
    ) -> None:
        certificates, versions, owners = certificate.__table__, version.__table__, owner.__table__
        self.columns = Columns(certificate, keys=_KEYS)
        self.statement: Select[Any] = (
            select(*self.columns.columns, owners.c.unit_id)
            .join_from(certificates, versions, certificates.c.version_id == versions.c.id)
            .join(owners, versions.c[owner_key] == owners.c.id)
            .where(certificates.c.code == bindparam("code", type_=certificates.c.code.type))
        )

    def __call__(self, code: str) -> VerifiedCertificate | None:
        """The certificate with this code as the verification page reads it, or None."""
        # On the session's connection: certificates never read from the replica.
        row = db.session.connection().execute(self.statement, {"code": code}).first()
        if row is None:
            return None
        return VerifiedCertificate(**self.columns.values(row), owner_unit_id=row[-1])


verified_certificate = CertificateReader(Certificate, CourseVersion, Course, "course_id")
