"""Issuer profiles and their key history: which issuer a credential names, and rotation.

Every certificate's credentials are issued by the profile of its course's instansi (the unit
of kind instansi at the top of the course's unit), or by the platform's profile for courses
of no unit. Profiles and keys are made on first need, safely under parallel issuers: unique
constraints decide, and the loser reads the winner's row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from elearn.certificates.signing import b64url_decode, key_id, public_jwk
from elearn.extensions import db
from elearn.issuers.keystore import KeyStore
from elearn.models import PLATFORM_SLUG, IssuerKey, IssuerProfile, Unit
from elearn.settings import Settings

_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class SigningKey:
    """An issuer's current key, ready to sign: its history row and private key."""

    issuer: IssuerProfile
    kid: str
    private_key: Ed25519PrivateKey


def public_key_of(row: IssuerKey) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(b64url_decode(row.public_key))


def platform_issuer(settings: Settings, keys: KeyStore, now: datetime) -> IssuerProfile:
    """The platform's profile (named from CERTIFICATE_ISSUER_NAME), its first key the
    deployment key: the history entry of every certificate issued before this existed."""
    by_slug = _with_keys(IssuerProfile.slug == PLATFORM_SLUG)
    found = _one(by_slug)
    if found is None:
        found = _insert_profile(
            IssuerProfile(
                slug=PLATFORM_SLUG,
                unit_id=None,
                name=settings.certificates.issuer_name,
                updated_at=now,
            ),
            by_slug,
        )
    if not found.keys:
        _add_current_key(found, keys.deployment_key, now, keys)
    return found


def issuer_of_unit(
    unit: Unit | None, settings: Settings, keys: KeyStore, now: datetime
) -> IssuerProfile:
    """The profile of ``unit``'s instansi (made with its own key on first need), else the
    platform's."""
    if unit is None:
        return platform_issuer(settings, keys, now)
    instansi = unit.instansi
    by_unit = _with_keys(IssuerProfile.unit_id == instansi.id)
    found = _one(by_unit)
    if found is None:
        found = _insert_profile(
            IssuerProfile(
                slug=_free_slug(instansi),
                unit_id=instansi.id,
                name=instansi.name,
                address="",
                city="",
                updated_at=now,
            ),
            by_unit,
        )
    if current_key_row(found) is None:
        _add_current_key(found, keys.new_key(), now, keys)
    return found


def issuer_of_certificate(
    issuer_id: int | None, settings: Settings, keys: KeyStore, now: datetime
) -> IssuerProfile:
    """The profile a certificate's credentials name (NULL: the platform's)."""
    if issuer_id is not None:
        found = db.session.get(IssuerProfile, issuer_id)
        if found is not None:
            return found
    return platform_issuer(settings, keys, now)


def current_key_row(issuer: IssuerProfile) -> IssuerKey | None:
    return next((k for k in issuer.keys if k.retired_at is None), None)


def signing_key_of(issuer: IssuerProfile, keys: KeyStore) -> SigningKey:
    """The issuer's current key and its private half (MissingPrivateKey if not here)."""
    row = current_key_row(issuer)
    if row is None:
        raise LookupError(f"issuer {issuer.slug} has no current key")
    return SigningKey(issuer, row.kid, keys.private_key(row.kid))


def rotate_key(issuer: IssuerProfile, keys: KeyStore, now: datetime) -> tuple[str | None, str]:
    """Retire the issuer's current key and make a new one current; (old kid, new kid).

    The old public key stays in the history (published, still verifying what it signed);
    the caller commits.
    """
    old = current_key_row(issuer)
    if old is not None:
        old.retired_at = now
        db.session.flush()
    new = _add_current_key(issuer, keys.new_key(), now, keys)
    return (old.kid if old else None), new.kid


def key_history() -> dict[str, tuple[Ed25519PublicKey, IssuerProfile]]:
    """Every key any issuer has had, by kid: what verifying a credential may trust."""
    rows = db.session.scalars(
        select(IssuerKey).join(IssuerKey.issuer).options(contains_eager(IssuerKey.issuer))
    ).all()
    return {row.kid: (public_key_of(row), row.issuer) for row in rows}


def issuer_by_slug(slug: str) -> IssuerProfile | None:
    return _one(_with_keys(IssuerProfile.slug == slug))


def logo_by_slug(slug: str) -> tuple[bytes, str] | None:
    """The issuer's stored logo (PNG) and its SHA-256, if it has one (the only read of the
    deferred ``logo_png``)."""
    row = db.session.execute(
        select(IssuerProfile.logo_png, IssuerProfile.logo_sha256).where(IssuerProfile.slug == slug)
    ).one_or_none()
    if row is None or row.logo_png is None or row.logo_sha256 is None:
        return None
    return row.logo_png, row.logo_sha256


def public_jwk_of(row: IssuerKey) -> dict[str, str]:
    jwk = public_jwk(public_key_of(row))
    if row.retired_at is not None:
        # Not a JWK member: tells people (and our pages) the key signs nothing new.
        jwk["retired_at"] = row.retired_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return jwk


def _free_slug(unit: Unit) -> str:
    slug = _SLUG.sub("-", unit.code.lower()).strip("-")[:50] or f"instansi-{unit.id}"
    if slug == PLATFORM_SLUG or issuer_by_slug(slug) is not None:
        slug = f"{slug}-{unit.id}"
    return slug


def _with_keys(where: Any) -> Select[IssuerProfile]:
    """The profile ``where`` names with its key history, in one statement: issuing reads
    both on every certificate (whether a current key exists), pages read the keys."""
    return select(IssuerProfile).where(where).options(joinedload(IssuerProfile.keys))


def _one(query: Select[IssuerProfile]) -> IssuerProfile | None:
    return db.session.scalars(query).unique().one_or_none()


def _insert_profile(profile: IssuerProfile, again: Select[IssuerProfile]) -> IssuerProfile:
    try:
        with db.session.begin_nested():
            db.session.add(profile)
    except IntegrityError:
        found = _one(again)
        if found is None:
            raise
        return found
    return profile


def _add_current_key(
    issuer: IssuerProfile, private_key: Ed25519PrivateKey, now: datetime, keys: KeyStore
) -> IssuerKey:
    public = private_key.public_key()
    kid = key_id(public)
    row = IssuerKey(
        issuer_id=issuer.id, kid=kid, public_key=public_jwk(public)["x"], created_at=now
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # Another worker made this issuer's key at the same moment: use theirs.
        keys.discard(kid)
        db.session.refresh(issuer)
        winner = current_key_row(issuer)
        if winner is None:
            raise
        return winner
    db.session.expire(issuer, ["keys"])
    return row
