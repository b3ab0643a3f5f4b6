"""An admin edits an issuer profile: name, address, city and logo, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from elearn.issuers.logo import checked_logo
from elearn.models import IssuerProfile, User
from elearn.reports.audit import audit


@dataclass(frozen=True)
class ProfileEdit:
    name: str
    address: str
    city: str
    logo: bytes | None  # an upload to check and store; None keeps the logo
    remove_logo: bool = False


def update_profile(issuer: IssuerProfile, edit: ProfileEdit, by: User, now: datetime) -> list[str]:
    """Apply ``edit`` (LogoRefused for a bad logo, before anything changes); return the names
    of the fields that changed. The audit entry names them; the caller commits.

    Certificates already issued keep the name and city they were signed with.
    """
    logo = checked_logo(edit.logo) if edit.logo is not None else None
    changed = []
    for field in ("name", "address", "city"):
        value = getattr(edit, field).strip()
        if getattr(issuer, field) != value:
            setattr(issuer, field, value)
            changed.append(field)
    if logo is not None and logo[1] != issuer.logo_sha256:
        issuer.logo_png, issuer.logo_sha256 = logo
        changed.append("logo")
    elif edit.remove_logo and logo is None and issuer.logo_sha256 is not None:
        issuer.logo_png = issuer.logo_sha256 = None
        changed.append("logo")
    if changed:
        issuer.updated_at = now
        audit(by, "issuers.update", {"issuer": issuer.slug, "changed": changed}, 1)
    return changed
