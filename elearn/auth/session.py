"""Flask-Login wiring: sessions are keyed by the user's rotating session token."""

from __future__ import annotations

from flask import Flask, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from elearn.extensions import db, login_manager
from elearn.models import Unit, User


def init_login(app: Flask) -> None:
    """Bind Flask-Login and force a password change where one is due."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")
    login_manager.login_message_category = "info"
    # Sessions are already bound to a revocable token; "strong" would also drop
    # them whenever a phone's IP changes on a mobile network.
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)

    @app.before_request
    def _force_password_change() -> Response | None:
        if (
            current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint not in {"auth.change_password", "auth.logout", "static"}
            and request.blueprint != "api"  # the API answers in JSON and ignores cookies
        ):
            flash(_l("Silakan ganti kata sandi sementara Anda terlebih dahulu."), "warning")
            return redirect(url_for("auth.change_password"))
        return None


def load_user(session_token: str) -> User | None:
    """Return the active user holding this token; old tokens find nobody."""
    # Roles and the unit chain (for the time zone) come along: every page needs them.
    parent = joinedload(User.unit).joinedload(Unit.parent)
    return (
        db.session.scalars(
            select(User)
            .where(User.session_token == session_token, User.is_active.is_(True))
            .options(joinedload(User.role_grants), parent.joinedload(Unit.parent))
        )
        .unique()
        .first()
    )
