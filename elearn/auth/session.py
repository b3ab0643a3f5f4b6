"""Flask-Login wiring: sessions are keyed by the user's rotating session token."""

from __future__ import annotations

from typing import Any

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.wrappers import Response

from elearn.auth.session_cookie import init_session_cookie
from elearn.auth.signin import SIGNED_IN_WITH
from elearn.extensions import db, login_manager
from elearn.models import Role, RoleGrant, Unit, User
from elearn.reminders.inbox import unread_count_of


def init_login(app: Flask) -> None:
    """Bind Flask-Login and force a password change where one is due."""
    init_session_cookie(app)
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
            # Signed in through SSO ASN: the temporary password was never used; it is
            # still asked for at the next password sign-in (docs/security.md).
            and session.get(SIGNED_IN_WITH) != "sso"
            and request.endpoint not in {"auth.change_password", "auth.logout", "static"}
            and request.blueprint != "api"  # the API answers in JSON and ignores cookies
        ):
            flash(_l("Silakan ganti kata sandi sementara Anda terlebih dahulu."), "warning")
            return redirect(url_for("auth.change_password"))
        return None


def _signed_in_statement() -> Select[Any]:
    """The user holding a token, their roles as one string, their unit's chain, unread count."""
    roles = (
        select(func.aggregate_strings(RoleGrant.role, ","))
        .where(RoleGrant.user_id == User.id)
        .scalar_subquery()
    )
    # The nav's "Notifikasi (3)" comes with the user, not in a statement of its own.
    unread = unread_count_of(User.id).scalar_subquery()
    parent, grandparent = aliased(Unit), aliased(Unit)
    return (
        select(User, roles, Unit, parent, grandparent, unread)
        .join(Unit, User.unit_id == Unit.id)
        .outerjoin(parent, Unit.parent_id == parent.id)
        .outerjoin(grandparent, parent.parent_id == grandparent.id)
        .where(User.session_token == bindparam("token"), User.is_active.is_(True))
    )


# Built once: constructing the statement cost as much as running it (SQLAlchemy caches
# the compiled SQL, not the statement object).
SIGNED_IN = _signed_in_statement()


def load_user(session_token: str) -> User | None:
    """Return the active user holding this token; old tokens find nobody."""
    # Every request runs this. Joined eager loading (with unique()) cost twice as much as
    # this: the roles come as a string, the units as plain entities set as loaded values.
    row = db.session.execute(SIGNED_IN, {"token": session_token}).first()
    if row is None:
        return None
    user, roles, unit, parent, grandparent, unread = row
    user.preload_roles(frozenset(Role(r) for r in roles.split(",")) if roles else frozenset())
    user.preload_unread(unread or 0)
    set_committed_value(user, "unit", unit)
    set_committed_value(unit, "parent", parent)
    if parent is not None:
        set_committed_value(parent, "parent", grandparent)
    return user
