"""``/account/tokens``: staff create, see and revoke their personal API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from elearn import clock
from elearn.api.forms import RevokeTokenForm, TokenForm
from elearn.api.tokens import TokenError, create_token, revoke_token, token_status, tokens_of
from elearn.auth.access import role_required
from elearn.extensions import db
from elearn.models import ApiToken, Role

bp = Blueprint("api_tokens", __name__, url_prefix="/account/tokens")

STAFF = (Role.EVALUATOR, Role.COORDINATOR, Role.ADMIN)


def _page(form: TokenForm, secret: str | None = None, status: int = 200) -> Response:
    now = clock.now()
    tokens = [(token, token_status(token, now)) for token in tokens_of(current_user)]
    html = render_template(
        "api/tokens.html",
        form=form,
        revoke_form=RevokeTokenForm(),
        tokens=tokens,
        secret=secret,
    )
    response = make_response(html, status)
    # The page may carry a token that must not linger in any cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("")
@role_required(*STAFF)
def index() -> Response:
    return _page(TokenForm())


@bp.post("")
@role_required(*STAFF)
def create() -> Response:
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        issued = create_token(current_user, form.name.data or "", form.expires_days.data)
    except TokenError:
        flash(_("Token tidak dapat dibuat untuk akun ini."), "error")
        return _page(form, status=400)
    db.session.commit()
    # Shown in this response only, never flashed: flashes live in the session cookie.
    return _page(TokenForm(formdata=None), secret=issued.secret)


@bp.post("/<int:token_id>/revoke")
@role_required(*STAFF)
def revoke(token_id: int) -> Response:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if RevokeTokenForm().validate_on_submit() and revoke_token(token):
        db.session.commit()
        flash(_("Token %(prefix)s… dicabut.", prefix=token.prefix), "success")
    return redirect(url_for(".index"))
