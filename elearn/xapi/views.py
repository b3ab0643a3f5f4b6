"""The xAPI download for evaluators: ``GET /reports/xapi.jsonl``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import current_user

from elearn import clock
from elearn.auth.access import role_required
from elearn.extensions import db
from elearn.i18n import zone_of
from elearn.models import Role
from elearn.replica import read_from_replica
from elearn.reports.audit import audit
from elearn.reports.filters import InvalidFilter, ReportFilter
from elearn.reports.scope import report_unit_ids
from elearn.xapi.export import (
    EventScope,
    count_events,
    event_statement,
    freeze,
    json_line,
    stream_statements,
    unit_ids_by_code,
)
from elearn.xapi.settings import home_page

bp = Blueprint("xapi", __name__)
bp.before_request(read_from_replica)


@bp.route("/reports/xapi.jsonl")
@role_required(Role.COORDINATOR, Role.EVALUATOR, Role.ADMIN)
def export_jsonl() -> Response | tuple[str, int]:
    """Stream the learning events in the viewer's scope as xAPI statements, one per line."""
    try:
        report_filter = ReportFilter.from_args(request.args)
    except InvalidFilter as exc:
        return render_template("reports/bad_filter.html", message=str(exc)), 400
    user = current_user._get_current_object()
    scope = freeze(EventScope(report_filter, report_unit_ids(user), zone_of(user)))
    codes = unit_ids_by_code()
    # Counted and logged before the first byte leaves, in its own commit, so a
    # download cut short (or a worker killed mid-stream) is still on record.
    audit(user, "export.xapi", report_filter.describe(), count_events(scope, codes))
    db.session.commit()
    statements = stream_statements(event_statement(scope, codes), home_page())

    def lines() -> Iterator[str]:
        with closing(statements):  # also when the client goes away mid-download
            for statement in statements:
                yield json_line(statement)

    day = clock.now().astimezone(scope.zone).strftime("%Y%m%d")
    return Response(
        stream_with_context(lines()),
        mimetype="application/x-ndjson",
        headers={
            "Content-Disposition": f'attachment; filename="xapi-{day}.jsonl"',
            "Cache-Control": "no-store",
        },
    )
