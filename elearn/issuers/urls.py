"""The public addresses of an issuer: its id (the Profile), its keys and its status lists.

The platform's issuer keeps the addresses credentials carried before issuers were per
instansi (/certificates/issuer, /certificates/keys/<kid>, /certificates/status/<n>), so a
verifier that pinned them keeps working; an instansi's live under /issuers/<slug>.
"""

from __future__ import annotations

from typing import Any

from elearn.certificates.credential import ISSUER_PATH, KEYS_PATH, OB_CONTEXT, VC_CONTEXT
from elearn.certificates.status_list import STATUS_PATH
from elearn.models import IssuerProfile


def issuer_root(base_url: str, issuer: IssuerProfile) -> str:
    return f"{base_url.rstrip('/')}/issuers/{issuer.slug}"


def issuer_id(base_url: str, issuer: IssuerProfile) -> str:
    """The issuer's id in every credential: a URL that answers its OB 3.0 Profile."""
    if issuer.is_platform:
        return f"{base_url.rstrip('/')}{ISSUER_PATH}"
    return issuer_root(base_url, issuer)


def homepage(base_url: str, issuer: IssuerProfile) -> str:
    """The Profile's ``url``: the site for the platform (as before), the issuer's page else."""
    return base_url.rstrip("/") if issuer.is_platform else issuer_root(base_url, issuer)


def keys_url(base_url: str, issuer: IssuerProfile) -> str:
    """The issuer's JWKS: every key of its history."""
    if issuer.is_platform:
        return f"{base_url.rstrip('/')}{KEYS_PATH.rstrip('/')}"
    return f"{issuer_root(base_url, issuer)}/keys"


def key_url(base_url: str, issuer: IssuerProfile, kid: str) -> str:
    """One key's JWK: the ``kid`` of the issuer's VC-JWTs."""
    return f"{keys_url(base_url, issuer)}/{kid}"


def status_list_base(base_url: str, issuer: IssuerProfile) -> str:
    """The issuer's status lists are <this>/<n> (and <this>/<n>.jsonld)."""
    if issuer.is_platform:
        return f"{base_url.rstrip('/')}{STATUS_PATH}"
    return f"{issuer_root(base_url, issuer)}/status"


def logo_url(base_url: str, issuer: IssuerProfile) -> str | None:
    if not issuer.logo_sha256:
        return None
    # The digest in the query: a new logo is a new URL, so the old one may be cached long.
    return f"{issuer_root(base_url, issuer)}/logo.png?v={issuer.logo_sha256[:16]}"


def profile_json(base_url: str, issuer: IssuerProfile) -> dict[str, Any]:
    """The OB 3.0 ``Profile`` the issuer id answers (name, address, logo, key set)."""
    base = base_url.rstrip("/")
    profile: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer_id(base, issuer),
        "type": ["Profile"],
        "name": issuer.name,
        "url": homepage(base, issuer),
    }
    if issuer.address or issuer.city:
        address: dict[str, Any] = {"type": ["Address"], "addressCountry": "Indonesia"}
        if issuer.address:
            address["streetAddress"] = issuer.address
        if issuer.city:
            address["addressLocality"] = issuer.city
        profile["address"] = address
    logo = logo_url(base, issuer)
    if logo:
        profile["image"] = {"id": logo, "type": "Image", "caption": issuer.name}
    return profile
