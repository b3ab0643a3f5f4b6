"""JSON errors for the API: ``{"error": {"status": ..., "message": ...}}``, never HTML."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from elearn.extensions import db
from elearn.reports.filters import InvalidFilter

# Headers an HTTP error carries that the JSON answer must keep (RFC 6750, RFC 9110).
KEPT_HEADERS = ("WWW-Authenticate", "Allow", "Retry-After")


def json_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Build the API's error response."""
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register_error_handlers(bp: Blueprint) -> None:
    """Answer every error raised under ``bp`` with JSON."""

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

    @bp.errorhandler(Exception)
    def _server_error(error: Exception) -> Response:
        db.session.rollback()
        current_app.logger.exception("unhandled API error on %s %s", request.method, request.path)
        return json_error(500, "internal server error")
