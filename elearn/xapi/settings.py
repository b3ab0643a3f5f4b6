"""xAPI settings for the outbox and delivery, from ``Settings.xapi`` (names in docs/xapi.md)."""

from __future__ import annotations

from flask import has_request_context, request

from elearn.settings import XapiSettings, current_settings


class XapiNotConfigured(RuntimeError):
    """A setting the xAPI feature needs is missing; the message names it."""


def _xapi() -> XapiSettings:
    # Statements are queued from deep inside the learning services (a learning event's
    # flush), which the settings are not handed down to; the app's bound Settings are.
    return current_settings().xapi


def lrs_url() -> str:
    """The configured LRS endpoint, or "" when statements are not forwarded."""
    return _xapi().lrs_url


def lrs_settings() -> XapiSettings:
    """The xAPI settings for sending; raise XapiNotConfigured without XAPI_LRS_URL."""
    xapi = _xapi()
    if not xapi.lrs_url:
        raise XapiNotConfigured("XAPI_LRS_URL is not set")
    return xapi


def home_page() -> str:
    """The platform's IRI in statements: XAPI_HOME_PAGE, else PUBLIC_BASE_URL, else the request's.

    Statement, actor and activity ids are built from it, so a deployment must
    keep it fixed; the request's root is only a fallback for development.
    """
    configured = _xapi().home_page
    if configured:
        return configured
    if has_request_context():
        return request.url_root.rstrip("/")
    raise XapiNotConfigured("set XAPI_HOME_PAGE (or PUBLIC_BASE_URL) to the platform's address")
