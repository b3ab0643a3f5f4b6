"""Flask's signed session cookie, re-signed at most once a minute when nothing changed."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer

# A permanent session (12 hours) is extended by each request. Signing a fresh cookie on
# every page cost as much as a tenth of a cheap page; a cookie signed less than this long
# ago is left as it is, so the session ends 12 hours after the last request give or take
# this much. A changed session is always signed again at once.
REFRESH_AFTER_SECONDS = 60

# Cookies whose signature was checked, with what they held: a signed-in learner sends the
# same cookie for up to REFRESH_AFTER_SECONDS, and checking its signature and decoding it
# again cost ~50 µs a request (2-3 % of a learner page). Only a cookie that verified under
# the current keys is kept, its age is checked again on every request, and only sessions
# of plain values (no lists a request could change in place); bounded, emptied when full.
VERIFIED_KEPT = 4096
_PLAIN = (str, int, float, bool, type(None))


class CookieSession(SecureCookieSession):
    signed_at: datetime | None = None  # when the cookie this session came in was signed


class RefreshingCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's own cookie (same format, key, salt and fallbacks), with its serializer kept."""

    session_class = CookieSession

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer] = {}
        self._verified: dict[str, tuple[dict[str, Any], datetime]] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # Flask builds a serializer (and its signers) twice per request; the keys decide it.
        key = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if serializer is not None:
                self._serializers = {key: serializer}
                self._verified = {}  # checked under keys no longer in use
        return serializer

    def open_session(self, app: Flask, request: Request) -> CookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        verified = self._verified
        known = verified.get(value)
        # The age as itsdangerous reckons it (whole seconds); an expired cookie goes the long
        # way below, which refuses it.
        if known is not None and 0 <= int(time.time()) - int(known[1].timestamp()) <= max_age:
            data, signed_at = known
        else:
            try:
                data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            if isinstance(data, dict) and all(isinstance(v, _PLAIN) for v in data.values()):
                if len(verified) >= VERIFIED_KEPT:
                    verified.clear()
                verified[value] = (data, signed_at)
        session = self.session_class(data)  # a copy: the kept values stay as they came
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        if signed_at is None:
            return True
        return (datetime.now(UTC) - signed_at).total_seconds() >= REFRESH_AFTER_SECONDS


def init_session_cookie(app: Flask) -> None:
    app.session_interface = RefreshingCookieSessionInterface()
