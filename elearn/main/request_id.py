"""One id per request: sent back as ``X-Request-ID``, shown on error pages, put in log lines."""

from __future__ import annotations

import re
import secrets

from flask import Flask, Response, has_request_context, request

HEADER = "X-Request-ID"
# A proxy's id is kept only if it cannot smuggle anything into a log line or a header.
_INCOMING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,63}$")
_ENVIRON_KEY = "elearn.request_id"


def current_request_id() -> str:
    """The id of the request being handled ("-" outside a request)."""
    if not has_request_context():
        return "-"
    found = request.environ.get(_ENVIRON_KEY)
    if found is None:
        # Kept in the WSGI environ, not in ``g``: an app context may outlive one request.
        incoming = request.headers.get(HEADER, "")
        found = incoming if _INCOMING.match(incoming) else secrets.token_hex(16)
        request.environ[_ENVIRON_KEY] = found
    return str(found)


def init_request_id(app: Flask) -> None:
    """Give every request an id and return it in the response header."""

    @app.before_request
    def _assign() -> None:
        current_request_id()

    @app.after_request
    def _send(response: Response) -> Response:
        response.headers[HEADER] = current_request_id()
        return response
