"""Sign-in with SSO ASN, BKN's OpenID Connect provider (docs/security.md, "Sign-in with SSO ASN").

Off unless SSO_ASN_ISSUER, SSO_ASN_CLIENT_ID and SSO_ASN_CLIENT_SECRET are all set.
Authlib does the protocol: authorization code flow with PKCE (S256), ``state`` and
``nonce`` kept in the signed session, and the ID token's signature, issuer, audience,
expiry and nonce checked against the provider's discovery document and JWKS, both
fetched from the provider and cached here (the JWKS again when an unknown key id shows
up, i.e. after a key rotation). This module then maps the verified claims to an
account; it never creates one.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from flask import Flask, current_app
from sqlalchemy import select

from elearn.accounts.nip import normalize_nip
from elearn.extensions import db
from elearn.models import User
from elearn.problem_text import Problem

EXTENSION_KEY = "elearn.sso_asn"
CLIENT_NAME = "sso_asn"


@dataclass(frozen=True)
class SsoSettings:
    """Where SSO ASN is and who we are to it; read once from the app's config."""

    issuer: str  # e.g. https://sso-siasn.bkn.go.id/auth/realms/public-siasn
    client_id: str
    client_secret: str = dataclasses.field(repr=False)
    nip_claim: str = "preferred_username"  # the ID token claim holding the NIP
    scope: str = "openid profile"
    timeout_seconds: float = 10.0
    metadata_max_age_seconds: int = 24 * 60 * 60

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SsoSettings | None:
        """The settings, or None when SSO ASN is not (fully) configured."""
        issuer = str(config.get("SSO_ASN_ISSUER") or "").strip().rstrip("/")
        client_id = str(config.get("SSO_ASN_CLIENT_ID") or "").strip()
        secret = str(config.get("SSO_ASN_CLIENT_SECRET") or "")
        if not (issuer and client_id and secret):
            return None
        return cls(
            issuer=issuer,
            client_id=client_id,
            client_secret=secret,
            nip_claim=str(config.get("SSO_ASN_NIP_CLAIM") or "preferred_username"),
            scope=str(config.get("SSO_ASN_SCOPE") or "openid profile"),
            timeout_seconds=float(config.get("SSO_ASN_TIMEOUT_SECONDS") or 10),
            metadata_max_age_seconds=int(config.get("SSO_ASN_METADATA_MAX_AGE_SECONDS") or 86400),
        )

    @property
    def metadata_url(self) -> str:
        """The provider's OpenID discovery document."""
        return f"{self.issuer}/.well-known/openid-configuration"


@dataclass(frozen=True)
class SsoAsn:
    """The configured provider: its settings and the Authlib client that talks to it."""

    settings: SsoSettings
    client: FlaskOAuth2App

    def fresh_metadata(self) -> dict[str, Any]:
        """The discovery document (and JWKS), fetched again once older than the max age.

        Raises SsoRefused when the document names another issuer than the one configured,
        so tokens are never checked against a provider we were not told to trust.
        """
        metadata = cast(dict[str, Any], self.client.server_metadata)
        loaded_at = float(metadata.get("_loaded_at", 0))
        if loaded_at and time.time() - loaded_at > self.settings.metadata_max_age_seconds:
            metadata.clear()  # the JWKS goes with it
        metadata = cast(dict[str, Any], self.client.load_server_metadata())
        if str(metadata.get("issuer", "")).rstrip("/") != self.settings.issuer:
            metadata.clear()
            raise SsoRefused(Problem("SSO ASN tidak dapat diverifikasi. Silakan coba lagi nanti."))
        return metadata


class SsoRefused(Exception):
    """A sign-in through SSO ASN that must not go on; the message is for the user.

    ``login`` is the NIP the provider vouched for ("" when none was trusted yet): the
    sign-in throttle counts the failure against it, as for a wrong password.
    """

    def __init__(self, problem: Problem, login: str = "", *, counts: bool = True) -> None:
        super().__init__(problem)
        self.problem = problem
        self.login = login
        self.counts = counts  # False: not the user's doing (provider down, sign-in cancelled)


def init_sso(app: Flask) -> None:
    """Register the SSO ASN client on ``app`` when it is configured; warn when half of it is."""
    settings = SsoSettings.from_config(app.config)
    if settings is None:
        keys = ("SSO_ASN_ISSUER", "SSO_ASN_CLIENT_ID", "SSO_ASN_CLIENT_SECRET")
        named = [key for key in keys if app.config.get(key)]
        if named:
            app.logger.warning(
                "SSO ASN is off: %s set but SSO_ASN_ISSUER, SSO_ASN_CLIENT_ID and "
                "SSO_ASN_CLIENT_SECRET are all needed",
                " and ".join(named),
            )
        return
    registry = OAuth(app)
    client = registry.register(
        CLIENT_NAME,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        server_metadata_url=settings.metadata_url,
        client_kwargs={
            "scope": settings.scope,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic",
            "default_timeout": settings.timeout_seconds,
        },
    )
    app.extensions[EXTENSION_KEY] = SsoAsn(settings, cast(FlaskOAuth2App, client))


def sso_asn() -> SsoAsn | None:
    """The current app's SSO ASN provider, or None when sign-in with it is off."""
    return cast(SsoAsn | None, current_app.extensions.get(EXTENSION_KEY))


def nip_from_claims(claims: Mapping[str, Any], nip_claim: str) -> str:
    """The NIP the verified ID token names in ``nip_claim``; SsoRefused when there is none."""
    value = claims.get(nip_claim)
    nip = normalize_nip(value) if isinstance(value, str) else ""
    if not nip.isdigit():
        raise SsoRefused(
            Problem(
                "SSO ASN tidak mengirimkan NIP Anda, jadi akun eLearn ASN Anda tidak dapat "
                "dikenali. Silakan masuk dengan NIP dan kata sandi."
            )
        )
    return nip


def account_for_nip(nip: str) -> User:
    """The active account with this NIP; SsoRefused when there is none (nothing is created).

    Anonymised accounts lost their NIP, so they are never found; deactivated ones are refused.
    """
    user = db.session.scalar(select(User).where(User.nip == nip))
    if user is None:
        raise SsoRefused(
            Problem(
                "NIP %(nip)s belum terdaftar di eLearn ASN. Hubungi admin kepegawaian unit "
                "Anda agar akun Anda dibuat.",
                nip=nip,
            ),
            nip,
        )
    if not user.is_active:
        raise SsoRefused(
            Problem(
                "Akun eLearn ASN untuk NIP %(nip)s tidak aktif. Hubungi admin kepegawaian "
                "unit Anda.",
                nip=nip,
            ),
            nip,
        )
    return user
