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
