"""Starting a signed-in session: one way for every sign-in method (password, SSO ASN)."""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import login_user

from elearn.models import User

# Which method started this session: "password" or "sso" (SSO sessions are not sent to
# change a temporary password they never used, see elearn/auth/session.py).
SIGNED_IN_WITH = "signed_in_with"


def begin_session(user: User, *, remember: bool, method: str) -> None:
    """Sign ``user`` in on a fresh session and log it.

    Nothing from before the sign-in carries over but the language picked on the sign-in
    page (else the next page switches back); Flask-Login binds the session to the user's
    rotating session token, so signing out or a password change ends it everywhere.
    """
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    login_user(user, remember=remember)
    session.permanent = True
    session[SIGNED_IN_WITH] = method
    current_app.logger.info(
        "sign-in: user %s with %s from %s", user.id, method, request.remote_addr
    )
