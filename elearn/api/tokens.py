"""Personal access tokens: issued once, stored as a SHA-256, checked on every API call."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from elearn import clock
from elearn.extensions import db
from elearn.models import ApiToken, Role, User

TOKEN_PREFIX = "elat_"  # noqa: S105 - a public marker that tells tokens apart, not a secret
PREFIX_LENGTH = 12
NAME_MAX = 100
MAX_EXPIRY_DAYS = 3650
# Roles whose holders may own a token; learners see their own data in the UI only.
API_ROLES = frozenset({Role.EVALUATOR, Role.COORDINATOR, Role.ADMIN})
# last_used_at is informative, so one write a minute per token is plenty.
TOUCH_INTERVAL = timedelta(minutes=1)


class TokenError(ValueError):
    """A token cannot be created as asked; the message says why."""


class TokenRejected(Exception):
    """A presented token does not authenticate; ``status`` is 401 or 403."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class IssuedToken:
    """A new token row and its secret, which exists nowhere else once shown."""

    token: ApiToken
    secret: str


def hash_token(secret: str) -> str:
    """Return the SHA-256 hex digest stored for ``secret``."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def may_use_api(user: User) -> bool:
    """Whether ``user`` may own and use API tokens."""
    return user.is_active and any(user.has_role(role) for role in API_ROLES)


def create_token(user: User, name: str, expires_days: int | None = None) -> IssuedToken:
    """Create a token for ``user``; the caller commits and shows the secret once."""
    name = name.strip()
    if not name:
        raise TokenError("a token needs a name")
    if len(name) > NAME_MAX:
        raise TokenError(f"the name is longer than {NAME_MAX} characters")
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise TokenError(f"expiry must be between 1 and {MAX_EXPIRY_DAYS} days")
    if not may_use_api(user):
        raise TokenError("only active evaluators, coordinators and admins may hold API tokens")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(secret),
        prefix=secret[:PREFIX_LENGTH],
        created_at=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
    )
    db.session.add(token)
    db.session.flush()
    return IssuedToken(token, secret)


def tokens_of(user: User) -> list[ApiToken]:
    """Every token of ``user``, newest first (revoked ones included)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(token: ApiToken) -> bool:
    """Revoke ``token``; False when it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = clock.now()
    return True


def is_expired(token: ApiToken, now: datetime) -> bool:
    """Whether ``token`` has passed its expiry time."""
    return token.expires_at is not None and token.expires_at <= now


def token_status(token: ApiToken, now: datetime) -> str:
    """``active``, ``expired`` or ``revoked``."""
    if token.revoked_at is not None:
        return "revoked"
    if is_expired(token, now):
        return "expired"
    return "active"


def authenticate(secret: str) -> ApiToken:
    """Return the token for ``secret`` and mark it used (caller commits); else TokenRejected."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None:
        raise TokenRejected(401, "invalid token")
    now = clock.now()
    if token.revoked_at is not None:
        raise TokenRejected(401, "token revoked")
    if is_expired(token, now):
        raise TokenRejected(401, "token expired")
    if not token.user.is_active:
        raise TokenRejected(401, "token owner is deactivated")
    if not may_use_api(token.user):
        raise TokenRejected(403, "token owner holds no evaluator, coordinator or admin role")
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
        token.last_used_at = now
    return token
