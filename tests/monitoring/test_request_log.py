"""One log line per request; JSON lines with LOG_FORMAT=json."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from elearn.monitoring.request_log import JsonFormatter
from tests.conftest import AuthActions, sqlite_app
from tests.factories import make_user


@pytest.fixture
def json_app(tmp_path: Path) -> Iterator[Flask]:
    """An app (SQLite) logging JSON lines."""
    yield from sqlite_app(tmp_path / "json.sqlite", LOG_FORMAT="json")


def request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "elearn.requests"]


def test_json_request_lines_carry_the_request_and_the_user(
    json_app: Flask, caplog: pytest.LogCaptureFixture
):
    formatters = [h.formatter for h in json_app.logger.handlers]
    assert any(isinstance(f, JsonFormatter) for f in formatters)
    client = json_app.test_client()
    user = make_user()
    AuthActions(client).login(user.nip)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="elearn.requests"):
        response = client.get("/", headers={"X-Request-ID": "proxy-id-12345678"})
    [record] = request_lines(caplog)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["request_id"] == response.headers["X-Request-ID"] == "proxy-id-12345678"
    assert (fields["method"], fields["path"], fields["status"]) == ("GET", "/", 200)
    assert fields["user_id"] == user.id
    assert fields["level"] == "INFO" and fields["time"].endswith("+00:00")
    assert isinstance(fields["duration_ms"], float) and fields["duration_ms"] >= 0


def test_anonymous_and_failed_requests_are_logged_too(
    json_app: Flask, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.INFO, logger="elearn.requests"):
        response = json_app.test_client().post("/logout")  # no CSRF token: refused
    [record] = request_lines(caplog)
    fields = json.loads(JsonFormatter().format(record))
    assert fields["status"] == response.status_code == 400
    assert fields["user_id"] is None and fields["path"] == "/logout"


def test_plain_lines_otherwise(app: Flask, caplog: pytest.LogCaptureFixture):
    assert not any(isinstance(h.formatter, JsonFormatter) for h in app.logger.handlers)
    with caplog.at_level(logging.INFO, logger="elearn.requests"):
        response = app.test_client().get("/login")
    [record] = request_lines(caplog)
    assert record.getMessage().startswith(f"{response.headers['X-Request-ID']} GET /login 200 ")
