"""SIASN pages: the push status and refusals, downloads in both shapes, and the code lists.

Evaluators see their own instansi; admins pick any instansi (their own by default).
Only admins push and edit codes.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from elearn import clock
from elearn.auth.access import role_required
from elearn.extensions import db
from elearn.i18n import zone_of
from elearn.jobs.binding import current_jobs
from elearn.main.input_guard import MAX_DB_INT, query_int
from elearn.models import PushShape, Role, SiasnCode, Unit, UnitKind
from elearn.settings import current_settings
from elearn.siasn.codes import CodeRow, code_problem, save_code
from elearn.siasn.downloads import csv_text, table, xlsx_bytes
from elearn.siasn.forms import CodeForm, PushForm
from elearn.siasn.job import PUSH_KIND
from elearn.siasn.push import push_status
from elearn.siasn.records import countable_records

bp = Blueprint("siasn", __name__, url_prefix="/siasn")
STAFF = (Role.EVALUATOR, Role.ADMIN)
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _instansi() -> Unit:
    """The instansi the page is about: the user's own; admins may name another."""
    own = current_user.unit.instansi
    chosen = query_int(request.args, "instansi", 0, minimum=0, maximum=MAX_DB_INT) or None
    if chosen is None or chosen == own.id:
        return own
    if not current_user.has_role(Role.ADMIN):
        abort(404)
    unit = db.session.get(Unit, chosen)
    if unit is None or unit.kind != UnitKind.INSTANSI:
        abort(404)
    return unit


def _year() -> int:
    this_year = clock.now().astimezone(zone_of(current_user)).year
    return query_int(request.args, "year", this_year, minimum=2000, maximum=2100)


def _all_instansi() -> list[Unit]:
    if not current_user.has_role(Role.ADMIN):
        return []
    return list(
        db.session.scalars(select(Unit).where(Unit.kind == UnitKind.INSTANSI).order_by(Unit.name))
    )


@bp.route("/")
@role_required(*STAFF)
def index() -> str:
    instansi = _instansi()
    year = _year()
    return render_template(
        "siasn/index.html",
        instansi=instansi,
        year=year,
        status=push_status(year, instansi.id),
        choices=_all_instansi(),
        form=PushForm(),
        shapes=PushShape,
    )


@bp.route("/push", methods=["POST"])
@role_required(Role.ADMIN)
def push() -> WerkzeugResponse:
    instansi = _instansi()
    year = _year()
    form = PushForm()
    if form.validate_on_submit():
        args = {"year": year, "instansi_id": instansi.id, "retry_refused": form.retry.data}
        key = f"{PUSH_KIND}:{year}:{instansi.id}:{secrets.token_hex(8)}"
        job = current_jobs().submit(PUSH_KIND, args, key=key, owner_id=current_user.id)
        flash(_("Pengiriman ke SIASN dimasukkan ke antrean (pekerjaan #%(id)d).", id=job.id),
              "success")  # fmt: skip
    return redirect(url_for(".index", year=year, instansi=instansi.id))


@bp.route("/<shape>.<fmt>")
@role_required(*STAFF)
def download(shape: str, fmt: str) -> Response:
    if shape not in {s.value for s in PushShape} or fmt not in FORMATS:
        abort(404)
    instansi = _instansi()
    year = _year()
    records = countable_records(year, instansi.id, current_settings().default_timezone)
    rows = table(records, PushShape(shape))
    name = f"siasn-riwayat-{shape}-{instansi.code}-{year}.{fmt}"
    body = csv_text(rows) if fmt == "csv" else xlsx_bytes(rows, f"Riwayat {shape}")
    response = Response(body, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/codes", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def codes() -> str | WerkzeugResponse:
    instansi = _instansi()
    form = CodeForm()
    if form.validate_on_submit():
        row = CodeRow(
            form.list_name.data or "",
            form.key.data or "",
            (form.code.data or "").strip(),
            (form.label.data or "").strip(),
        )
        problem = code_problem(row)
        if problem:
            flash(problem, "error")
        else:
            save_code(instansi.id, row)
            db.session.commit()
            flash(_("Kode disimpan."), "success")
            return redirect(url_for(".codes", instansi=instansi.id))
    listed = db.session.scalars(
        select(SiasnCode)
        .where(SiasnCode.instansi_id == instansi.id)
        .order_by(SiasnCode.list_name, SiasnCode.key)
    ).all()
    return render_template(
        "siasn/codes.html", instansi=instansi, codes=listed, form=form, choices=_all_instansi(),
        delete=PushForm(),
    )  # fmt: skip


@bp.route("/codes/<int:code_id>/delete", methods=["POST"])
@role_required(Role.ADMIN)
def delete_code(code_id: int) -> WerkzeugResponse:
    code = db.get_or_404(SiasnCode, code_id)
    instansi_id = code.instansi_id
    if PushForm().validate_on_submit():
        db.session.delete(code)
        db.session.commit()
        flash(_("Kode dihapus."), "success")
    return redirect(url_for(".codes", instansi=instansi_id))
