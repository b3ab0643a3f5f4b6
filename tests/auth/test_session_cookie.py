"""The session cookie is re-signed when it changed or is a minute old, not on every page."""

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import AuthActions, csrf_token
from tests.factories import make_user


def _session_cookies(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]


def _sign_in(client: FlaskClient, auth: AuthActions) -> None:
    user = make_user(nip="199001012020121001")
    auth.login(user.nip)
    assert "/logout" in client.get("/me").get_data(True)


def test_a_page_view_right_after_sign_in_sends_no_new_cookie_and_stays_signed_in(
    app: Flask, client: FlaskClient, auth: AuthActions
):
    _sign_in(client, auth)
    response = client.get("/me")
    assert response.status_code == 200 and "/logout" in response.get_data(True)
    assert _session_cookies(response) == []


def test_a_cookie_a_minute_old_is_signed_again_with_the_same_session(
    app: Flask, client: FlaskClient, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
):
    _sign_in(client, auth)
    # Sign the very session this browser holds as if two minutes ago.
    interface = app.session_interface
    cookie = client.get_cookie("session")
    assert cookie is not None
    serializer = interface.get_signing_serializer(app)
    data = serializer.loads(cookie.value)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 120)
    old = serializer.dumps(data)
    monkeypatch.setattr(time, "time", real_time)
    client.set_cookie("session", old)

    response = client.get("/me")
    assert "/logout" in response.get_data(True)
    (fresh,) = _session_cookies(response)
    assert "Expires=" in fresh and "HttpOnly" in fresh
    assert serializer.loads(client.get_cookie("session").value) == data
    assert _session_cookies(client.get("/me")) == []  # and not again right away


def test_a_changed_session_is_signed_at_once(app: Flask, client: FlaskClient, auth: AuthActions):
    _sign_in(client, auth)
    token = csrf_token(client, "/me")
    response = client.post("/language/en", data={"csrf_token": token, "next": "/me"})
    assert response.status_code == 302
    assert len(_session_cookies(response)) == 1
    assert 'lang="en"' in client.get("/me").get_data(True)


def test_a_cookie_older_than_the_session_lifetime_is_still_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
):
    _sign_in(client, auth)
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(client.get_cookie("session").value)
    real_time = time.time
    lifetime = app.permanent_session_lifetime.total_seconds()
    monkeypatch.setattr(time, "time", lambda: real_time() - lifetime - 60)
    old = serializer.dumps(data)
    monkeypatch.setattr(time, "time", real_time)
    client.set_cookie("session", old)
    assert "/logout" not in client.get("/me", follow_redirects=True).get_data(True)


def test_a_cookie_seen_before_is_not_checked_again_and_still_ages(
    app: Flask, client: FlaskClient, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
):
    """The same cookie again is taken from the verified ones (its signature is not checked
    again), but a kept cookie past the session's lifetime is refused all the same, and a
    changed byte still finds nobody."""
    _sign_in(client, auth)
    client.get("/me")
    serializer = app.session_interface.get_signing_serializer(app)
    checked: list[str] = []
    loads = serializer.loads

    def counting_loads(value, *args, **kwargs):  # type: ignore[no-untyped-def]
        checked.append(value)
        return loads(value, *args, **kwargs)

    monkeypatch.setattr(serializer, "loads", counting_loads)
    assert "/logout" in client.get("/me").get_data(True)
    assert "/logout" in client.get("/me").get_data(True)
    assert checked == []

    cookie = client.get_cookie("session")
    assert cookie is not None
    forged = cookie.value[:-2] + ("AA" if cookie.value[-2:] != "AA" else "BB")
    client.set_cookie("session", forged)
    assert "/logout" not in client.get("/me", follow_redirects=True).get_data(True)
    assert checked[0] == forged  # (then the login page's fresh cookie, with its message)

    client.set_cookie("session", cookie.value)
    assert "/logout" in client.get("/me").get_data(True)
    real_time = time.time
    lifetime = app.permanent_session_lifetime.total_seconds()
    monkeypatch.setattr(time, "time", lambda: real_time() + lifetime + 60)
    assert "/logout" not in client.get("/me", follow_redirects=True).get_data(True)
