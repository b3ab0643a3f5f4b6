"""The AKPK of one instansi and year: a printable page, a streamed CSV and an XLSX workbook.

Evaluators and coordinators see the instansi of the units in their scope, and only those
units; admins see every instansi. Query arguments: ``year``, ``instansi`` (a unit id) and
``submitted=1`` to add plans still waiting for the supervisor's decision.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_login import current_user

from elearn.auth.access import role_required
from elearn.extensions import db
from elearn.main.input_guard import MAX_DB_INT, query_int
from elearn.models import Role, User
from elearn.records.entries import current_year
from elearn.replica import read_from_replica
from elearn.reports.akpk import (
    APPROVED_ONLY,
    WITH_SUBMITTED,
    AkpkRows,
    AkpkScope,
    instansi_choices,
    scope_for,
)
from elearn.reports.akpk_files import (
    NO_CODE,
    SOURCE_LABELS,
    STATUS_LABELS,
    csv_chunks,
    xlsx_bytes,
)
from elearn.reports.akpk_summary import summary_in_sql
from elearn.reports.audit import audit
from elearn.reports.export_jobs import FORMATS
from elearn.reports.rows import UnitNames
from elearn.reports.scope import report_unit_ids

bp = Blueprint("akpk", __name__, url_prefix="/reports/akpk")
FIRST_YEAR = 2000
PER_PAGE = 100  # needs per page; the CSV and XLSX hold them all


@bp.before_request
@role_required(Role.COORDINATOR, Role.EVALUATOR, Role.ADMIN)
def _staff_only() -> None:
    """Coordinators, evaluators and admins only."""


bp.before_request(read_from_replica)  # after the access check, which reads the user


def _asked() -> tuple[AkpkScope, list[tuple[int, str]], UnitNames]:
    """The scope the query asks for (400 on a bad year, 404 outside the viewer's units)."""
    this_year = current_year(current_user)
    # The AKPK is drawn up ahead of its year: next year is allowed too.
    year = query_int(request.args, "year", this_year, minimum=FIRST_YEAR, maximum=this_year + 1)
    asked = query_int(request.args, "instansi", 0, minimum=0, maximum=MAX_DB_INT)
    names = UnitNames()
    allowed = report_unit_ids(current_user)
    choices = instansi_choices(names, allowed)
    if not choices:
        abort(404)
    ids = [uid for uid, _ in choices]
    own = names.root.get(current_user.unit_id)
    instansi = asked or (own if own in ids else ids[0])
    statuses = WITH_SUBMITTED if request.args.get("submitted") == "1" else APPROVED_ONLY
    scope = scope_for(names, allowed, instansi, year, statuses)
    if scope is None:
        abort(404)
    return scope, choices, names


def _args(scope: AkpkScope) -> dict[str, object]:
    args: dict[str, object] = {"year": scope.year, "instansi": scope.instansi_id}
    if scope.statuses != APPROVED_ONLY:
        args["submitted"] = "1"
    return args


@bp.route("/")
def index() -> str:
    scope, choices, names = _asked()
    page = query_int(request.args, "page", 1, minimum=1, maximum=MAX_DB_INT)
    start = (page - 1) * PER_PAGE
    source = AkpkRows(scope, names)
    # The summary is counted by the database; only the page's rows are read.
    versions = (course.version_id for course in source.courses.values())
    summary = summary_in_sql(scope, names, versions)
    pages = max(1, -(-summary.total.needs // PER_PAGE))
    if page > pages:
        abort(404)
    rows = source.page(start, PER_PAGE)
    this_year = current_year(current_user)
    return render_template(
        "reports/akpk.html",
        scope=scope,
        args=_args(scope),
        page=page,
        pages=pages,
        first_number=start + 1,
        choices=choices,
        years=range(this_year + 1, this_year - 5, -1),
        rows=rows,
        summary=summary,
        source_labels=SOURCE_LABELS,
        status_labels=STATUS_LABELS,
        no_code=NO_CODE,
    )


@bp.route("/akpk.csv")
def csv_file() -> Response:
    scope, _, names = _asked()
    rows = AkpkRows(scope, names)
    # End the view's read transaction before the stream, which may take a while.
    db.session.commit()
    user_id: int = current_user.id
    body = stream_with_context(_audited(csv_chunks(rows), rows, user_id, scope))
    return _attachment(Response(body, mimetype="text/csv"), scope, "csv")


@bp.route("/akpk.xlsx")
def xlsx_file() -> Response:
    scope, _, names = _asked()
    rows = AkpkRows(scope, names)
    body = xlsx_bytes(rows, scope)
    audit(current_user, "export.akpk.xlsx", _details(scope), rows.count)
    db.session.commit()
    return _attachment(Response(body, mimetype=FORMATS["xlsx"]), scope, "xlsx")


def _attachment(response: Response, scope: AkpkScope, kind: str) -> Response:
    name = f"akpk-{scope.instansi_id}-{scope.year}.{kind}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _details(scope: AkpkScope) -> dict[str, object]:
    return {"year": scope.year, "instansi": scope.instansi_id,
            "statuses": [str(s) for s in scope.statuses]}  # fmt: skip


def _audited(
    chunks: Iterator[bytes], rows: AkpkRows, user_id: int, scope: AkpkScope
) -> Iterator[bytes]:
    """Yield ``chunks``, then audit the export, also when the client went away mid-stream."""
    details = _details(scope)
    try:
        yield from chunks
    except GeneratorExit:
        details["interrupted"] = "true"
        raise
    finally:
        db.session.rollback()
        # The request's session is gone by now (streams outlive it): load the user anew.
        audit(db.session.get(User, user_id), "export.akpk.csv", details, rows.count)
        db.session.commit()
