"""Sign-in is rate-limited per account name and per IP address."""

from flask import Flask

from tests.conftest import csrf_token


def attempt(app: Flask, login: str, ip: str) -> int:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"login": login, "password": "salah", "csrf_token": token}
    )
    return response.status_code


def test_one_account_from_many_addresses_is_limited(limited_app: Flask):
    codes = [attempt(limited_app, "198609262015051001", f"10.0.0.{i}") for i in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_one_address_trying_many_accounts_is_limited(limited_app: Flask):
    codes = [attempt(limited_app, f"1986092620150510{i:02d}", "10.9.9.9") for i in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_hsts_only_when_configured_for_https(limited_app: Flask):
    limited_app.testing = False
    limited_app.config["SESSION_COOKIE_SECURE"] = True
    response = limited_app.test_client().get("/login")
    assert "max-age" in response.headers["Strict-Transport-Security"]
    limited_app.config["SESSION_COOKIE_SECURE"] = False
    assert "Strict-Transport-Security" not in limited_app.test_client().get("/login").headers


def test_limits_are_shared_through_redis_when_configured(tmp_path):
    """With REDIS_URL, every worker counts in the same store (here: Redis database 15)."""
    import uuid

    import pytest
    import redis

    from config import TestConfig
    from elearn import create_app
    from elearn.extensions import db

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
    app = create_app(config)
    with app.app_context():
        db.create_all()
    login = f"akun-{uuid.uuid4().hex}@contoh.go.id"  # a key no earlier run has used
    codes = [attempt(app, login, f"10.1.0.{i}") for i in range(11)]
    with app.app_context():
        db.engine.dispose()
    redis.Redis.from_url(url).flushdb()
    assert codes[:10] == [200] * 10 and codes[10] == 429
