"""JSON errors for the API: ``{"error": {"status": ..., "message": ...}}``, never HTML."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from elearn.main.request_id import current_request_id
from elearn.reports.filters import InvalidFilter

# Headers an HTTP error carries that the JSON answer must keep (RFC 6750, RFC 9110).
KEPT_HEADERS = ("WWW-Authenticate", "Allow", "Retry-After")


def json_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Build the API's error response."""
    body = {"status": status, "message": message, "request_id": current_request_id()}
    response = jsonify({"error": body})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register_error_handlers(bp: Blueprint) -> None:
    """Answer every HTTP error raised under ``bp`` with JSON.

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
