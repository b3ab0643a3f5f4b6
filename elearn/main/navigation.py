"""The signed-in site navigation, rendered once per language and set of roles."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from elearn.reminders.inbox import UNREAD_SHOWN_MAX, unread_count


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


def init_navigation(app: Flask) -> None:
    app.extensions["elearn_site_nav"] = {}
    app.jinja_env.globals["site_nav"] = site_nav
