"""Who is calling the API: the bearer token in the Authorization header, nothing else."""

from __future__ import annotations

from flask import request
from flask_limiter.util import get_remote_address
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from elearn.api.tokens import TokenRejected, authenticate, hash_token
from elearn.models import ApiToken

REALM = "eLearn ASN API"


def presented_token() -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if there is one."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or " " in value:
        return None
    return value


def _challenge(error: str | None = None) -> WWWAuthenticate:
    parameters: dict[str, str | None] = {"realm": REALM}
    if error:
        parameters["error"] = error
    return WWWAuthenticate("Bearer", parameters)


def authenticate_request() -> ApiToken:
    """The token authenticating this request; raise 401 or 403 otherwise.

    Cookies are never consulted: a browser session must not unlock the API.
    """
    if not request.headers.get("Authorization"):
        raise Unauthorized("missing bearer token", www_authenticate=_challenge())
    secret = presented_token()
    if secret is None:
        raise Unauthorized(
            "the Authorization header must be 'Bearer <token>'",
            www_authenticate=_challenge("invalid_request"),
        )
    try:
        return authenticate(secret)
    except TokenRejected as exc:
        if exc.status == 403:
            raise Forbidden(exc.message) from None
        raise Unauthorized(exc.message, www_authenticate=_challenge("invalid_token")) from None


def rate_limit_key() -> str:
    """Count requests per token (its hash), or per address when none is presented."""
    secret = presented_token()
    if secret:
        return f"api-token:{hash_token(secret)}"
    return f"api-address:{get_remote_address()}"
