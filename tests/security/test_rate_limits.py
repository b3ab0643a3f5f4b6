"""Sign-in throttling: failures slow a guesser down; the owner and the office still get in."""

from __future__ import annotations

import types
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from config import TestConfig
from elearn import create_app
from elearn.auth.throttle import EXTENSION_KEY
from elearn.extensions import db
from tests.conftest import csrf_token, sqlite_app
from tests.factories import DEFAULT_PASSWORD, make_user

NIP = "199001012015011020"
PROXY = "10.0.0.1"


def attempt(
    app: Flask,
    login: str,
    ip: str,
    password: str = "salah",  # noqa: S107 - a wrong password on purpose
    forwarded_for: str | None = None,
) -> TestResponse:
    """One sign-in through the form from a fresh browser at ``ip``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    if forwarded_for:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    token = csrf_token(client, "/login")
    return client.post("/login", data={"login": login, "password": password, "csrf_token": token})


def codes(responses: list[TestResponse]) -> list[int]:
    return [response.status_code for response in responses]


@pytest.fixture
def office_app(tmp_path: Path) -> Iterator[Flask]:
    """A rate-limited app behind the office's reverse proxy at 10.0.0.1."""
    yield from sqlite_app(
        tmp_path / "proxy.sqlite",
        RATELIMIT_ENABLED=True,
        TRUSTED_PROXIES=f"{PROXY}, 192.168.0.0/16",
    )


class FakeTime:
    """Stands in for the ``time`` module of the in-memory limit storage and the throttle."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def fake_time(limited_app: Flask, monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    """Let a test move the limiter's clock forward."""
    fake = FakeTime()
    monkeypatch.setattr("limits.storage.memory.time", types.SimpleNamespace(time=fake.time))
    monkeypatch.setattr(limited_app.extensions[EXTENSION_KEY], "now", fake.time)
    return fake


def test_spacing_variants_of_a_nip_share_one_count(limited_app: Flask):
    make_user(nip=NIP)
    variants = [NIP, "19900101 201501 1 020", "19900101-201501-1-020", " 19900101.201501.1.020 "]
    failures = [attempt(limited_app, login, "10.0.0.7") for login in variants]
    assert codes(failures) == [200, 200, 200, 200]
    assert "Silakan coba lagi dalam 15 detik" in failures[3].get_data(as_text=True)
    blocked = attempt(limited_app, "19900101 2015011020", "10.0.0.7", DEFAULT_PASSWORD)
    assert blocked.status_code == 429


def test_twenty_successful_sign_ins_from_one_address_are_never_refused(limited_app: Flask):
    users = [make_user() for _ in range(20)]
    results = [attempt(limited_app, user.nip, "10.0.0.8", DEFAULT_PASSWORD) for user in users]
    assert codes(results) == [302] * 20


def test_a_flood_from_one_address_does_not_keep_the_owner_out(limited_app: Flask):
    make_user(nip=NIP)
    flood = [attempt(limited_app, NIP, "10.6.6.6") for _ in range(30)]
    assert codes(flood).count(429) >= 20  # the attacker is slowed down at once
    assert attempt(limited_app, NIP, "10.0.0.9", DEFAULT_PASSWORD).status_code == 302


def test_account_cap_stops_a_spread_attack_but_not_the_owners_address(limited_app: Flask):
    make_user(nip=NIP)
    assert attempt(limited_app, NIP, "10.0.0.9", DEFAULT_PASSWORD).status_code == 302
    spread = [attempt(limited_app, NIP, f"10.5.{i // 200}.{i % 200}") for i in range(50)]
    assert codes(spread) == [200] * 50
    new_address = attempt(limited_app, NIP, "10.4.4.4", DEFAULT_PASSWORD)
    assert new_address.status_code == 429 and int(new_address.headers["Retry-After"]) > 0
    assert attempt(limited_app, NIP, "10.0.0.9", DEFAULT_PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_limited(limited_app: Flask):
    results = [attempt(limited_app, f"1986092620150510{i:02d}", "10.9.9.9") for i in range(11)]
    assert codes(results)[:10] == [200] * 10 and codes(results)[10] == 429


def test_spraying_from_a_shared_address_does_not_stop_its_known_owners(limited_app: Flask):
    colleague = make_user()
    office = "10.0.0.50"  # one NAT address, no proxy configured
    assert attempt(limited_app, colleague.nip, office, DEFAULT_PASSWORD).status_code == 302
    spray = [attempt(limited_app, f"1986092620150510{i:02d}", office) for i in range(11)]
    assert codes(spray)[10] == 429
    assert attempt(limited_app, colleague.nip, office, DEFAULT_PASSWORD).status_code == 302


def test_forwarded_for_from_an_untrusted_peer_cannot_spoof_past_the_limit(office_app: Flask):
    results = [
        attempt(office_app, f"1986092620150510{i:02d}", "10.9.9.9", forwarded_for=f"10.3.3.{i}")
        for i in range(11)
    ]
    assert codes(results)[:10] == [200] * 10 and codes(results)[10] == 429


def test_office_users_behind_the_trusted_proxy_are_counted_apart(office_app: Flask):
    colleague = make_user()
    # The client may prepend anything; the proxy appends the address it saw.
    spoofed = "198.51.100.1, 203.0.113.10"
    guesses = [
        attempt(office_app, f"1986092620150510{i:02d}", PROXY, forwarded_for=spoofed)
        for i in range(11)
    ]
    assert codes(guesses)[10] == 429
    signed_in = attempt(
        office_app, colleague.nip, PROXY, DEFAULT_PASSWORD, forwarded_for="203.0.113.11"
    )
    assert signed_in.status_code == 302
    # A second trusted hop (192.168.x) in the chain is skipped, not mistaken for the client.
    again = attempt(
        office_app, "198609262015051099", PROXY, forwarded_for="203.0.113.10, 192.168.1.5"
    )
    assert again.status_code == 429


def test_delay_grows_and_resets_after_a_success(limited_app: Flask, fake_time: FakeTime):
    make_user(nip=NIP)
    ip = "10.0.0.7"
    assert codes([attempt(limited_app, NIP, ip) for _ in range(3)]) == [200, 200, 200]
    waits = []
    for _ in range(3):
        assert attempt(limited_app, NIP, ip).status_code == 200  # wrong, and now a delay
        blocked = attempt(limited_app, NIP, ip, DEFAULT_PASSWORD)
        assert blocked.status_code == 429
        assert "Silakan coba lagi dalam" in blocked.get_data(as_text=True)
        waits.append(int(blocked.headers["Retry-After"]))
        fake_time.now += waits[-1]
    assert waits == [15, 30, 60]

    assert attempt(limited_app, NIP, ip, DEFAULT_PASSWORD).status_code == 302
    fresh = [attempt(limited_app, NIP, ip) for _ in range(4)]
    assert codes(fresh) == [200] * 4
    assert attempt(limited_app, NIP, ip).headers["Retry-After"] == "15"


def test_hsts_only_when_configured_for_https(limited_app: Flask):
    limited_app.testing = False
    limited_app.config["SESSION_COOKIE_SECURE"] = True
    response = limited_app.test_client().get("/login")
    assert "max-age" in response.headers["Strict-Transport-Security"]
    limited_app.config["SESSION_COOKIE_SECURE"] = False
    assert "Strict-Transport-Security" not in limited_app.test_client().get("/login").headers


def test_limits_are_shared_through_redis_when_configured(tmp_path: Path):
    """With REDIS_URL, every worker counts in the same store (here: Redis database 15)."""
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    config = type(
        "RedisLimited",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.sqlite'}",
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": url,
        },
    )
    workers = [create_app(config), create_app(config)]  # two gunicorn workers, one Redis
    with workers[0].app_context():
        db.create_all()
    login = f"akun-{uuid.uuid4().hex}@contoh.go.id"  # a key no earlier run has used
    ip = f"10.{uuid.uuid4().int % 250}.0.1"
    results = [attempt(workers[i % 2], login, ip) for i in range(5)]
    for worker in workers:
        with worker.app_context():
            db.engine.dispose()
    redis.Redis.from_url(url).flushdb()
    assert codes(results) == [200, 200, 200, 200, 429]
