"""Cross-cutting protections: the secret key, safe redirects, response headers."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup


class MissingSecretKey(RuntimeError):
    pass


def load_secret_key(app: Flask) -> None:
    """Take SECRET_KEY from the environment; only development may use instance/secret_key."""
    if app.config.get("SECRET_KEY"):
        return
    if app.config["ENV_NAME"] == "development":
        key_file = Path(app.instance_path) / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()
        return
    raise MissingSecretKey(
        "SECRET_KEY is not set. Set it in the environment, e.g. "
        "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
    )


def is_safe_redirect(target: str | None) -> bool:
    """Accept only local absolute paths such as ``/me?x=1``.

    Browsers treat ``//host``, ``/\\host`` and ``https:host`` as other sites,
    and ``javascript:`` runs code, so all of those are refused.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def csrf_field(token: str | None = None) -> Markup:
    """The CSRF hidden input, without an id, so several forms can share a page.

    ``token`` stands in for this request's token where the markup is cached (the header).
    """
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(
        generate_csrf() if token is None else token
    )


_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)
_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def _keyed(headers: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """(name, lower-case name for the look-up, value): lowered once, not per response."""
    return tuple((name, name.lower(), value) for name, value in headers)


_DEFAULT_HEADERS = _keyed(_HEADERS)
_WITH_HSTS = _keyed((*_HEADERS, _HSTS))


def register_security_headers(app: Flask) -> None:
    """Add CSP and friends to every response."""

    @app.after_request
    def _headers(response: Response) -> Response:
        # A view's own header wins (the SSO login page widens form-action). One look at the
        # names already set, then plain appends: werkzeug's ``setdefault`` raised and caught
        # a KeyError for each header missing, ~12 µs on every response.
        hsts = app.config.get("SESSION_COOKIE_SECURE") and not app.debug and not app.testing
        present = {name.lower() for name in response.headers.keys()}
        for name, key, value in _WITH_HSTS if hsts else _DEFAULT_HEADERS:
            if key not in present:
                response.headers.add(name, value)
        return response
