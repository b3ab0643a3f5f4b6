"""Bulk import of learners from CSV: every row checked first, then all or nothing."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from elearn.accounts.nip import normalize_nip
from elearn.accounts.services import AccountError, UserData, create_user
from elearn.extensions import db
from elearn.models import EmployeeType, Role, Unit, User
from elearn.problem_text import Problem, problem_of

REQUIRED_COLUMNS = ("nip", "nama", "kode_unit")
# atasan_nip: the NIP of the atasan langsung, an existing user or one in the same file.
OPTIONAL_COLUMNS = ("email", "jenis_pegawai", "jabatan", "pangkat_golongan", "atasan_nip")
# The column sizes of User; a longer value would fail in the database, not as a row problem.
MAX_LENGTHS = {
    "nama": 200, "email": 254, "jabatan": 200, "pangkat_golongan": 100, "atasan_nip": 40
}  # fmt: skip


@dataclass(frozen=True)
class ImportProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"baris {self.line}: {self.message}"


@dataclass(frozen=True)
class ImportedAccount:
    nip: str
    full_name: str
    temporary_password: str


class ImportFailed(Exception):
    """No account was created; ``problems`` lists every bad row."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def decode_csv(data: bytes) -> str:
    """Decode an uploaded file: UTF-8 (with or without BOM), else Windows-1252 from Excel."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def temporary_password() -> str:
    """A random 12-character password that never starts with "-": the credentials CSV is
    opened in spreadsheets, and a leading "-" would be read as a formula (or, prefixed to
    stop that, no longer be the password)."""
    while True:
        password = _random_password()
        if not password.startswith("-"):
            return password


def _random_password() -> str:
    return secrets.token_urlsafe(9)


def import_learners(text: str, *, max_rows: int) -> list[ImportedAccount]:
    """Create one learner per row, each with a temporary password to change at first sign-in.

    Raises ImportFailed, with the line number and reason of every bad row,
    without creating anyone when any row is bad.
    """
    reader = csv_reader(text)
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        raise ImportFailed([ImportProblem(max(reader.line_num, 1), unreadable(exc))]) from None
    header = [name.strip().lower() for name in fieldnames]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ImportFailed(
            [
                ImportProblem(
                    1, Problem("kolom wajib tidak ada: %(columns)s", columns=", ".join(missing))
                )
            ]
        )
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise ImportFailed(
            [
                ImportProblem(
                    1, Problem("kolom tidak dikenal: %(columns)s", columns=", ".join(unknown))
                )
            ]
        )

    units = {code: unit_id for unit_id, code in db.session.execute(select(Unit.id, Unit.code))}
    problems: list[ImportProblem] = []
    imported: list[ImportedAccount] = []
    seen: dict[str, int] = {}
    supervisors: list[tuple[int, User, str]] = []  # line, account, the atasan's NIP
    rows = 0
    # A savepoint lets us check every row against the database (unique NIP and
    # e-mail) and still roll back all of them if any row fails.
    savepoint = db.session.begin_nested()
    for line, row in numbered_records(reader, problems):
        rows += 1
        if rows > max_rows:
            problems.append(
                ImportProblem(line, Problem("berkas melebihi batas %(n)d baris", n=max_rows))
            )
            break
        values = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        if None in row:
            problems.append(ImportProblem(line, Problem("jumlah kolom melebihi judul kolom")))
            continue
        if not any(values.values()):
            continue
        try:
            data = _row_to_data(values, units)
            if data.nip in seen:
                raise AccountError(Problem("NIP sama dengan baris %(line)d", line=seen[data.nip]))
            seen[data.nip] = line
            password = temporary_password()
            with db.session.begin_nested():
                user = create_user(data, password, must_change_password=True)
            imported.append(ImportedAccount(user.nip, user.full_name, password))
            if values.get("atasan_nip"):
                supervisors.append((line, user, normalize_nip(values["atasan_nip"])))
        except AccountError as exc:
            problems.append(ImportProblem(line, problem_of(exc)))
    problems.extend(_set_supervisors(supervisors))
    problems.sort(key=lambda p: p.line)
    if problems or not imported:
        savepoint.rollback()
        raise ImportFailed(
            problems or [ImportProblem(2, Problem("berkas tidak berisi baris data"))]
        )
    savepoint.commit()
    return imported


def _set_supervisors(supervisors: list[tuple[int, User, str]]) -> list[ImportProblem]:
    """Link each account to its atasan langsung (after all rows, as the atasan may come later)."""
    nips = {nip for _line, _user, nip in supervisors}
    found = {u.nip: u for u in db.session.scalars(select(User).where(User.nip.in_(nips)))}
    problems = []
    for line, user, nip in supervisors:
        supervisor = found.get(nip)
        if supervisor is None:
            message = Problem("NIP atasan %(nip)s tidak terdaftar", nip=nip)
            problems.append(ImportProblem(line, message))
        elif supervisor is user:
            problems.append(ImportProblem(line, Problem("atasan tidak boleh pegawai itu sendiri")))
        else:
            user.supervisor = supervisor
    return problems


def csv_reader(text: str) -> csv.DictReader[str]:
    """Read an uploaded CSV by its header, with commas or (Excel in Indonesian) semicolons."""
    first_line = text.split("\n", 1)[0]
    # Excel with Indonesian regional settings saves CSV with semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)


def numbered_records(
    reader: csv.DictReader[str], problems: list[ImportProblem]
) -> Iterator[tuple[int, dict[Any, Any]]]:
    """Each record with the line it ends on.

    A record the reader cannot read goes into ``problems``, named by the line it starts on,
    and ends the file: the reader cannot resync after it.
    """
    line = reader.line_num  # the header's last line
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(ImportProblem(line + 1, unreadable(exc)))
            return
        line = reader.line_num
        yield line, record


def unreadable(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return Problem(
            "isian lebih dari %(n)d karakter (tanda kutip tidak ditutup?)",
            n=csv.field_size_limit(),
        )
    return Problem("baris CSV tidak dapat dibaca (%(error)s)", error=str(error))


def _row_to_data(values: dict[str, str], units: dict[str, int]) -> UserData:
    for column, value in values.items():
        if "\x00" in value:
            raise AccountError(Problem("kolom '%(column)s' berisi karakter NUL", column=column))
        if len(value) > MAX_LENGTHS.get(column, 200):
            raise AccountError(
                Problem(
                    "kolom '%(column)s' lebih dari %(n)d karakter",
                    column=column,
                    n=MAX_LENGTHS.get(column, 200),
                )
            )
    for column in REQUIRED_COLUMNS:
        if not values.get(column):
            raise AccountError(Problem("kolom '%(column)s' kosong", column=column))
    unit_id = units.get(values["kode_unit"])
    if unit_id is None:
        raise AccountError(Problem("kode unit '%(code)s' tidak dikenal", code=values["kode_unit"]))
    raw_type = (values.get("jenis_pegawai") or "PNS").upper()
    if raw_type not in EmployeeType.__members__:
        raise AccountError(Problem("jenis_pegawai harus PNS atau PPPK"))
    return UserData(
        nip=values["nip"],
        full_name=values["nama"],
        unit_id=unit_id,
        employee_type=EmployeeType(raw_type),
        email=values.get("email") or None,
        position=values.get("jabatan") or None,
        rank=values.get("pangkat_golongan") or None,
        roles={Role.LEARNER},
    )
