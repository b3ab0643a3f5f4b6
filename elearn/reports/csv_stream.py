"""The enrolment CSV at near-COPY speed, byte for byte the file ``csv_chunks`` writes.

On PostgreSQL the database writes the rows itself (``COPY (SELECT …) TO STDOUT``):
dates, formula neutralising and control-character removal happen in SQL, and
the cells that come from small tables (unit paths, course versions) are
rendered once in Python and joined in as arrays. Elsewhere (SQLite) rows come
as plain tuples and only the per-row text goes through a precompiled check.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime, tzinfo
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Select, select

from elearn.exports.cells import FORMULA_PREFIXES
from elearn.extensions import db
from elearn.models import Certificate, Course, CourseVersion, Enrollment, User
from elearn.reports.exports import CHUNK, STATUS_LABELS, csv_header, safe_text
from elearn.reports.rows import UnitNames, paged_tuples

DONE, BUSY = STATUS_LABELS["completed"], STATUS_LABELS["in_progress"]
# A cell needs safe_text's full treatment only if it starts like a formula or
# holds a control character; most cells do neither and are written as they are.
_NEEDS_CARE = re.compile(
    "^[" + re.escape("".join(FORMULA_PREFIXES)) + "]|" + ILLEGAL_CHARACTERS_RE.pattern
)
# The characters ILLEGAL_CHARACTERS_RE removes, for SQL's translate() (NUL
# cannot be stored in PostgreSQL text, so it is left out).
_CONTROL = "".join(chr(c) for c in range(1, 32) if ILLEGAL_CHARACTERS_RE.match(chr(c)))
# ISO 8601 to the second with the session zone's offset, as isoformat() writes it.
_ISO = 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM'


class EnrollmentCsv:
    """Iterate to get the CSV's chunks; ``count`` is the number of rows sent so far."""

    def __init__(
        self, statement: Select, names: UnitNames, zone: tzinfo, *, chunk_size: int = CHUNK
    ) -> None:
        """``statement`` is an unlimited ``enrollment_statement``; only its filters are used."""
        self.statement = statement
        self.names = names
        self.zone = zone
        self.chunk_size = chunk_size
        self.count = 0

    def __iter__(self) -> Iterator[bytes]:
        # The header goes out at once, so the browser starts the download before the query ends.
        yield csv_header()
        if db.session.get_bind().dialect.name == "postgresql":
            yield from self._copied()
        else:
            yield from self._written()

    def _columns(self) -> Select:
        return self.statement.with_only_columns(
            Enrollment.id.label("id"),
            User.nip.label("nip"),
            User.full_name.label("name"),
            User.unit_id.label("unit_id"),
            Enrollment.version_id.label("version_id"),
            Enrollment.enrolled_at.label("enrolled_at"),
            Enrollment.completed_at.label("completed_at"),
            Certificate.number.label("certificate"),
            Certificate.revoked_at.label("revoked_at"),
            Enrollment.updated_at.label("updated_at"),
            maintain_column_froms=True,
        )

    def _unit_cells(self) -> dict[int, tuple[str, str]]:
        return {
            uid: (safe_text(self.names.instansi[uid]), safe_text(self.names.path[uid]))
            for uid in self.names.path
        }

    def _written(self) -> Iterator[bytes]:
        units, versions, zone = self._unit_cells(), version_cells(), self.zone
        no_unit = ("", "")
        buffer = io.StringIO()
        writerow = csv.writer(buffer).writerow
        for page in paged_tuples(self._columns()):
            for eid, nip, name, unit_id, vid, enrolled, completed, number, revoked, updated in page:
                writerow(
                    (
                        eid,
                        _clean(nip),
                        _clean(name),
                        *units.get(unit_id, no_unit),
                        *versions[vid],
                        DONE if completed else BUSY,
                        _iso(enrolled, zone),
                        _iso(completed, zone),
                        _clean(number),
                        _iso(revoked, zone),
                        _iso(updated, zone),
                    )
                )
                self.count += 1
                if buffer.tell() >= self.chunk_size:
                    yield _drain(buffer)
        if buffer.tell():
            yield _drain(buffer)

    def _copied(self) -> Iterator[bytes]:
        units, versions = self._unit_cells(), version_cells()
        inner = self._columns().order_by(None)
        compiled = inner.compile(
            dialect=db.session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
        )
        params: dict[str, Any] = dict(compiled.params)
        params.update(
            zone=str(self.zone),
            control=_CONTROL,
            control_class=f"[{_CONTROL}]",
            done=DONE,
            busy=BUSY,
            iso=_ISO,
            unit_ids=list(units),
            instansi=[_null(cells[0]) for cells in units.values()],
            paths=[_null(cells[1]) for cells in units.values()],
            version_ids=list(versions),
            **{f"v{i}": [_null(cells[i]) for cells in versions.values()] for i in range(6)},
        )
        query = _COPY.format(inner=str(compiled), clean_nip=_sql_clean("e.nip"),
                             clean_name=_sql_clean("e.name"),
                             clean_certificate=_sql_clean("e.certificate"))  # fmt: skip
        # Named by its SELECT, the connection is the replica's when the request reads from one.
        raw = db.session.connection(bind_arguments={"clause": inner}).connection.driver_connection
        if raw is None:
            raise RuntimeError("no open PostgreSQL connection")
        buffer = bytearray()
        with raw.cursor() as cursor:
            # Local to this transaction: dates are written in the viewer's zone.
            cursor.execute("SELECT set_config('TimeZone', %(zone)s, true)", params)
            with cursor.copy(query, params) as copy:
                # psycopg hands over one row at a time, ending in "\n"; Excel's CSV has CRLF.
                for row in copy:
                    buffer += row[:-1]
                    buffer += b"\r\n"
                    self.count += 1
                    if len(buffer) >= self.chunk_size:
                        yield bytes(buffer)
                        buffer.clear()
        if buffer:
            yield bytes(buffer)


def version_cells() -> dict[int, tuple[str, ...]]:
    """Course code, title, version, category, competency and JP of every version, as cells."""
    rows = db.session.execute(
        select(
            CourseVersion.id,
            Course.slug,
            CourseVersion.title,
            CourseVersion.number,
            CourseVersion.category,
            CourseVersion.competency,
            CourseVersion.jp,
        ).join(Course, CourseVersion.course_id == Course.id)
    )
    return {vid: tuple(safe_text(value) for value in values) for vid, *values in rows}


def _clean(text: str | None) -> str:
    if text is None:
        return ""
    return safe_text(text) if _NEEDS_CARE.search(text) else text


def _iso(value: datetime | None, zone: tzinfo) -> str:
    return "" if value is None else value.astimezone(zone).isoformat(timespec="seconds")


def _null(cell: str) -> str | None:
    # COPY writes NULL as an empty field and "" as a quoted one; csv.writer writes both bare.
    return cell or None


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def _sql_clean(column: str) -> str:
    """SQL for safe_text: drop control characters, then a quote before a formula start."""
    # translate() is slow (10 s a million names); the regular expression only looks.
    text = (
        f"CASE WHEN {column} ~ %(control_class)s "
        f"THEN translate({column}, %(control)s, '') ELSE {column} END"
    )
    starts = ", ".join(f"chr({ord(p)})" for p in FORMULA_PREFIXES)
    return (
        f"NULLIF(CASE WHEN left({text}, 1) IN ({starts}) THEN '''' || {text} ELSE {text} END, '')"
    )


_COPY = """COPY (
SELECT e.id, {clean_nip}, {clean_name}, u.instansi, u.path,
       v.slug, v.title, v.number, v.category, v.competency, v.jp,
       CASE WHEN e.completed_at IS NULL THEN %(busy)s ELSE %(done)s END,
       to_char(e.enrolled_at, %(iso)s), to_char(e.completed_at, %(iso)s),
       {clean_certificate}, to_char(e.revoked_at, %(iso)s), to_char(e.updated_at, %(iso)s)
FROM ({inner}) AS e
LEFT JOIN unnest(%(unit_ids)s::integer[], %(instansi)s::text[], %(paths)s::text[])
       AS u (unit_id, instansi, path) ON u.unit_id = e.unit_id
JOIN unnest(%(version_ids)s::integer[], %(v0)s::text[], %(v1)s::text[], %(v2)s::text[],
            %(v3)s::text[], %(v4)s::text[], %(v5)s::text[])
       AS v (version_id, slug, title, number, category, competency, jp)
       ON v.version_id = e.version_id
ORDER BY e.id
) TO STDOUT (FORMAT csv)"""
