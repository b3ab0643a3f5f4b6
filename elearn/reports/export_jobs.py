"""The ``export.enrollments`` job: build a large CSV or XLSX file, kept 24 h for its requester.

Small exports stream straight from the request (``export_views``); past
EXPORT_DIRECT_MAX_ROWS rows a download would hold a web worker for minutes,
so the file is built by a worker, with its progress on the job.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Select, func, select

from elearn import clock
from elearn.blobs import BlobStore
from elearn.extensions import db
from elearn.i18n import zone_of
from elearn.jobs.registry import JobContext, JobKind, Outcome, PermanentFailure, Progress
from elearn.models import User
from elearn.reports.csv_stream import EnrollmentCsv
from elearn.reports.exports import xlsx_file
from elearn.reports.filters import InvalidFilter, ReportFilter
from elearn.reports.rows import PAGE, EnrollmentRow, UnitNames, enrollment_statement, paged_rows
from elearn.reports.scope import report_unit_ids

KIND = "export.enrollments"
FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FILTER_ARGS = ("since", "until", "unit", "course", "category", "competency", "status")
KEEP = timedelta(hours=24)


def count_rows(statement: Select) -> int:
    """How many rows an unlimited ``enrollment_statement`` yields."""
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return db.session.scalar(counted) or 0


def export_kind(store: BlobStore) -> JobKind:
    """The kind, storing its files in ``store``."""

    def run(context: JobContext) -> Outcome:
        return build_export(context, store)

    # A worker reports progress every page, which renews its lease.
    return JobKind(KIND, run, max_attempts=3, lease_seconds=600)


def build_export(context: JobContext, store: BlobStore) -> Outcome:
    """Write the requester's export to a temporary file, then into ``store``."""
    args = context.args
    kind = args.get("format")
    user = db.session.get(User, int(args["user_id"]))
    if kind not in FORMATS or user is None or not user.is_active:
        raise PermanentFailure("format tidak dikenal atau pengguna tidak ada")
    try:
        report_filter = ReportFilter.from_args(args.get("filters", {}))
    except InvalidFilter as exc:
        raise PermanentFailure(str(exc)) from exc
    zone = zone_of(user)
    names = UnitNames()
    statement = enrollment_statement(report_filter, report_unit_ids(user), names, zone)
    total = count_rows(statement)
    owner_id = user.id
    # Nothing stays open while the file is written: progress reports need the write lock.
    db.session.commit()
    day = clock.now().astimezone(zone).strftime("%Y%m%d")
    filename = f"enrollments-{day}.{kind}"
    with tempfile.TemporaryDirectory(prefix="elearn-export-") as folder:
        path = Path(folder) / filename
        if kind == "csv":
            export = EnrollmentCsv(statement, names, zone)
            with path.open("wb") as spool:
                for chunk in export:
                    spool.write(chunk)
                    context.progress(_percent(export.count, total))
            rows = export.count
        else:
            counted = _Reported(paged_rows(statement, names), total, context.progress)
            xlsx_file(counted, path, zone=zone)
            rows = counted.count
        with path.open("rb") as built:
            ref = store.put(
                built,
                filename=filename,
                content_type=FORMATS[kind],
                owner_id=owner_id,
                expires_at=clock.now() + KEEP,
            )
    db.session.commit()
    info = {"rows": rows, "format": kind, "filename": filename, "filters": report_filter.describe()}
    return Outcome(result=ref, info=info)


def _percent(done: int, total: int) -> int:
    return 99 if not total else min(99, done * 100 // total)


class _Reported:
    """Pass rows through, counting them and reporting progress after every page read."""

    def __init__(self, rows: Iterator[EnrollmentRow], total: int, progress: Progress) -> None:
        self._rows = rows
        self._total = total
        self._progress = progress
        self.count = 0

    def __iter__(self) -> Iterator[EnrollmentRow]:
        for row in self._rows:
            self.count += 1
            if self.count % PAGE == 0:
                # paged_rows committed after reading this page: no transaction is open.
                self._progress(_percent(self.count, self._total))
            yield row
