"""The enrolment CSV at near-COPY speed, byte for byte the file ``csv_chunks`` writes.

On PostgreSQL the database writes the rows itself (``COPY (SELECT …) TO STDOUT``):
dates and formula neutralising happen in SQL; the unit's and the course
version's cells (long text repeated on every row) are sent as their ids and
``CopyChunks`` puts in their cells, rendered once in Python, while it turns the
rows into CRLF chunks a batch at a time (and removes control characters, which
are rare and costly to find in SQL).
Elsewhere (SQLite) rows come as plain tuples and only the per-row text goes
through a precompiled check.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime, tzinfo
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Connection, Select, select

from elearn.database import ensure_transaction
from elearn.exports.cells import FORMULA_PREFIXES
from elearn.extensions import db
from elearn.models import Certificate, Course, CourseVersion, Enrollment, User
from elearn.reports.copy_chunks import MARK, CopyChunks, KeyTable
from elearn.reports.exports import CHUNK, STATUS_LABELS, csv_header, safe_text
from elearn.reports.rows import VERSION_COLUMNS, UnitNames, paged_tuples

DONE, BUSY = STATUS_LABELS["completed"], STATUS_LABELS["in_progress"]
# A cell needs safe_text's full treatment only if it starts like a formula or
# holds a control character; most cells do neither and are written as they are.
_NEEDS_CARE = re.compile(
    "^[" + re.escape("".join(FORMULA_PREFIXES)) + "]|" + ILLEGAL_CHARACTERS_RE.pattern
)
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
        inner = self._columns().order_by(None)
        compiled = inner.compile(
            dialect=db.session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
        )
        params: dict[str, Any] = dict(compiled.params)
        params.update(zone=str(self.zone), done=DONE, busy=BUSY, iso=_ISO, mark=MARK)
        query = _COPY.format(
            inner=str(compiled),
            **{column: _sql_neutralised(f"e.{column}") for column in _NEUTRALISED},
        )
        # Named by its SELECT, the connection is the replica's when the request reads from one.
        connection = db.session.connection(bind_arguments={"clause": inner})
        # The unit and version cells go out as keys, expanded by CopyChunks from these.
        units = KeyTable(
            {str(uid).encode(): cells for uid, cells in self._unit_cells().items()},
            lambda key: ("", ""),  # a unit newer than the names: no cells, as the row writer
        )
        versions = KeyTable(
            {str(vid).encode(): cells for vid, cells in version_cells(connection).items()},
            _version_published_since,
        )
        raw = connection.connection.driver_connection
        if raw is None:
            raise RuntimeError("no open PostgreSQL connection")
        ensure_transaction(connection)  # the page's connection reads in autocommit
        with raw.cursor() as cursor:
            # Local to this transaction: dates are written in the viewer's zone.
            cursor.execute("SELECT set_config('TimeZone', %(zone)s, true)", params)
            with cursor.copy(query, params) as copy:
                chunks = CopyChunks(
                    copy,
                    _TEXT_COLUMNS,
                    self.chunk_size,
                    key_column=_KEY_COLUMN,
                    key_tables=(units, versions),
                )
                for chunk in chunks:
                    self.count = chunks.count
                    yield chunk


def version_cells(connection: Connection | None = None) -> dict[int, tuple[str, ...]]:
    """Course code, title, version, category, competency and JP of every version, as cells."""
    return {
        vid: tuple(safe_text(value) for value in values)
        for vid, *values in (connection or db.session).execute(_VERSION_CELLS)
    }


def _version_published_since(key: bytes) -> tuple[str, ...]:
    """The cells of a version published (and enrolled in) after the export read the others.

    Versions never change once published, so any connection will do; the
    export's own is busy with the COPY.
    """
    with db.engine.connect() as connection:
        row = connection.execute(_VERSION_CELLS.where(CourseVersion.id == int(key))).one()
    return tuple(safe_text(value) for value in row[1:])


_VERSION_CELLS = select(CourseVersion.id, *VERSION_COLUMNS).join(
    Course, CourseVersion.course_id == Course.id
)


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


def _sql_neutralised(column: str) -> str:
    """SQL for neutralise (a quote before a formula start), with empty text as NULL.

    Control characters are removed later, by ``CopyChunks``: only a regular
    expression finds them here, and one a cell was most of the query's time.
    """
    starts = ", ".join(str(ord(p)) for p in FORMULA_PREFIXES)
    quoted = f"CASE WHEN ascii({column}) IN ({starts}) THEN '''' || {column} ELSE {column} END"
    return f"NULLIF({quoted}, '')"


# The text cells neutralised in SQL, by their column names in the inner SELECT.
_NEUTRALISED = ("nip", "name", "certificate")
# Their places in the file's rows, where CopyChunks removes control characters.
_TEXT_COLUMNS = (1, 2, 14)
# The COPY row's cell that holds the unit's and the version's keys (their ids):
# their eight cells are long text repeated on every row, over half of the
# file's bytes, and writing them was PostgreSQL's largest cost above a plain COPY.
_KEY_COLUMN = 3
_COPY = """COPY (
SELECT e.id, {nip}, {name},
       %(mark)s || e.unit_id || %(mark)s || e.version_id || %(mark)s,
       CASE WHEN e.completed_at IS NULL THEN %(busy)s ELSE %(done)s END,
       to_char(e.enrolled_at, %(iso)s), to_char(e.completed_at, %(iso)s),
       {certificate}, to_char(e.revoked_at, %(iso)s), to_char(e.updated_at, %(iso)s)
FROM ({inner}) AS e
ORDER BY e.id
) TO STDOUT (FORMAT csv)"""
