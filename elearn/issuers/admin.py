"""Admin pages: the issuer profiles of the platform and of each instansi."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from elearn import clock
from elearn.auth.access import role_required
from elearn.extensions import db
from elearn.issuers.editing import ProfileEdit, update_profile
from elearn.issuers.forms import IssuerForm
from elearn.issuers.keystore import current_keystore
from elearn.issuers.logo import LogoRefused
from elearn.issuers.registry import current_key_row, issuer_of_unit, platform_issuer
from elearn.models import IssuerProfile, Role, Unit, UnitKind
from elearn.settings import current_settings

bp = Blueprint("issuer_admin", __name__, url_prefix="/admin/issuers")
PLATFORM = 0  # the unit_id in the URL of the platform's profile


@bp.before_request
@role_required(Role.ADMIN)
def _admins_only() -> None:
    """Every page here is for admins only."""


@bp.route("")
def index() -> str:
    units = db.session.scalars(
        select(Unit).where(Unit.kind == UnitKind.INSTANSI).order_by(Unit.name)
    ).all()
    profiles = {p.unit_id: p for p in db.session.scalars(select(IssuerProfile))}
    return render_template(
        "issuers/admin_index.html", units=units, profiles=profiles, platform=PLATFORM
    )


@bp.route("/<int:unit_id>", methods=["GET", "POST"])
def edit(unit_id: int) -> str | Response:
    """Edit the profile of instansi ``unit_id`` (0: the platform's); made on first visit."""
    issuer = _profile(unit_id)
    db.session.commit()  # a profile (and key) made on this first visit
    form = IssuerForm(obj=issuer)
    if form.validate_on_submit():
        upload = form.logo.data
        edit_ = ProfileEdit(
            name=form.name.data or "",
            address=form.address.data or "",
            city=form.city.data or "",
            logo=upload.read() if upload else None,
            remove_logo=bool(form.remove_logo.data),
        )
        try:
            changed = update_profile(issuer, edit_, current_user, clock.now())
        except LogoRefused as exc:
            db.session.rollback()
            form.logo.errors = [*form.logo.errors, _logo_problem(exc.reason)]
        else:
            db.session.commit()
            flash(
                _("Profil penerbit disimpan.") if changed else _("Tidak ada perubahan."), "success"
            )
            return redirect(url_for(".edit", unit_id=unit_id))
    return render_template(
        "issuers/admin_form.html", form=form, issuer=issuer, key=current_key_row(issuer)
    )


def _profile(unit_id: int) -> IssuerProfile:
    settings, keys, now = current_settings(), current_keystore(), clock.now()
    if unit_id == PLATFORM:
        return platform_issuer(settings, keys, now)
    unit = db.get_or_404(Unit, unit_id)
    if unit.kind != UnitKind.INSTANSI:
        abort(404)
    return issuer_of_unit(unit, settings, keys, now)


def _logo_problem(reason: str) -> str:
    problems = {
        "empty": _("Berkas logo kosong."),
        "too_large": _("Logo terlalu besar (paling besar 1 MB)."),
        "format": _("Logo harus berupa gambar PNG atau JPEG."),
        "too_many_pixels": _("Gambar logo terlalu besar (paling banyak 4000 × 4000 piksel)."),
    }
    return problems.get(reason, _("Berkas bukan gambar PNG atau JPEG yang dapat dibaca."))
