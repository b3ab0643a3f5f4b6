"""Password hashing with argon2id, at the cheapest in CPU of OWASP's equivalent settings.

argon2-cffi's default (RFC 9106's low-memory profile: 64 MiB, t=3, p=4) costs
150-350 ms of CPU per sign-in here; ten people signing in at once on two cores
then wait seconds. OWASP's password storage cheat sheet lists five argon2id
settings of equal strength; m=7 MiB, t=5, p=1 costs the least CPU of them here
(about 20 % less than m=19 MiB, t=2, used before) and a third of the memory per
sign-in (docs/security.md, figures in docs/performance.md). Hashes made with other
parameters are upgraded at the next successful sign-in (``needs_rehash``).
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import has_app_context

from elearn.settings import current_settings

ARGON2_MEMORY_KIB = 7 * 1024
ARGON2_TIME_COST = 5
ARGON2_PARALLELISM = 1


@cache
def _hasher(profile: str) -> PasswordHasher:
    if profile == "fast-tests":
        # Tests create hundreds of accounts; the real profile costs ~50 ms each.
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher(
        time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM
    )


def _current() -> PasswordHasher:
    # Outside an app (a script hashing a password) the production parameters apply.
    profile = current_settings().password_hash_profile if has_app_context() else ""
    return _hasher(profile)


@cache
def _dummy_hash(profile: PasswordHasher) -> str:
    return profile.hash("dummy-password-for-timing")


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``."""
    return _current().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password``; a missing hash still costs one verification.

    Verifying against a dummy hash keeps a failed sign-in for an unknown
    account as slow as one for a known account, so timing reveals no NIPs.
    """
    hasher = _current()
    try:
        return hasher.verify(password_hash or _dummy_hash(hasher), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether the hash was made with other parameters than today's."""
    return _current().check_needs_rehash(password_hash)
