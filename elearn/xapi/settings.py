"""xAPI settings, read from the app config (names and defaults in docs/xapi.md)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_request_context, request

DEFAULT_BATCH_SIZE = 50
DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_RETRY_BASE_SECONDS = 60
DEFAULT_RETRY_MAX_SECONDS = 3600


class XapiNotConfigured(RuntimeError):
    """A setting the xAPI feature needs is missing; the message names it."""


@dataclass(frozen=True)
class LrsSettings:
    url: str  # the LRS endpoint, statements are POSTed to <url>/statements
    username: str
    password: str
    batch_size: int
    timeout_seconds: float
    retry_base_seconds: int
    retry_max_seconds: int


def lrs_url() -> str:
    """The configured LRS endpoint, or "" when statements are not forwarded."""
    return str(current_app.config.get("XAPI_LRS_URL") or "").strip()


def lrs_settings() -> LrsSettings:
    """The LRS connection settings; raise XapiNotConfigured without XAPI_LRS_URL."""
    url = lrs_url()
    if not url:
        raise XapiNotConfigured("XAPI_LRS_URL is not set")
    config = current_app.config
    return LrsSettings(
        url=url.rstrip("/"),
        username=str(config.get("XAPI_LRS_USERNAME") or ""),
        password=str(config.get("XAPI_LRS_PASSWORD") or ""),
        batch_size=max(1, int(config.get("XAPI_BATCH_SIZE", DEFAULT_BATCH_SIZE))),
        timeout_seconds=float(config.get("XAPI_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)),
        retry_base_seconds=int(config.get("XAPI_RETRY_BASE_SECONDS", DEFAULT_RETRY_BASE_SECONDS)),
        retry_max_seconds=int(config.get("XAPI_RETRY_MAX_SECONDS", DEFAULT_RETRY_MAX_SECONDS)),
    )


def home_page() -> str:
    """The platform's IRI in statements: XAPI_HOME_PAGE, else PUBLIC_BASE_URL, else the request's.

    Statement, actor and activity ids are built from it, so a deployment must
    keep it fixed; the request's root is only a fallback for development.
    """
    config = current_app.config
    configured = str(config.get("XAPI_HOME_PAGE") or config.get("PUBLIC_BASE_URL") or "")
    if configured.strip():
        return configured.strip().rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    raise XapiNotConfigured("set XAPI_HOME_PAGE (or PUBLIC_BASE_URL) to the platform's address")
