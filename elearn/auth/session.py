"""Flask-Login wiring: sessions are keyed by the user's rotating session token."""

from __future__ import annotations

from typing import Any

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Mapper, Session, aliased
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from werkzeug.wrappers import Response

from elearn.auth.session_cookie import init_session_cookie
from elearn.auth.signin import SIGNED_IN_WITH
from elearn.extensions import db, login_manager
from elearn.models import Role, RoleGrant, Unit, User
from elearn.models.rows import Columns
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


_USER = Columns(User)
_UNITS = tuple(Columns(Unit, Unit.__table__.alias(name)) for name in ("unit", "parent", "grand"))


def _signed_in_core_statement() -> Select[Any]:
    """``SIGNED_IN`` as plain columns: the same joins and conditions, no ORM entities."""
    user, (unit, parent, grand) = User.__table__, (u.columns[0].table for u in _UNITS)
    roles = (
        select(func.aggregate_strings(RoleGrant.__table__.c.role, ","))
        .where(RoleGrant.__table__.c.user_id == user.c.id)
        .scalar_subquery()
    )
    unread = unread_count_of(user.c.id).scalar_subquery()
    columns = [*_USER.columns, *(c for u in _UNITS for c in u.columns), roles, unread]
    return (
        select(*columns)
        .select_from(
            user.join(unit, user.c.unit_id == unit.c.id)
            .outerjoin(parent, unit.c.parent_id == parent.c.id)
            .outerjoin(grand, parent.c.parent_id == grand.c.id)
        )
        .where(user.c.session_token == bindparam("token"), user.c.is_active.is_(True))
    )


SIGNED_IN_ROW = _signed_in_core_statement()


def load_user(session_token: str) -> User | None:
    """Return the active user holding this token; old tokens find nobody."""
    # Every request runs this, and the ORM's per-execution set-up and row processing for four
    # entities was most of its cost: the row is read as plain columns and the objects made
    # from it as the ORM's loader would (see _persistent).
    # On the session's connection (the primary's, as the first statement of a request always
    # is): a plain-column statement needs none of Session.execute's set-up, ~20 % of the loader.
    row = db.session.connection().execute(SIGNED_IN_ROW, {"token": session_token}).first()
    if row is None:
        return None
    session = db.session()
    at, objects = 0, []
    for part in (_USER, *_UNITS):
        values = part.values(row, at)
        at += len(part.keys)
        objects.append(values if values["id"] is not None else None)
    keys = [
        part.mapper.identity_key_from_primary_key((values["id"],))
        for part, values in zip((_USER, *_UNITS), objects, strict=True)
        if values is not None
    ]
    if any(key in session.identity_map for key in keys):
        # Already in this session (tests share one; a view may have loaded them): let the ORM
        # reconcile them with the row as it always does.
        return _load_user_orm(session_token)
    user, unit, parent, grandparent = (
        None if values is None else _persistent(session, part.mapper, values)
        for part, values in zip((_USER, *_UNITS), objects, strict=True)
    )
    roles, unread = row[at], row[at + 1]
    return _complete(user, roles, unit, parent, grandparent, unread)


def _persistent(session: Session, mapper: Mapper[Any], values: dict[str, Any]) -> object:
    """Make ``mapper``'s object from its column values, persistent in ``session`` without SQL.

    What the ORM's loader does for a row it has not seen (``orm/loading.py``): a new
    instance keyed by its identity, its committed values set, added to the identity map.
    The public way (``make_transient_to_detached`` then ``Session.add``) walks the history
    and the cascades and cost more than the ORM load it replaced.
    """
    obj = mapper.class_manager.new_instance()
    state = instance_state(obj)
    state.key = mapper.identity_key_from_primary_key((values["id"],))
    state.session_id = session.hash_key
    vars(obj).update(values)
    session.identity_map._add_unpresent(state, state.key)
    return obj


def _load_user_orm(session_token: str) -> User | None:
    row = db.session.execute(SIGNED_IN, {"token": session_token}).first()
    if row is None:
        return None
    user, roles, unit, parent, grandparent, unread = row
    return _complete(user, roles, unit, parent, grandparent, unread)


def _complete(
    user: Any, roles: str | None, unit: Any, parent: Any, grandparent: Any, unread: int | None
) -> User:
    """Set the roles, unread count and unit chain read with the user as its loaded values."""
    user.preload_roles(frozenset(Role(r) for r in roles.split(",")) if roles else frozenset())
    user.preload_unread(unread or 0)
    set_committed_value(user, "unit", unit)
    set_committed_value(unit, "parent", parent)
    if parent is not None:
        set_committed_value(parent, "parent", grandparent)
    return user
