"""Home page, language switch and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from elearn.extensions import db
from elearn.main.errors import one_line
from elearn.main.request_id import current_request_id
from elearn.security import is_safe_redirect

bp = Blueprint("main", __name__)


@bp.route("/")
def home() -> str:
    return render_template("main/home.html", user=current_user)


@bp.route("/language/<code>", methods=["POST"])
def set_language(code: str) -> Response:
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    target = request.form.get("next", "")
    return redirect(target if is_safe_redirect(target) else url_for("main.home"))


@bp.route("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any database failure means unhealthy
        # One line, no traceback: a load balancer probes every few seconds.
        current_app.logger.warning(
            "%s health check: database unreachable: %s", current_request_id(), one_line(exc)
        )
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200
