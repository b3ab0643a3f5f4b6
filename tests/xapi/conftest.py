"""Fixtures for the xAPI tests: the blueprint, a home page, and a real local LRS."""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask

from elearn.settings import current_settings, with_changes
from elearn.xapi.views import bp as xapi_bp

HOME = "https://elearn.example.go.id"
LRS_USER = "lrs-user"
LRS_PASSWORD = "lrs-secret"


@pytest.fixture
def xapi_app(app: Flask) -> Flask:
    """``app`` with a fixed xAPI home page and the xAPI blueprint registered."""
    with_xapi(app, home_page=HOME)
    if "xapi" not in app.blueprints:  # until create_app registers it
        app.register_blueprint(xapi_bp)
    return app


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # names in lower case: HTTP does not care
    statements: list[dict[str, Any]]


@dataclass
class FakeLrs:
    """An LRS on 127.0.0.1 that records each POST and answers as told.

    ``answer`` maps the posted statements to a status code; the default
    accepts everything with 200 and the statement ids, as an LRS does.
    """

    url: str = ""
    received: list[Received] = field(default_factory=list)
    answer: Callable[[list[dict[str, Any]]], int] = lambda statements: 200
    redirect_to: str = ""

    @property
    def statement_ids(self) -> list[str]:
        return [s["id"] for r in self.received for s in r.statements]


def _handler(lrs: FakeLrs) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            # Only a client following a redirect would come here.
            headers = {name.lower(): value for name, value in self.headers.items()}
            lrs.received.append(Received(self.path, headers, []))
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", "0"))
            statements = json.loads(self.rfile.read(length))
            headers = {name.lower(): value for name, value in self.headers.items()}
            lrs.received.append(Received(self.path, headers, statements))
            status = lrs.answer(statements)
            if 300 <= status < 400:
                self.send_response(status)
                self.send_header("Location", lrs.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = json.dumps([s["id"] for s in statements] if status == 200 else {"error": "no"})
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Keep test output quiet."""

    return Handler


@pytest.fixture
def lrs() -> Iterator[FakeLrs]:
    """A running fake LRS; its endpoint is ``lrs.url`` (with a path, like real ones)."""
    fake = FakeLrs()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/xapi"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def closed_port() -> int:
    """A local port nobody listens on: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_xapi(app: Flask, **changes: Any) -> None:
    """Bind ``app``'s settings with some xAPI settings replaced (``Settings.xapi``)."""
    with app.app_context():
        xapi = current_settings().xapi
    with_changes(app, xapi=dataclasses.replace(xapi, **changes))


def configure_lrs(app: Flask, url: str) -> None:
    """Point ``app`` at an LRS, with Basic credentials."""
    # As Settings.from_config reads XAPI_LRS_URL: without a trailing slash.
    with_xapi(app, lrs_url=url.rstrip("/"), lrs_username=LRS_USER, lrs_password=LRS_PASSWORD)
