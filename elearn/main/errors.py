"""Friendly 403/404/500 pages (JSON for API clients)."""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from elearn.extensions import db


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str | dict[str, object], int]:
        code = error.code or 500
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            return {"error": {"status": code, "message": error.description}}, code
        template = f"errors/{code}.html" if code in {403, 404, 429} else "errors/generic.html"
        return render_template(template, error=error, code=code), code

    @app.errorhandler(Exception)
    def _server_error(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_template("errors/500.html"), 500
