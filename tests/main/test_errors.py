"""Failures answer with the app's own page and a request id, and log one line each."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from config import TestConfig
from elearn import create_app
from elearn.extensions import db
from tests.conftest import AuthActions, IsolatedClient
from tests.factories import make_user

REQUEST_ID = re.compile(r"<code>([0-9a-f]{32})</code>")


def problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Log records at WARNING or above, from any logger."""
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


@pytest.fixture
def dead_app() -> Iterator[Flask]:
    """An app whose PostgreSQL is not listening (port 1 refuses at once)."""
    url = "postgresql+psycopg://postgres@127.0.0.1:1/elearn"
    config = type("Dead", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    application = create_app(config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        yield application
        db.engine.dispose()


def test_a_dead_database_gives_the_503_page_with_a_request_id(
    dead_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    client = dead_app.test_client()
    caplog.set_level(logging.DEBUG)
    page = client.get("/certificates/AAAAAAAAAAAAAAAAAAAAAA")
    api = client.get("/api/v1/enrollments", headers={"Authorization": "Bearer elearn_x"})

    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    html = page.get_data(as_text=True)
    assert "Layanan sedang tidak tersedia" in html
    found = REQUEST_ID.search(html)
    assert found and found.group(1) == page.headers["X-Request-ID"]
    assert "psycopg" not in html and "127.0.0.1" not in html  # nothing internal leaks

    assert api.status_code == 503 and api.headers["Retry-After"] == "30"
    body = api.get_json()["error"]
    assert body == {
        "status": 503,
        "message": "database unavailable",
        "request_id": api.headers["X-Request-ID"],
    }

    logged = problems(caplog)
    assert len(logged) == 2, [r.getMessage() for r in logged]
    for record, response in zip(logged, (page, api), strict=True):
        message = record.getMessage()
        assert "\n" not in message and record.exc_info is None
        assert message.startswith(response.headers["X-Request-ID"])
        assert "-> 503 OperationalError" in message


class Outage:
    """Refuse every new database connection while ``down`` is set."""

    def __init__(self) -> None:
        self.down = False

    def __call__(self, dialect: Any, _record: Any, _cargs: Any, _cparams: Any) -> None:
        if self.down:
            # SQLite signals a busy database as "locked"; a server as refused.
            text = "database is locked" if dialect.name == "sqlite" else "connection refused"
            raise dialect.loaded_dbapi.OperationalError(text)

    def start(self) -> None:
        self.down = True
        db.engine.dispose()  # pooled connections would otherwise still work


def test_an_outage_answers_503_and_the_app_recovers_by_itself(
    app: Flask, client: FlaskClient, auth: AuthActions, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user(name="Peserta Sabar")
    auth.login(user.nip)
    assert client.get("/me").status_code == 200
    outage = Outage()
    event.listen(db.engine, "do_connect", outage)
    outage.start()
    caplog.set_level(logging.INFO)

    during = [client.get("/me"), client.get("/certificates/AAAAAAAAAAAAAAAAAAAAAA")]
    for response in during:
        assert response.status_code == 503, response.status_code
        assert response.headers["Retry-After"] == "30"
        html = response.get_data(as_text=True)
        assert "Layanan sedang tidak tersedia" in html
        assert "Peserta Sabar" not in html  # the header does not try to load the user
        assert response.headers["X-Request-ID"] in html
    assert len(problems(caplog)) == len(during)

    outage.down = False
    again = client.get("/me")
    assert again.status_code == 200 and "Peserta Sabar" in again.get_data(as_text=True)
    assert client.get("/certificates/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404
    assert len(problems(caplog)) == len(during)


def test_an_unexpected_error_is_a_500_with_its_traceback_logged_once(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> str:
        raise RuntimeError("rahasia internal: kunci=abc")

    app.add_url_rule("/rusak", "rusak", broken)
    app.add_url_rule("/api/v1/rusak", "api_rusak", broken)
    client = app.test_client()
    caplog.set_level(logging.INFO)
    first, second = client.get("/rusak"), client.get("/rusak")
    api = client.get("/api/v1/rusak")

    for response in (first, second):
        assert response.status_code == 500
        html = response.get_data(as_text=True)
        assert "Terjadi kesalahan pada server" in html
        assert response.headers["X-Request-ID"] in html and "rahasia" not in html
    assert api.status_code == 500 and "Retry-After" not in api.headers
    assert api.get_json()["error"] == {
        "status": 500,
        "message": "internal server error",
        "request_id": api.headers["X-Request-ID"],
    }
    logged = problems(caplog)
    assert len(logged) == 3
    assert logged[0].exc_info is not None  # the first of its kind carries the traceback
    assert logged[1].exc_info is None and logged[2].exc_info is None
    assert "-> 500 RuntimeError: rahasia internal" in logged[1].getMessage()


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("req-7f3a9c01-proxy", True),
        ("short", False),
        ("x" * 65, False),
        ("id dengan spasi!", False),
        ("", False),
    ],
)
def test_a_request_id_from_a_proxy_is_kept_only_if_it_is_sane(
    client: FlaskClient, incoming: str, kept: bool
) -> None:
    response = client.get("/", headers={"X-Request-ID": incoming} if incoming else {})
    sent = response.headers["X-Request-ID"]
    assert (sent == incoming) is kept
    if not kept:
        assert re.fullmatch(r"[0-9a-f]{32}", sent)


def test_each_request_gets_its_own_id(client: FlaskClient) -> None:
    ids = {client.get("/").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3
