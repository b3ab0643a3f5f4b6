"""Sign in, sign out, change password."""

from __future__ import annotations

import math
from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from elearn.accounts.services import (
    AccountError,
    authenticate,
    change_own_password,
    end_all_sessions,
)
from elearn.auth.forms import ChangePasswordForm, LoginForm
from elearn.auth.signin import begin_session
from elearn.auth.throttle import sign_in_throttle
from elearn.extensions import db
from elearn.security import is_safe_redirect

bp = Blueprint("auth", __name__)


def _retry_message(seconds: int) -> str:
    """'Coba lagi dalam 2 menit': minutes rounded up, so nobody retries too early."""
    shown = seconds if seconds < 60 else math.ceil(seconds / 60) * 60
    when = format_timedelta(timedelta(seconds=shown), threshold=1.0, add_direction=True)
    return _("Terlalu banyak percobaan masuk yang gagal. Silakan coba lagi %(when)s.", when=when)


def _throttled(form: LoginForm, seconds: int) -> Response:
    current_app.logger.warning("sign-in throttled from %s for %d s", request.remote_addr, seconds)
    flash(_retry_message(seconds), "error")
    response = make_response(render_template("auth/login.html", form=form), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        login_name, address = form.login.data or "", request.remote_addr or ""
        throttle = sign_in_throttle()
        wait = throttle.wait_seconds(login_name, address) if throttle else 0
        if wait:
            return _throttled(form, wait)
        user = authenticate(login_name, form.password.data or "")
        if user is None:
            flash(_("NIP/e-mail atau kata sandi salah, atau akun tidak aktif."), "error")
            wait = throttle.failed(login_name, address) if throttle else 0
            if wait:
                flash(_retry_message(wait), "error")
        else:
            db.session.commit()
            if throttle:
                throttle.succeeded(login_name, address)
            begin_session(user, remember=bool(form.remember.data), method="password")
            flash(_("Selamat datang, %(name)s.", name=user.full_name), "success")
            target = form.next.data
            # Learners land on their dashboard, whose first card is the next step.
            return redirect(target if is_safe_redirect(target) else url_for("learning.dashboard"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Anda telah keluar."), "info")
    response = redirect(url_for("auth.login"))
    # The browser drops the pages kept for reading offline and the service worker with them.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_own_password(
                current_user, form.current_password.data or "", form.new_password.data or ""
            )
        except AccountError as exc:
            form.new_password.errors = [str(exc)]
        else:
            db.session.commit()
            # Other devices are signed out; this one signs in again on the new token.
            session.clear()
            login_user(current_user._get_current_object())
            flash(_("Kata sandi diganti. Sesi di perangkat lain telah diakhiri."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)
