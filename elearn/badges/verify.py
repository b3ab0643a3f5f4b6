"""What a badge says, rebuilt from its signed payload, and whether the payload is intact."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from sqlalchemy import select

from elearn.accounts.nip import mask_nip
from elearn.certificates.document import BadgeDocument
from elearn.certificates.keys import stored_signature_valid
from elearn.extensions import db
from elearn.models import JpBadge


def badge_by_code(code: str) -> JpBadge | None:
    return db.session.scalar(select(JpBadge).where(JpBadge.code == code))


def verify_url(code: str, base_url: str) -> str:
    """The absolute URL of the badge's public verification page."""
    return f"{base_url}/badges/{code}"


def document_of(badge: JpBadge, base_url: str) -> BadgeDocument:
    p = badge.payload
    return BadgeDocument(
        code=p["code"],
        learner_name=p["learner_name"],
        nip=p["nip"],
        year=p["year"],
        jp=p["jp"],
        target=p["target"],
        issuer_name=p["issuer_name"],
        issued_on=date.fromisoformat(p["issued_on"]),
        verify_url=verify_url(p["code"], base_url),
    )


class SignedBadge(Protocol):
    """What verifying reads of a badge: a ``JpBadge`` or the verification page's row."""

    @property
    def payload(self) -> dict[str, Any]: ...

    @property
    def signature(self) -> str: ...


def signature_valid(badge: SignedBadge) -> bool:
    """Check the stored payload against its Ed25519 signature (a changed row fails)."""
    return stored_signature_valid(badge.payload, badge.signature)


def public_view(badge: SignedBadge) -> dict[str, Any]:
    """Only what the public page shows: the name, a masked NIP, the year and its JP."""
    p = badge.payload
    return {
        "learner_name": p["learner_name"],
        "nip_masked": mask_nip(p["nip"]),
        "year": p["year"],
        "jp": p["jp"],
        "target": p["target"],
        "issued_on": date.fromisoformat(p["issued_on"]),
        "issuer_name": p["issuer_name"],
    }
