"""A learner downloads a copy of all their data (UU 27/2022, right of access)."""

from __future__ import annotations

import json

from flask import Blueprint, Response
from flask_login import current_user, login_required

from elearn.privacy.subject import personal_data

bp = Blueprint("privacy", __name__)


@bp.route("/me/data.json")
@login_required
def my_data() -> Response:
    body = json.dumps(personal_data(current_user), ensure_ascii=False, indent=2, default=str)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="data-saya.json"'
    response.headers["Cache-Control"] = "no-store"
    return response
