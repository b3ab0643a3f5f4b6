"""The revoke and unrevoke forms of a verification page, for course and program certificates
alike: the views check who may see the certificate, these turn the form into the decision."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from flask import abort, flash, redirect
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from elearn.auth.duties import OwnRecordRefused
from elearn.certificates import revocation
from elearn.certificates.forms import RevokeForm, UnrevokeForm
from elearn.extensions import db
from elearn.models import Role


class RevocationShown(Protocol):
    """What the forms depend on: a certificate object or the verification page's row."""

    @property
    def revoked_at(self) -> datetime | None: ...

    @property
    def user_id(self) -> int: ...


def forms_for(
    certificate: RevocationShown, may_manage: bool
) -> dict[str, RevokeForm | UnrevokeForm | None]:
    """The forms the verification page shows this viewer (``_revocation.html``)."""
    may_unrevoke = (
        certificate.revoked_at is not None
        and current_user.is_authenticated
        and current_user.has_role(Role.ADMIN)
        and certificate.user_id != current_user.id
    )
    return {
        "form": RevokeForm() if may_manage else None,
        "unrevoke_form": UnrevokeForm() if may_unrevoke else None,
    }


def revoke_from_form(
    certificate: revocation.Revocable, kind: revocation.Kind, page: str, done_message: str
) -> WerkzeugResponse:
    """Revoke with the posted reason (the caller checked the viewer may manage it)."""
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Alasan pencabutan wajib diisi."), "error")
        return redirect(page)
    try:
        revoked = revocation.revoke(certificate, current_user, form.reason.data or "", kind)
    except OwnRecordRefused:
        db.session.commit()  # only the audit entry of the refusal
        abort(
            403,
            _(
                "Anda tidak dapat mencabut sertifikat Anda sendiri; "
                "admin atau koordinator lain yang memutuskannya."
            ),
        )
    if revoked:
        db.session.commit()
        flash(done_message, "success")
    return redirect(page)


def unrevoke_from_form(
    certificate: revocation.Revocable, kind: revocation.Kind, page: str, done_message: str
) -> WerkzeugResponse:
    """An admin takes a revocation back, with a reason; anyone else is refused (403)."""
    form = UnrevokeForm()
    if current_user.has_role(Role.ADMIN) and not form.validate_on_submit():
        flash(_("Alasan membatalkan pencabutan wajib diisi."), "error")
        return redirect(page)
    try:
        done = revocation.unrevoke(certificate, current_user, form.reason.data or "-", kind)
    except revocation.UnrevokeRefused:
        db.session.commit()  # only the audit entry of the refusal
        abort(403, _("Hanya admin yang dapat membatalkan pencabutan sertifikat."))
    except OwnRecordRefused:
        db.session.commit()  # only the audit entry of the refusal
        abort(403, _("Anda tidak dapat memutuskan sertifikat Anda sendiri."))
    if done:
        db.session.commit()
        flash(done_message, "success")
    return redirect(page)
