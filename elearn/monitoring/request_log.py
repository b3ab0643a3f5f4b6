"""One log line per request, and JSON log lines when LOG_FORMAT=json.

The line carries the request id the client saw (X-Request-ID, error pages), so a
user's report leads to the line, and the line to its error, on whichever server.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from flask import Flask, Response, g, request
from flask.logging import default_handler, has_level_handler
from sqlalchemy import inspect

from elearn.main.request_id import current_request_id
from elearn.monitoring.metrics import request_seconds
from elearn.settings import Settings

logger = logging.getLogger("elearn.requests")
# Attributes a request line adds to its LogRecord; JsonFormatter writes them as fields.
REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id")
_NO_CONTROL = {code: "?" for code in range(32)}


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message and request fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if "request_id" not in line:
            line["request_id"] = current_request_id()  # "-" outside a request
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(app: Flask, settings: Settings) -> None:
    """Write the app's log (its own and its libraries' under ``elearn``) as JSON or plain lines."""
    # The logger is the process's, shared by every app built in it (tests build many).
    for existing in list(app.logger.handlers):
        if existing is default_handler or isinstance(existing.formatter, JsonFormatter):
            app.logger.removeHandler(existing)
    if settings.log_format == "json":
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        app.logger.addHandler(handler)
    elif not has_level_handler(app.logger):
        app.logger.addHandler(default_handler)  # what Flask itself would do
    if app.logger.level == logging.NOTSET:
        app.logger.setLevel(logging.INFO)  # request lines are INFO


def init_request_log(app: Flask) -> None:
    """Log every request once it has its response."""
    app.after_request(_log_request)


def _signed_in_user_id() -> int | None:
    """The id of the user this request loaded, if any, read without touching the database.

    The view's commit expires the user object; reading ``user.id`` would load it again.
    """
    state = inspect(g.get("_login_user"), raiseerr=False)
    identity = state.identity if state is not None else None
    return int(identity[0]) if identity else None


def _log_request(response: Response) -> Response:
    seconds = request_seconds()
    duration_ms = None if seconds is None else round(seconds * 1000, 1)
    user_id = _signed_in_user_id()
    path = request.path.translate(_NO_CONTROL)[:500]  # one line, whatever the URL held
    fields = {
        "request_id": current_request_id(),
        "method": request.method,
        "path": path,
        "status": response.status_code,
        "duration_ms": duration_ms,
        "user_id": user_id,
    }
    logger.info(
        "%s %s %s %d %s ms user %s",
        fields["request_id"],
        request.method,
        path,
        response.status_code,
        "-" if duration_ms is None else duration_ms,
        "-" if user_id is None else user_id,
        extra=fields,
    )
    return response
