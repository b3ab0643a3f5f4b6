"""Admin pages: users, units and bulk import."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from elearn.accounts.csv_import import ImportFailed, decode_csv, import_learners
from elearn.accounts.nip import normalize_nip
from elearn.accounts.services import (
    AccountError,
    UserData,
    create_user,
    set_active,
    set_password,
    update_user,
)
from elearn.accounts.units import UnitData, save_unit, unit_choices
from elearn.admin.forms import ConfirmForm, ImportForm, UnitForm, UserForm
from elearn.auth.access import role_required
from elearn.auth.duties import OwnRecordRefused
from elearn.extensions import db
from elearn.main.input_guard import page_number
from elearn.models import EmployeeType, Role, Unit, UnitKind, User
from elearn.privacy.subject import anonymise
from elearn.problem_text import problem_of, translated
from elearn.settings import current_settings

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


@bp.before_request
@role_required(Role.ADMIN)
def _admins_only() -> None:
    """Every page here is for admins only."""


@bp.route("/users")
def users() -> str:
    query = request.args.get("q", "").strip()
    page = page_number(request.args)
    statement = select(User).order_by(User.full_name)
    if query:
        like = f"%{query.lower()}%"
        statement = statement.where(
            or_(
                func.lower(User.full_name).like(like),
                User.nip.like(f"%{normalize_nip(query)}%"),
                func.lower(User.email).like(like),
            )
        )
    pagination = db.paginate(statement, page=page, per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "admin/users.html", pagination=pagination, query=query, confirm=ConfirmForm()
    )


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user) if user and request.method == "GET" else UserForm()
    choices = unit_choices()
    form.unit_id.choices = choices
    form.scope_unit_ids.choices = choices
    if user and request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.scope_unit_ids.data = sorted({s.unit_id for s in user.role_scopes})
    return form


def _form_data(form: UserForm, user: User | None = None) -> UserData:
    data = _submitted(form)
    if user is not None and user.id == current_user.id:
        # One's own page shows no role or scope fields: absent means "unchanged". A request
        # that does send them still reaches update_user, which refuses a change.
        if not form.roles.raw_data:
            data.roles = set(user.roles)
        if not form.scope_unit_ids.raw_data:
            data.scope_unit_ids = {scope.unit_id for scope in user.role_scopes}
    return data


def _submitted(form: UserForm) -> UserData:
    return UserData(
        nip=form.nip.data or "",
        full_name=form.full_name.data or "",
        unit_id=form.unit_id.data or 0,
        employee_type=EmployeeType(form.employee_type.data),
        email=form.email.data or None,
        position=form.position.data,
        rank=form.rank.data,
        roles={Role(r) for r in form.roles.data or []},
        scope_unit_ids=set(form.scope_unit_ids.data or []),
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> str | Response:
    form = _user_form()
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors = [_("Kata sandi awal wajib diisi.")]
        else:
            try:
                user = create_user(_form_data(form), form.password.data, must_change_password=True)
            except AccountError as exc:
                flash(translated(problem_of(exc), _), "error")
            else:
                db.session.commit()
                flash(_("Akun %(name)s dibuat.", name=user.full_name), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int) -> str | Response:
    user = db.get_or_404(User, user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            update_user(user, _form_data(form, user), actor=current_user)
            if form.password.data:
                set_password(user, form.password.data, must_change=True)
        except OwnRecordRefused:
            db.session.commit()  # only the audit entry of the refusal
            abort(403, _("Anda tidak dapat mengubah peran atau lingkup unit akun Anda sendiri."))
        except AccountError as exc:
            db.session.rollback()
            flash(translated(problem_of(exc), _), "error")
        else:
            db.session.commit()
            flash(_("Perubahan disimpan."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, confirm=ConfirmForm())


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def toggle_active(user_id: int) -> Response:
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        set_active(user, not user.is_active, actor=current_user)
    except OwnRecordRefused:
        db.session.commit()  # only the audit entry of the refusal
        abort(403, _("Anda tidak dapat menonaktifkan akun Anda sendiri."))
    db.session.commit()
    message = _("Akun diaktifkan.") if user.is_active else _("Akun dinonaktifkan.")
    flash(message, "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/anonymise", methods=["POST"])
def anonymise_user(user_id: int) -> Response:
    """Erase a departed user's identity; their certificates stay verifiable as issued."""
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("Anda tidak dapat menganonimkan akun Anda sendiri."), "error")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    anonymise(user)
    db.session.commit()
    flash(
        _("Data pribadi pengguna telah dihapus; sertifikatnya tetap dapat diverifikasi."), "success"
    )
    return redirect(url_for("admin.users"))


@bp.route("/users/import", methods=["GET", "POST"])
def import_users() -> str:
    form = ImportForm()
    problems: list[str] = []
    imported = []
    if form.validate_on_submit():
        text = decode_csv(form.file.data.read())
        try:
            imported = import_learners(text, max_rows=current_settings().csv_import_max_rows)
        except ImportFailed as exc:
            db.session.rollback()
            problems = [
                _("baris %(n)d: %(message)s", n=p.line, message=translated(p.message, _))
                for p in exc.problems
            ]
        else:
            db.session.commit()
            flash(_("%(n)d peserta diimpor.", n=len(imported)), "success")
    return render_template("admin/import.html", form=form, problems=problems, imported=imported)


@bp.route("/units")
def units() -> str:
    roots = db.session.scalars(
        select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.name)
    ).all()
    return render_template("admin/units.html", roots=roots)


def _unit_form(unit: Unit | None = None) -> UnitForm:
    form = UnitForm(obj=unit) if unit and request.method == "GET" else UnitForm()
    form.parent_id.choices = [SelectChoice("0", _("— tanpa induk —")), *unit_choices()]
    if unit and request.method == "GET":
        form.parent_id.data = unit.parent_id or 0
        form.timezone.data = unit.timezone or ""
    return form


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def edit_unit(unit_id: int | None = None) -> str | Response:
    unit = db.get_or_404(Unit, unit_id) if unit_id else None
    form = _unit_form(unit)
    if form.validate_on_submit():
        data = UnitData(
            code=form.code.data or "",
            name=form.name.data or "",
            kind=UnitKind(form.kind.data),
            parent_id=form.parent_id.data or None,
            timezone=form.timezone.data or None,
            siasn_unor_id=form.siasn_unor_id.data,
        )
        try:
            save_unit(data, unit)
        except AccountError as exc:
            db.session.rollback()
            flash(translated(problem_of(exc), _), "error")
        else:
            db.session.commit()
            flash(_("Unit disimpan."), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", form=form, unit=unit)
