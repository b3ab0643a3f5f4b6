"""The page header and its signed-in navigation, rendered once per language and set of roles."""

from __future__ import annotations

import re

from flask import Flask, current_app, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from elearn.reminders.inbox import UNREAD_SHOWN_MAX, unread_count

# Stand-ins rendered into the cached header, which is kept split at them: each request's
# values go in one pass, so a name or path that spells a stand-in stays as it is.
_STAND_IN = re.compile("@@elearn-(name|csrf|path)@@")


# The template variables that vary within a cached header, and their stand-ins' names.
_PER_REQUEST = {"full_name": "name", "csrf_token": "csrf", "request_path": "path"}


def site_header() -> Markup:
    """``_header.html`` for this request: the cached header with the name, token and path."""
    # Rendering the header (brand, the role's navigation twice, account and language forms:
    # some thirty URLs and strings) was a fifth of a cheap page, and only the signed-in
    # user's name, the CSRF token and the page's path vary within a language, URL prefix
    # (the app's mount point), role set and unread count (read with the user, capped so the
    # cache stays small).
    user = current_user._get_current_object()
    unread = min(unread_count(user), UNREAD_SHOWN_MAX + 1) if user.is_authenticated else 0
    roles = user.roles if user.is_authenticated else None
    key = (str(get_locale()), request.script_root, roles, unread)
    cache: dict[tuple[object, ...], list[str]] = current_app.extensions["elearn_site_header"]
    parts = cache.get(key)
    if parts is None:
        stand_ins = {var: f"@@elearn-{name}@@" for var, name in _PER_REQUEST.items()}
        shown = f"{UNREAD_SHOWN_MAX}+" if unread > UNREAD_SHOWN_MAX else str(unread)
        html = render_template("_header.html", unread=unread, unread_shown=shown, **stand_ins)
        parts = cache[key] = _STAND_IN.split(html)
    values = {
        "name": escape(user.full_name) if user.is_authenticated else "",
        "csrf": escape(generate_csrf()),
        "path": escape(request.full_path.rstrip("?")),
    }
    # Even places hold the template's text, odd ones the name of a stand-in.
    page = [part if i % 2 == 0 else values[part] for i, part in enumerate(parts)]
    return Markup("".join(page))  # noqa: S704 - escaped values into our own template's output


def init_navigation(app: Flask) -> None:
    app.extensions["elearn_site_header"] = {}
    app.jinja_env.globals["site_header"] = site_header
