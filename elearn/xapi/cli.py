"""``flask xapi ...``: export learning events as xAPI statements, deliver them to the LRS."""

from __future__ import annotations

from datetime import datetime
from typing import IO
from zoneinfo import ZoneInfo

import click

from elearn.extensions import db
from elearn.replica import replica_reads
from elearn.reports.audit import audit
from elearn.reports.filters import ReportFilter
from elearn.settings import current_settings
from elearn.xapi.delivery import deliver_pending
from elearn.xapi.export import (
    EventScope,
    event_statement,
    freeze,
    json_line,
    stream_statements,
    unit_ids_by_code,
)
from elearn.xapi.outbox import outbox_status, requeue_rejected
from elearn.xapi.settings import XapiNotConfigured, home_page
from elearn.xapi.statements import xapi_timestamp

xapi_cli = click.Group("xapi", help="xAPI statements: export and LRS delivery.")

DAY = click.DateTime(formats=["%Y-%m-%d"])


@xapi_cli.command("export")
@click.option("--since", type=DAY, help="First day (YYYY-MM-DD, DEFAULT_TIMEZONE).")
@click.option("--until", type=DAY, help="Last day, inclusive.")
@click.option("--unit", "unit_code", default="", help="A unit code; its sub-units are included.")
@click.option("--course", default="", help="A course slug.")
@click.option(
    "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-", help="File."
)
def export_command(
    since: datetime | None, until: datetime | None, unit_code: str, course: str, output: IO[str]
) -> None:
    """Write learning events as xAPI statements, one JSON object per line."""
    report_filter = ReportFilter(
        since=since.date() if since else None,
        until=until.date() if until else None,
        unit_code=unit_code.strip(),
        course=course.strip(),
    )
    if report_filter.since and report_filter.until and report_filter.since > report_filter.until:
        raise click.BadParameter("must not be after --until", param_hint="--since")
    codes = unit_ids_by_code()
    if report_filter.unit_code and report_filter.unit_code not in codes:
        raise click.BadParameter(f"unknown unit code {unit_code!r}", param_hint="--unit")
    try:
        base = home_page()
    except XapiNotConfigured as exc:
        raise click.ClickException(str(exc)) from None
    zone = ZoneInfo(current_settings().default_timezone)
    written = 0
    with replica_reads():
        scope = freeze(EventScope(report_filter, None, zone))
        for statement in stream_statements(event_statement(scope, codes), base):
            output.write(json_line(statement))
            written += 1
    output.flush()
    audit(None, "export.xapi", {**report_filter.describe(), "via": "cli"}, written)
    db.session.commit()
    click.echo(f"Wrote {written} statements.", err=True)


@xapi_cli.command("deliver")
@click.option("--limit", type=click.IntRange(min=1), default=1000, show_default=True)
def deliver_command(limit: int) -> None:
    """Post due statements from the outbox to the LRS (XAPI_LRS_URL)."""
    try:
        report = deliver_pending(limit)
    except XapiNotConfigured as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Delivered {report.delivered} statements ({report.duplicates} already in the LRS).")
    for event_id, error in report.rejected:
        click.echo(f"Rejected for good: event {event_id}: {error}", err=True)
    if report.error:
        click.echo(f"LRS failure, {report.retrying} statements to retry: {report.error}", err=True)
    if report.next_attempt_at is not None:
        click.echo(f"Next attempt at {xapi_timestamp(report.next_attempt_at)}.")
    if not report.ok:
        raise SystemExit(1)


@xapi_cli.command("status")
def status_command() -> None:
    """Count the outbox: pending, failing, rejected and delivered statements."""
    status = outbox_status()
    click.echo(f"pending: {status.pending}")
    click.echo(f"failing: {status.failing}")
    click.echo(f"rejected: {status.rejected}")
    click.echo(f"delivered: {status.delivered}")
    if status.next_attempt_at is not None:
        click.echo(f"next attempt: {xapi_timestamp(status.next_attempt_at)}")
    if status.last_error:
        click.echo(f"last error: {status.last_error}")


@xapi_cli.command("requeue")
def requeue_command() -> None:
    """Retry the statements the LRS rejected for good, rebuilt from their events."""
    try:
        count = requeue_rejected()
    except XapiNotConfigured as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Re-queued {count} statements.")
