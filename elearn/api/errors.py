"""API errors as RFC 9457 problem details (``application/problem+json``), never HTML.

The body keeps the ``error`` object the API always sent (``{"status", "message",
"request_id"}``), so scripts written against it keep working, and adds the problem
members ``type``, ``title``, ``status`` and ``detail`` for clients that read RFC 9457.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from flask import Blueprint, Response
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from elearn.main.request_id import current_request_id
from elearn.reports.filters import InvalidFilter

PROBLEM_TYPE = "application/problem+json"
# Headers an HTTP error carries that the JSON answer must keep (RFC 6750, RFC 9110).
KEPT_HEADERS = ("WWW-Authenticate", "Allow", "Retry-After")


def problem_body(status: int, message: str) -> dict[str, object]:
    """The problem document of an error: RFC 9457 members plus the API's ``error`` object."""
    request_id = current_request_id()
    return {
        # "about:blank": the status code says it all; ``detail`` names the bad parameter.
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": message,
        "error": {"status": status, "message": message, "request_id": request_id},
    }


def json_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Build the API's error response."""
    response = Response(json.dumps(problem_body(status, message)), status, mimetype=PROBLEM_TYPE)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register_error_handlers(bp: Blueprint) -> None:
    """Answer every HTTP error raised under ``bp`` with a problem document.

    Other exceptions reach the app's handler (elearn.main.errors), which answers
    /api/ paths in JSON too, with 503 when the database is away.
    """

    @bp.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        message = error.description or error.name
        if isinstance(error, RateLimitExceeded):
            message = f"rate limit exceeded: {error.description}"
        kept = {name: value for name, value in error.get_headers() if name in KEPT_HEADERS}
        return json_error(status, message, kept)

    @bp.errorhandler(InvalidFilter)
    def _bad_parameter(error: InvalidFilter) -> Response:
        return json_error(422, str(error))
