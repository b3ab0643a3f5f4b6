"""The per-instansi SIASN code lists: validation, CSV import, and saving one code."""

from __future__ import annotations

import csv
from dataclasses import dataclass

from sqlalchemy import select

from elearn import clock
from elearn.accounts.csv_import import ImportProblem, csv_reader, numbered_records, unreadable
from elearn.extensions import db
from elearn.models import CodeList, SiasnCode
from elearn.records.routes import COMPETENCY_DIKLAT, ROUTE_LABELS
from elearn.siasn.mapping import DEFAULT_KEY

# Our values a code may be given for: a route, a competency type, or the instansi default.
KEYS = frozenset(ROUTE_LABELS) | frozenset(COMPETENCY_DIKLAT) | {DEFAULT_KEY}
LISTS = tuple(item.value for item in CodeList)
COLUMNS = ("daftar", "kunci", "kode", "nama")


@dataclass(frozen=True)
class CodeRow:
    list_name: str
    key: str
    code: str
    label: str


def code_problem(row: CodeRow) -> str:
    """What is wrong with a code row, in Indonesian; "" when it can be saved."""
    if row.list_name not in LISTS:
        return f"daftar {row.list_name!r} tidak dikenal (pilih: {', '.join(LISTS)})"
    if row.key not in KEYS:
        return f"kunci {row.key!r} bukan jalur, jenis kompetensi atau 'default'"
    if not row.code:
        return "kode kosong"
    if len(row.code) > 64:
        return "kode lebih dari 64 karakter"
    if len(row.label) > 200:
        return "nama lebih dari 200 karakter"
    return ""


def parse_codes(text: str, filename: str) -> tuple[list[CodeRow], list[str]]:
    """Read code rows from CSV text; errors as ``file:line: message``."""
    errors: list[str] = []
    rows: list[CodeRow] = []
    # The same reading as the other imports: Excel's semicolons, broken quoting as a line.
    reader = csv_reader(text.lstrip("\ufeff"))
    try:
        header = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error as exc:
        return [], [f"{filename}:1: {unreadable(exc)}"]
    missing = [column for column in COLUMNS[:3] if column not in header]
    if missing:
        return [], [f"{filename}:1: kolom wajib tidak ada: {', '.join(missing)}"]
    seen: dict[tuple[str, str], int] = {}
    unread: list[ImportProblem] = []
    for line, record in numbered_records(reader, unread):
        values = {
            str(key).strip().lower(): (cell or "").strip()
            for key, cell in record.items()
            if key is not None
        }
        if not any(values.values()):
            continue
        row = CodeRow(
            values.get("daftar", ""),
            values.get("kunci", ""),
            values.get("kode", ""),
            values.get("nama", ""),
        )
        problem = code_problem(row)
        first = seen.get((row.list_name, row.key))
        if not problem and first is not None:
            problem = f"{row.list_name}/{row.key} sudah ada di baris {first}"
        if problem:
            errors.append(f"{filename}:{line}: {problem}")
            continue
        seen[(row.list_name, row.key)] = line
        rows.append(row)
    errors.extend(f"{filename}:{problem.line}: {problem.message}" for problem in unread)
    return rows, errors


def save_code(instansi_id: int, row: CodeRow) -> SiasnCode:
    """Add or replace the instansi's code for ``row``'s list and key (no commit)."""
    code = db.session.scalar(
        select(SiasnCode).where(
            SiasnCode.instansi_id == instansi_id,
            SiasnCode.list_name == row.list_name,
            SiasnCode.key == row.key,
        )
    )
    if code is None:
        code = SiasnCode(instansi_id=instansi_id, list_name=row.list_name, key=row.key)
        db.session.add(code)
    code.code = row.code
    code.label = row.label
    code.updated_at = clock.now()
    return code


def import_codes(instansi_id: int, rows: list[CodeRow]) -> int:
    for row in rows:
        save_code(instansi_id, row)
    db.session.flush()
    return len(rows)
