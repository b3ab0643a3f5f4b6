"""Revoking a certificate and taking a revocation back: one rule for course and program
certificates.

Revocation needs a reason and is never done by the holder; unrevocation is an admin's
decision, with a reason. Both are audited, and both flip the certificate's bit in its
issuer's status list in the same transaction, so outside verifiers see exactly what the
verification page says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from elearn import clock
from elearn.auth.duties import refuse_own_record
from elearn.certificates import status_list
from elearn.models import Certificate, ProgramCertificate, Role, User
from elearn.reports.audit import audit

Revocable = Certificate | ProgramCertificate


def _nothing(_: Any) -> None:
    return None


@dataclass(frozen=True)
class Kind:
    """What differs between kinds of certificate: audit names, status bit, side effects."""

    action: str  # audit action prefix, e.g. "certificates"
    status_column: str  # status_list.CERTIFICATE or status_list.PROGRAM_CERTIFICATE
    revoked: Callable[[Any], None] = _nothing  # after revoking, e.g. the JP rollups
    unrevoked: Callable[[Any], None] = _nothing


class UnrevokeRefused(PermissionError):
    """Only an admin may take a revocation back."""


def revoke(certificate: Revocable, by: User, reason: str, kind: Kind) -> bool:
    """Revoke with a reason; False when it was already revoked.

    Raises OwnRecordRefused when ``by`` holds the certificate: another admin or
    coordinator must decide on it.
    """
    details = {"certificate": certificate.number, "learner_id": certificate.user_id}
    refuse_own_record(by, certificate.user_id, f"{kind.action}.revoke", details)
    reason = reason.strip()
    if not reason:
        raise ValueError("a reason is required")
    if certificate.revoked_at is not None:
        return False
    certificate.revoked_at = clock.now()
    certificate.revoked_reason = reason[:1000]
    certificate.revoked_by_id = by.id
    # Same transaction: the public status list says revoked exactly when this commits.
    status_list.set_bit(kind.status_column, certificate.id, True, certificate.revoked_at)
    kind.revoked(certificate)
    audit(by, f"{kind.action}.revoke", details, 1)
    return True


def unrevoke(certificate: Revocable, by: User, reason: str, kind: Kind) -> bool:
    """Take a revocation back (an admin's decision, with a reason); False if not revoked.

    The audit entry keeps who, when (its timestamp), why, and the revocation undone. Raises
    UnrevokeRefused for anyone but an admin and OwnRecordRefused for the holder.
    """
    details: dict[str, Any] = {
        "certificate": certificate.number,
        "learner_id": certificate.user_id,
    }
    if not by.has_role(Role.ADMIN):
        audit(by, f"{kind.action}.unrevoke.refused", details, 0)
        raise UnrevokeRefused("only an admin may unrevoke a certificate")
    refuse_own_record(by, certificate.user_id, f"{kind.action}.unrevoke", details)
    reason = reason.strip()
    if not reason:
        raise ValueError("a reason is required")
    if certificate.revoked_at is None:
        return False
    details |= {
        "reason": reason[:1000],
        "revoked_at": certificate.revoked_at.isoformat(),
        "revoked_by_id": certificate.revoked_by_id,
        "revoked_reason": certificate.revoked_reason,
    }
    certificate.revoked_at = None
    certificate.revoked_reason = None
    certificate.revoked_by_id = None
    status_list.set_bit(kind.status_column, certificate.id, False, clock.now())
    kind.unrevoked(certificate)
    audit(by, f"{kind.action}.unrevoke", details, 1)
    return True
