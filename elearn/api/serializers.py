"""Rows as the JSON objects the API returns (the OpenAPI document describes each)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from elearn.models import Certificate, User
from elearn.reports.filters import COMPETENCIES
from elearn.reports.rows import EnrollmentRow


def iso_utc(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the microsecond so ``updated_since`` can be exact."""
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def iso_utc_or_none(value: datetime | None) -> str | None:
    return iso_utc(value) if value is not None else None


def enrollment_json(row: EnrollmentRow) -> dict[str, Any]:
    """One enrolment."""
    return {
        "id": row.enrollment_id,
        "nip": row.nip,
        "name": row.name,
        "instansi": row.instansi,
        "unit": row.unit,
        "course": row.course,
        "course_title": row.course_title,
        "version": row.version,
        "category": row.category,
        "competency": row.competency,
        "jp": row.jp,
        "status": row.status,
        "enrolled_at": iso_utc(row.enrolled_at),
        "completed_at": iso_utc_or_none(row.completed_at),
        "certificate_number": row.certificate_number or None,
        "updated_at": iso_utc(row.updated_at),
    }


def certificate_updated_at(certificate: Certificate) -> datetime:
    """The later of issue and revocation: what ``updated_since`` compares."""
    if certificate.revoked_at is not None and certificate.revoked_at > certificate.issued_at:
        return certificate.revoked_at
    return certificate.issued_at


def certificate_json(
    certificate: Certificate, *, instansi: str, unit: str, verification_url: str
) -> dict[str, Any]:
    """One certificate as issued (from its signed payload), without payload or signature."""
    p = certificate.payload
    return {
        "id": certificate.id,
        "enrollment_id": certificate.enrollment_id,
        "number": certificate.number,
        "code": certificate.code,
        "verification_url": verification_url,
        "nip": p["nip"],
        "name": p["learner_name"],
        "instansi": instansi,
        "unit": unit,
        "course": p["course_slug"],
        "course_title": p["course_title"],
        "jp": p["jp"],
        "competency": p["competency"],
        "issued_at": iso_utc(certificate.issued_at),
        "completed_on": p["completed_on"],
        "revoked_at": iso_utc_or_none(certificate.revoked_at),
        "revoked_reason": certificate.revoked_reason if certificate.revoked_at else None,
        "updated_at": iso_utc(certificate_updated_at(certificate)),
    }


def jp_total_json(
    user: User, *, instansi: str, unit: str, year: int, split: dict[str, int]
) -> dict[str, Any]:
    """One learner's JP for ``year``, split by competency."""
    by_competency = {competency: split.get(competency, 0) for competency in COMPETENCIES}
    return {
        "id": user.id,
        "nip": user.nip,
        "name": user.full_name,
        "employee_type": str(user.employee_type),
        "instansi": instansi,
        "unit": unit,
        "year": year,
        "jp_total": sum(split.values()),
        "jp_by_competency": by_competency,
    }
