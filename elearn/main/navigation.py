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


def site_nav() -> Markup:
    """The links of ``_nav.html`` for the signed-in user, from the app's cache."""
    # Some twenty translated strings, URLs and role checks on every page, yet they vary only
    # with the language and the roles (and the URL prefix the app is mounted under), and
    # the unread notifications, read with the user and capped so the cache stays small.
    unread = min(unread_count(current_user), UNREAD_SHOWN_MAX + 1)
    key = (str(get_locale()), current_user.roles, request.script_root, unread)
    cache: dict[tuple[object, ...], Markup] = current_app.extensions["elearn_site_nav"]
    html = cache.get(key)
    if html is None:
        shown = f"{UNREAD_SHOWN_MAX}+" if unread > UNREAD_SHOWN_MAX else str(unread)
        html = cache[key] = Markup(  # noqa: S704 - a template
            render_template("_nav.html", unread=unread, unread_shown=shown)
        )
    return html


_ARGS = {"full_name": "name", "csrf_token": "csrf", "request_path": "path"}


def site_header() -> Markup:
    """``_header.html`` for this request: the cached header with the name, token and path."""
    # Rendering the header (brand, navigation twice, account and language forms: a dozen
    # URLs and strings) was a fifth of a cheap page, and only the signed-in user's name, the
    # CSRF token and the page's path vary within a language, role set and unread count.
    user = current_user._get_current_object()
    locale = str(get_locale())
    if user.is_authenticated:
        who: tuple[object, ...] = (user.roles, min(unread_count(user), UNREAD_SHOWN_MAX + 1))
    else:
        who = ()
    key = (locale, request.script_root, *who)
    cache: dict[tuple[object, ...], list[str]] = current_app.extensions["elearn_site_header"]
    parts = cache.get(key)
    if parts is None:
        stand_ins = {f"{k}": f"@@elearn-{v}@@" for k, v in _ARGS.items()}
        parts = cache[key] = _STAND_IN.split(render_template("_header.html", **stand_ins))
    values = {
        "name": escape(user.full_name) if user.is_authenticated else "",
        "csrf": escape(generate_csrf()),
        "path": escape(request.full_path.rstrip("?")),
    }
    # Even places hold the template's text, odd ones the name of a stand-in.
    page = [part if i % 2 == 0 else values[part] for i, part in enumerate(parts)]
    return Markup("".join(page))  # noqa: S704 - escaped values into our own template's output


def init_navigation(app: Flask) -> None:
    app.extensions["elearn_site_nav"] = {}
    app.extensions["elearn_site_header"] = {}
    app.jinja_env.globals["site_nav"] = site_nav
    app.jinja_env.globals["site_header"] = site_header
