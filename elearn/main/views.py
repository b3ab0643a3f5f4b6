"""Home page and the language switch (the health checks are in elearn/monitoring)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from elearn.extensions import db
from elearn.security import is_safe_redirect
from elearn.settings import current_settings

bp = Blueprint("main", __name__)


@bp.route("/")
def home() -> str:
    return render_template("main/home.html", user=current_user)


@bp.route("/language/<code>", methods=["POST"])
def set_language(code: str) -> Response:
    if code in current_settings().languages:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    target = request.form.get("next", "")
    return redirect(target if is_safe_redirect(target) else url_for("main.home"))
