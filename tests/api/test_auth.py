"""Who may call the API: a bearer token only, with JSON errors for everything refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from elearn.extensions import db
from elearn.models import ApiToken, Role
from elearn.settings import with_changes
from tests.api.conftest import Agencies, api_get, issue_token
from tests.conftest import AuthActions, FrozenClock
from tests.factories import make_unit, make_user

RESOURCES = ["enrollments", "completions", "certificates", "jp-totals"]


def _error(response: TestResponse) -> str:
    """The message of an API error, checking its shape.

    The API's own errors are RFC 9457 problem documents; a crash (500) or an outage (503)
    is answered by the application's handler in the older plain JSON shape.
    """
    body = response.get_json()
    assert body["error"]["status"] == response.status_code
    if response.status_code in (500, 503):
        assert response.mimetype == "application/json"
    else:
        assert response.mimetype == "application/problem+json"
        assert body["type"] == "about:blank" and body["status"] == response.status_code
        assert body["detail"] == body["error"]["message"]
    return str(body["error"]["message"])


@pytest.mark.parametrize("resource", RESOURCES)
def test_no_token_is_a_401_with_a_bearer_challenge(
    app: Flask, client: FlaskClient, resource: str
) -> None:
    response = api_get(client, resource)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    assert _error(response) == "missing bearer token"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer elat_bukan-token-yang-benar", "invalid token"),
        ("Basic dXNlcjpwYXNz", "the Authorization header must be 'Bearer <token>'"),
        ("Bearer", "the Authorization header must be 'Bearer <token>'"),
    ],
)
def test_bad_headers_are_401(
    app: Flask, client: FlaskClient, agencies: Agencies, header: str, message: str
) -> None:
    response = client.get("/api/v1/enrollments", headers={"Authorization": header})
    assert response.status_code == 401
    assert "Bearer" in response.headers["WWW-Authenticate"]
    assert _error(response) == message


def test_a_token_in_the_query_string_is_ignored(
    app: Flask, client: FlaskClient, agencies: Agencies
) -> None:
    for name in ("token", "access_token", "api_key"):
        response = client.get("/api/v1/enrollments", query_string={name: agencies.token})
        assert response.status_code == 401


def test_expired_and_revoked_tokens_are_401(
    app: Flask, client: FlaskClient, clock: FrozenClock
) -> None:
    owner = make_user(Role.EVALUATOR, scope=[make_unit()])
    short = issue_token(owner, "sebentar", expires_days=1)
    revoked = issue_token(owner, "dicabut")
    assert api_get(client, "enrollments", short).status_code == 200
    clock.advance(days=1)
    response = api_get(client, "enrollments", short)
    assert response.status_code == 401 and _error(response) == "token expired"
    token = db.session.query(ApiToken).filter_by(name="dicabut").one()
    token.revoked_at = clock.current
    db.session.commit()
    response = api_get(client, "enrollments", revoked)
    assert response.status_code == 401 and _error(response) == "token revoked"


def test_a_deactivated_owner_is_401(app: Flask, client: FlaskClient, agencies: Agencies) -> None:
    agencies.evaluator.is_active = False
    db.session.commit()
    response = api_get(client, "enrollments", agencies.token)
    assert response.status_code == 401 and _error(response) == "token owner is deactivated"


def test_a_learner_only_owner_is_403(app: Flask, client: FlaskClient) -> None:
    learner = make_user()
    # Tokens are never issued to learners; this one predates a role change.
    secret = "elat_" + "x" * 43
    from elearn.api.tokens import hash_token

    db.session.add(
        ApiToken(user_id=learner.id, name="lama", token_hash=hash_token(secret), prefix=secret[:12])
    )
    db.session.commit()
    for resource in RESOURCES:
        response = api_get(client, resource, secret)
        assert response.status_code == 403
        assert "role" in _error(response)


def test_a_session_cookie_alone_does_not_authenticate(
    app: Flask, client: FlaskClient, agencies: Agencies
) -> None:
    AuthActions(client).login(agencies.evaluator.nip)
    assert client.get("/account/tokens").status_code == 200  # the cookie is good for the UI
    for resource in RESOURCES:
        response = api_get(client, resource)
        assert response.status_code == 401
    # With the cookie and a token, only the token counts.
    assert api_get(client, "enrollments", agencies.token).status_code == 200


def test_last_used_is_written_at_most_once_a_minute(
    app: Flask, client: FlaskClient, clock: FrozenClock
) -> None:
    owner = make_user(Role.ADMIN)
    secret = issue_token(owner)
    token = db.session.query(ApiToken).one()
    assert token.last_used_at is None
    api_get(client, "enrollments", secret)
    db.session.expire_all()
    assert token.last_used_at == clock.current
    first = clock.current
    clock.advance(seconds=59)
    api_get(client, "enrollments", secret)
    db.session.expire_all()
    assert token.last_used_at == first
    clock.advance(seconds=1)
    api_get(client, "enrollments", secret)
    db.session.expire_all()
    assert token.last_used_at == first + timedelta(minutes=1)


def test_openapi_document_is_public(app: Flask, client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"] == "3.1.0"


def test_unknown_paths_and_methods_answer_json(
    app: Flask, client: FlaskClient, agencies: Agencies
) -> None:
    for path in ("/api/v1/peserta", "/api/v1", "/api/v1/", "/api/v1/enrollments/1"):
        missing = client.get(path, headers={"Authorization": f"Bearer {agencies.token}"})
        assert missing.status_code == 404 and _error(missing) == "no such API resource"
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/enrollments")
        assert response.status_code == 405
        assert "GET" in response.headers["Allow"]
        assert _error(response) == f"method {method.upper()} is not allowed"
    # POST with a session cookie: no CSRF page, no HTML, still 405.
    AuthActions(client).login(agencies.evaluator.nip)
    response = client.post("/api/v1/completions", data={"x": "1"})
    assert response.status_code == 405 and response.mimetype == "application/problem+json"


def test_a_crash_is_a_json_500_without_a_trace(
    app: Flask, client: FlaskClient, agencies: Agencies, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object) -> None:
        raise RuntimeError("rahasia internal")

    monkeypatch.setattr("elearn.api.views.enrollment_page", explode)
    response = api_get(client, "enrollments", agencies.token)
    assert response.status_code == 500
    assert _error(response) == "internal server error"
    assert "rahasia" not in response.get_data(as_text=True)


def test_rate_limit_per_token(limited_app: Flask) -> None:
    with_changes(limited_app, api_rate_limit="3 per minute")
    client = limited_app.test_client()
    first = issue_token(make_user(Role.ADMIN))
    second = issue_token(make_user(Role.ADMIN))
    for _ in range(3):
        assert api_get(client, "enrollments", first).status_code == 200
    limited = api_get(client, "jp-totals", first)  # one budget across resources
    assert limited.status_code == 429
    assert "rate limit exceeded" in _error(limited)
    assert "Retry-After" in limited.headers
    assert api_get(client, "enrollments", second).status_code == 200  # others unaffected


@pytest.mark.parametrize("path", ["enrollments", "completions", "certificates", "jp-totals",
                                  "openapi.json"])  # fmt: skip
def test_every_resource_lists_only_the_methods_that_work(
    app: Flask, client: FlaskClient, agencies: Agencies, path: str
) -> None:
    headers = {"Authorization": f"Bearer {agencies.token}"}
    # OPTIONS needs no token (a CORS preflight carries none) and lists GET, HEAD, OPTIONS.
    options = client.options(f"/api/v1/{path}")
    assert options.status_code == 204 and options.data == b""
    allowed = [method.strip() for method in options.headers["Allow"].split(",")]
    assert sorted(allowed) == ["GET", "HEAD", "OPTIONS"]
    for method in allowed:
        if method != "OPTIONS":
            answer = client.open(f"/api/v1/{path}", method=method, headers=headers)
            assert answer.status_code == 200, method
    # Everything else is a 405 that says what is allowed, TRACE and unregistered verbs too.
    for method in ("POST", "PUT", "PATCH", "DELETE", "TRACE", "CONNECT", "PROPFIND"):
        refused = client.open(f"/api/v1/{path}", method=method, headers=headers)
        assert refused.status_code == 405, method
        assert refused.headers["Allow"] == options.headers["Allow"]
        assert _error(refused) == f"method {method} is not allowed"


def test_no_method_finds_a_path_that_is_no_resource(app: Flask, client: FlaskClient) -> None:
    for path in ("/api/v1/peserta", "/api/v1/", "/api/v1/enrollments/1"):
        for method in ("GET", "OPTIONS", "POST", "TRACE", "PROPFIND"):
            response = client.open(path, method=method)
            assert response.status_code == 404, (path, method)
            assert "Allow" not in response.headers
            assert _error(response) == "no such API resource"
