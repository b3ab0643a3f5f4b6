"""Sign-in with SSO ASN: send the browser to the provider, and take it back.

The protocol and token checks are Authlib's and elearn/auth/sso.py's; these views add
the sign-in throttle, the messages and the same session start as a password sign-in.
"""

from __future__ import annotations

from typing import cast
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from flask import Blueprint, Flask, abort, current_app, flash, redirect, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import current_user
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from elearn import clock
from elearn.auth.signin import begin_session
from elearn.auth.sso import SsoAsn, SsoRefused, account_for_nip, init_sso, nip_from_claims, sso_asn
from elearn.auth.throttle import sign_in_throttle
from elearn.auth.views import _retry_message
from elearn.extensions import db
from elearn.problem_text import Problem, translated
from elearn.security import CONTENT_SECURITY_POLICY, is_safe_redirect
from elearn.settings import current_settings

bp = Blueprint("sso", __name__)
NEXT_KEY = "sso_asn_next"  # where to go after signing in, kept across the round trip
UNREACHABLE = Problem(
    "SSO ASN sedang tidak dapat dihubungi. Silakan coba lagi nanti atau masuk dengan "
    "NIP dan kata sandi."
)
UNVERIFIED = Problem(
    "Masuk dengan SSO ASN tidak dapat diverifikasi atau sudah kedaluwarsa. Silakan coba lagi."
)
CANCELLED = Problem("Masuk dengan SSO ASN dibatalkan atau ditolak oleh SSO ASN.")


@bp.record_once
def _set_up(state: BlueprintSetupState) -> None:
    init_sso(cast(Flask, state.app))


@bp.app_template_global()
def sso_asn_enabled() -> bool:
    # The login page shows "Masuk dengan SSO ASN" only when it is configured; a global,
    # not a context processor, so no other page pays for the question.
    return sso_asn() is not None


@bp.after_app_request
def _let_the_login_form_reach_the_provider(response: Response) -> Response:
    # The SSO button's POST is answered with a redirect to SSO ASN, and browsers apply
    # the page's form-action to redirects too: the login page allows that one origin.
    if request.endpoint != "auth.login":
        return response
    provider = sso_asn()
    if provider is not None:
        issuer = urlsplit(provider.settings.issuer)
        allowed = f"form-action 'self' {issuer.scheme}://{issuer.netloc}"
        policy = CONTENT_SECURITY_POLICY.replace("form-action 'self'", allowed)
        response.headers["Content-Security-Policy"] = policy
    return response


def _provider() -> SsoAsn:
    provider = sso_asn()
    if provider is None:
        abort(404)
    return provider


def _pseudo_login(address: str) -> str:
    # Failures before the provider vouched for a NIP count against the address (and
    # this per-address stand-in account), never against one shared account.
    return f"sso-asn/{address}"


def _back_to_login(problem: Problem, retry_seconds: int = 0) -> Response:
    flash(translated(problem, _), "error")
    if retry_seconds:
        flash(_retry_message(retry_seconds), "error")
    return redirect(url_for("auth.login"))


@bp.route("/login/sso", methods=["POST"])
def start() -> Response:
    """Send the browser to SSO ASN's sign-in page (a POST: CSRF-checked like every form)."""
    provider = _provider()
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    address = request.remote_addr or ""
    throttle = sign_in_throttle()
    wait = throttle.wait_seconds(_pseudo_login(address), address) if throttle else 0
    if wait:
        current_app.logger.warning("SSO ASN sign-in throttled from %s for %d s", address, wait)
        flash(_retry_message(wait), "error")
        response = redirect(url_for("auth.login"))
        response.headers["Retry-After"] = str(wait)
        return response
    target = request.form.get("next", "")
    session[NEXT_KEY] = target if is_safe_redirect(target) else ""
    try:
        provider.fresh_metadata()
        # The address registered with BKN: PUBLIC_BASE_URL's, not whatever Host came in.
        base = current_settings().public_base_url
        path = url_for("sso.callback")
        redirect_uri = f"{base}{path}" if base else url_for("sso.callback", _external=True)
        return provider.client.authorize_redirect(redirect_uri)
    except SsoRefused as exc:
        current_app.logger.error("SSO ASN discovery names another issuer than SSO_ASN_ISSUER")
        return _back_to_login(exc.problem)
    except (requests.RequestException, ValueError) as exc:
        current_app.logger.error("SSO ASN unreachable at sign-in start: %r", exc)
        return _back_to_login(UNREACHABLE)


def _verified_claims(provider: SsoAsn) -> dict[str, object]:
    """Exchange the code and return the ID token's verified claims; SsoRefused otherwise."""
    error = request.args.get("error")
    if error:
        # The person cancelled at SSO ASN, or it refused them: not a guess, not counted.
        description = request.args.get("error_description")
        current_app.logger.info("SSO ASN answered %s: %s", error, description)
        raise SsoRefused(CANCELLED, counts=False)
    try:
        provider.fresh_metadata()
        token = provider.client.authorize_access_token()
    except SsoRefused:
        raise
    except requests.RequestException as exc:
        current_app.logger.error("SSO ASN unreachable at sign-in callback: %r", exc)
        raise SsoRefused(UNREACHABLE, counts=False) from None
    except (AuthlibBaseError, JoseError, ValueError) as exc:
        # A wrong or replayed state, a nonce, signature, issuer, audience or expiry that
        # does not check out, or a code the provider refuses: start again from our page.
        current_app.logger.warning("SSO ASN sign-in refused: %r", exc)
        raise SsoRefused(UNVERIFIED) from None
    claims = token.get("userinfo")
    if not claims:  # no ID token came back: nothing verified to go on
        current_app.logger.warning("SSO ASN answered without an ID token")
        raise SsoRefused(UNVERIFIED)
    return dict(claims)


@bp.route("/login/sso/callback")
def callback() -> Response:
    """Finish an SSO ASN sign-in: verify, find the account by NIP, start the session."""
    provider = _provider()
    address = request.remote_addr or ""
    throttle = sign_in_throttle()
    try:
        claims = _verified_claims(provider)
        nip = nip_from_claims(claims, provider.settings.nip_claim)
        wait = throttle.wait_seconds(nip, address) if throttle else 0
        if wait:
            # As for a password: this address failed too often for this NIP (or the
            # account is under attack and this address never signed in to it).
            current_app.logger.warning("SSO ASN sign-in throttled from %s for %d s", address, wait)
            flash(_retry_message(wait), "error")
            return redirect(url_for("auth.login"))
        user = account_for_nip(nip)
    except SsoRefused as exc:
        db.session.rollback()
        wait = 0
        if exc.counts and throttle:
            wait = throttle.failed(exc.login or _pseudo_login(address), address)
        current_app.logger.info("SSO ASN sign-in refused from %s: %s", address, exc.problem)
        return _back_to_login(exc.problem, wait)
    user.last_login_at = clock.now()
    db.session.commit()
    if throttle:
        throttle.succeeded(nip, address)
    target = session.get(NEXT_KEY, "")
    # No remember-me cookie: the next visit after the session ends goes through SSO ASN again.
    begin_session(user, remember=False, method="sso")
    flash(_("Selamat datang, %(name)s.", name=user.full_name), "success")
    return redirect(target if is_safe_redirect(target) else url_for("learning.dashboard"))
