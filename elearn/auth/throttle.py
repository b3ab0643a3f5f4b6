"""Sign-in throttling: slow a password guesser down without locking the owner out.

Only failed sign-ins count. Three rules, all kept in the rate-limit storage
(Redis when REDIS_URL is set, so every worker sees the same counts):

* per account and client address: a few free failures, then an exponential
  delay (15 s, 30 s, 1 min, ... up to 15 min) before the next try; a success
  from that address wipes the slate;
* per client address, across accounts (LOGIN_RATE_LIMIT): one address spraying
  many accounts;
* per account, across addresses (LOGIN_ACCOUNT_LIMIT, much looser): many
  addresses guessing one account.

An address that signed in to an account successfully before is exempt from
both caps for that account, so an attack from elsewhere (or from a colleague's
desk behind the same NAT) does not keep the owner out.

docs/security.md ("Sign-in throttling") explains the choice against OWASP ASVS V2.2.
"""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from flask import Flask, current_app
from limits import RateLimitItem, parse_many
from limits.storage import Storage
from limits.strategies import MovingWindowRateLimiter

from elearn.accounts.services import normalize_login

# How long failures of one account from one address are remembered: the delay
# series starts again at the first free failure a day after the first failure.
FAILURE_MEMORY_SECONDS = 24 * 60 * 60
# How long an address that signed in successfully stays exempt from the account-wide cap.
KNOWN_ADDRESS_SECONDS = 30 * 24 * 60 * 60
EXTENSION_KEY = "elearn.sign_in_throttle"


@dataclass(frozen=True)
class ThrottleSettings:
    """The throttling rules, read once from the app's config."""

    per_address: tuple[RateLimitItem, ...]
    per_account: tuple[RateLimitItem, ...]
    free_failures: int
    first_delay_seconds: int
    max_delay_seconds: int
    key_secret: bytes

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ThrottleSettings:
        return cls(
            per_address=tuple(parse_many(str(config["LOGIN_RATE_LIMIT"]))),
            per_account=tuple(parse_many(str(config["LOGIN_ACCOUNT_LIMIT"]))),
            free_failures=int(config["LOGIN_FREE_FAILURES"]),
            first_delay_seconds=int(config["LOGIN_DELAY_SECONDS"]),
            max_delay_seconds=int(config["LOGIN_DELAY_MAX_SECONDS"]),
            key_secret=str(config["SECRET_KEY"]).encode(),
        )


class SignInThrottle:
    """Decide whether a sign-in may be tried now, and record how it went."""

    def __init__(
        self, storage: Storage, settings: ThrottleSettings, now: Callable[[], float] = time.time
    ) -> None:
        self.storage = storage
        self.windows = MovingWindowRateLimiter(storage)  # Memory and Redis storages support it
        self.settings = settings
        self.now = now

    def _account(self, login: str) -> str:
        # A keyed hash: the store (Redis) holds no NIPs, and a NIP's small space
        # (birth dates, sequences) cannot be enumerated back without SECRET_KEY.
        digest = hmac.new(self.settings.key_secret, normalize_login(login).encode(), "sha256")
        return digest.hexdigest()[:32]

    def _keys(self, login: str, address: str) -> tuple[str, str, str, str]:
        account = self._account(login)
        pair = f"{account}/{address}"
        return account, f"signin-failures/{pair}", f"signin-delay/{pair}", f"signin-known/{pair}"

    def _until_reset(self, items: tuple[RateLimitItem, ...], *identifiers: str) -> float:
        waits = [
            self.windows.get_window_stats(item, *identifiers).reset_time - self.now()
            for item in items
            if not self.windows.test(item, *identifiers)
        ]
        return max(waits, default=0.0)

    def wait_seconds(self, login: str, address: str) -> int:
        """Seconds before this address may try this account again; 0 when it may now."""
        account, _, delay_key, known_key = self._keys(login, address)
        waits = [0.0]
        if self.storage.get(delay_key) > 0:
            waits.append(self.storage.get_expiry(delay_key) - self.now())
        if self.storage.get(known_key) == 0:
            # The owner's own address skips both caps: a guesser cannot get onto
            # that list without the password, and the pair's delay still applies.
            waits.append(self._until_reset(self.settings.per_address, "signin-address", address))
            waits.append(self._until_reset(self.settings.per_account, "signin-account", account))
        longest = max(waits)
        return max(1, math.ceil(longest)) if longest > 0 else 0

    def failed(self, login: str, address: str) -> int:
        """Count a failed sign-in; return the seconds this pair must now wait (0: none yet)."""
        account, failures_key, delay_key, _ = self._keys(login, address)
        for item in self.settings.per_address:
            self.windows.hit(item, "signin-address", address)
        for item in self.settings.per_account:
            self.windows.hit(item, "signin-account", account)
        failures = self.storage.incr(failures_key, FAILURE_MEMORY_SECONDS)
        beyond = failures - self.settings.free_failures
        if beyond <= 0:
            return 0
        delay = min(
            self.settings.first_delay_seconds * 2 ** min(beyond - 1, 30),
            self.settings.max_delay_seconds,
        )
        self.storage.clear(delay_key)
        self.storage.incr(delay_key, delay)
        return delay

    def succeeded(self, login: str, address: str) -> None:
        """Wipe this pair's failures and remember the address as the owner's."""
        _, failures_key, delay_key, known_key = self._keys(login, address)
        self.storage.clear(failures_key)
        self.storage.clear(delay_key)
        self.storage.clear(known_key)
        self.storage.incr(known_key, KNOWN_ADDRESS_SECONDS)


def init_throttle(app: Flask, storage: Storage | None) -> None:
    """Keep a throttle for ``app`` when rate limiting is on (``storage`` is the limiter's)."""
    if storage is not None:
        settings = ThrottleSettings.from_config(app.config)
        app.extensions[EXTENSION_KEY] = SignInThrottle(storage, settings)


def sign_in_throttle() -> SignInThrottle | None:
    """The current app's throttle, or None when rate limiting is switched off."""
    return cast(SignInThrottle | None, current_app.extensions.get(EXTENSION_KEY))
