"""Sign in, sign out, change password."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
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
from elearn.extensions import db, limiter
from elearn.security import is_safe_redirect

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _login_key() -> str:
    # Counted per account name typed, so one IP cannot lock everyone at an
    # office sharing a NAT, and spraying one account from many IPs is limited.
    return "login:" + (request.form.get("login") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_key)
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(form.login.data or "", form.password.data or "")
        if user is None:
            flash(_("NIP/e-mail atau kata sandi salah, atau akun tidak aktif."), "error")
        else:
            db.session.commit()
            # A fresh session on sign-in: nothing from before it carries over.
            session.clear()
            login_user(user, remember=bool(form.remember.data))
            session.permanent = True
            flash(_("Selamat datang, %(name)s.", name=user.full_name), "success")
            target = form.next.data
            return redirect(target if is_safe_redirect(target) else url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for("auth.login"))


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
