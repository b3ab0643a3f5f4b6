"""An assignment's learners as CSV: one row each, every cell safe for a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from elearn.assignments.standing import AssigneeRow
from elearn.exports.cells import neutralise
from elearn.models import Assignment
from elearn.reports.rows import UnitNames

COLUMNS = (
    "nip",
    "nama",
    "unit_kerja",
    "jabatan",
    "status",
    "tenggat",
    "terdaftar",
    "selesai",
    "alasan_pembebasan",
)


def _day(value: date | datetime | None, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(zone).date()
    return value.strftime("%d/%m/%Y")


def assignment_csv(assignment: Assignment, rows: Iterable[AssigneeRow], names: UnitNames) -> str:
    """Return the CSV text with a BOM (Excel reads it as UTF-8); dates in the assignment's zone.

    Names, jabatan and reasons are typed by people: any cell a spreadsheet would run as
    a formula is neutralised.
    """
    zone = ZoneInfo(assignment.timezone)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    for row in rows:
        learner, enrollment = row.learner, row.enrollment
        cells = [
            learner.nip,
            learner.full_name,
            names.path.get(learner.unit_id, ""),
            learner.position or "",
            row.label,
            _day(assignment.due_on, zone),
            _day(enrollment.enrolled_at if enrollment else None, zone),
            _day(enrollment.completed_at if enrollment else None, zone),
            row.assignee.exempt_reason or "",
        ]
        writer.writerow([neutralise(cell) for cell in cells])
    return buffer.getvalue()
