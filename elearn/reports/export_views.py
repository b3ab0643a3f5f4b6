"""Streamed CSV and XLSX exports of enrolment data, scoped to the viewer's units."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import Protocol

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import current_user

from elearn import clock
from elearn.auth.access import role_required
from elearn.extensions import db
from elearn.i18n import zone_of
from elearn.models import Role, User
from elearn.replica import read_from_replica
from elearn.reports.audit import audit
from elearn.reports.csv_stream import EnrollmentCsv
from elearn.reports.export_jobs import FILTER_ARGS, FORMATS, count_rows
from elearn.reports.exports import xlsx_chunks
from elearn.reports.filter_choices import filter_choices
from elearn.reports.filters import InvalidFilter, ReportFilter
from elearn.reports.rows import EnrollmentRow, UnitNames, enrollment_statement, paged_rows
from elearn.reports.scope import report_unit_ids
from elearn.settings import current_settings

bp = Blueprint("exports", __name__, url_prefix="/reports/export")
bp.before_request(read_from_replica)

STAFF = (Role.EVALUATOR, Role.COORDINATOR, Role.ADMIN)
XLSX_TYPE = FORMATS["xlsx"]


class Counted(Protocol):
    """Something that knows how many rows it has read."""

    count: int


class CountedRows:
    """Pass rows through, counting them for the audit log."""

    def __init__(self, rows: Iterable[EnrollmentRow]) -> None:
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[EnrollmentRow]:
        for row in self._rows:
            self.count += 1
            yield row


@bp.route("/")
@role_required(*STAFF)
def index() -> str | tuple[str, int]:
    try:
        report_filter = ReportFilter.from_args(request.args)
    except InvalidFilter as exc:
        return render_template("reports/bad_filter.html", message=str(exc)), 400
    units = report_unit_ids(current_user)
    return render_template(
        "reports/export.html",
        filter=report_filter,
        **filter_choices(units),
    )


@bp.route("/enrollments.csv")
@role_required(*STAFF)
def enrollments_csv() -> Response | tuple[str, int]:
    return _download("csv")


@bp.route("/enrollments.xlsx")
@role_required(*STAFF)
def enrollments_xlsx() -> Response | tuple[str, int]:
    return _download("xlsx")


def _download(kind: str) -> Response | tuple[str, int]:
    """Stream the export; the audit entry is written once the stream ends."""
    try:
        report_filter = ReportFilter.from_args(request.args)
    except InvalidFilter as exc:
        return render_template("reports/bad_filter.html", message=str(exc)), 400
    user: User = current_user._get_current_object()
    user_id, zone = user.id, zone_of(user)
    names = UnitNames()
    statement = enrollment_statement(report_filter, report_unit_ids(user), names, zone)
    total = count_rows(statement)
    if total > current_settings().export_direct_max_rows:
        # Too long to stream from a web worker: offer to build the file in a job
        # (export_job_views); the request key makes a double click start it once.
        return render_template(
            "reports/export_large.html",
            filter=report_filter,
            args={name: request.args.get(name, "") for name in FILTER_ARGS},
            format=kind,
            total=total,
            request_key=uuid.uuid4().hex,
        ), 200
    # End the view's read transaction now rather than at teardown: on SQLite it
    # holds the write lock, and the stream may not start (or end) for a while.
    db.session.commit()
    rows: Counted
    if kind == "csv":
        rows = export = EnrollmentCsv(statement, names, zone)
        chunks, mimetype = iter(export), "text/csv"
    else:
        rows = counted = CountedRows(paged_rows(statement, names))
        chunks, mimetype = xlsx_chunks(counted, zone=zone), XLSX_TYPE
    body = stream_with_context(_audited(chunks, rows, user_id, f"export.{kind}", report_filter))
    day = clock.now().astimezone(zone).strftime("%Y%m%d")
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="enrollments-{day}.{kind}"',
            "Cache-Control": "no-store",
        },
    )


def _audited(
    chunks: Iterator[bytes],
    rows: Counted,
    user_id: int,
    action: str,
    report_filter: ReportFilter,
) -> Iterator[bytes]:
    """Yield ``chunks``, then audit the export, also when the client went away mid-stream."""
    finished = False
    try:
        yield from chunks
        finished = True
    finally:
        # A disconnect arrives here as GeneratorExit, possibly in the middle of a
        # read; end whatever transaction is open before writing the audit entry.
        db.session.rollback()
        filters = report_filter.describe()
        if not finished:
            filters["interrupted"] = "true"
        # The request's session is gone by now (streams outlive it): load the user anew.
        audit(db.session.get(User, user_id), action, filters, rows.count)
        db.session.commit()
