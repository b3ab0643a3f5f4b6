"""CSV imports of the competency dictionary, the jabatan standards and assessment results.

Each checks every row first and writes nothing when any row is bad (as the users import
does); a good file is applied as a whole. Rows update what is already there, so a
corrected file can be imported again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import select

from elearn.accounts.csv_import import ImportFailed, ImportProblem
from elearn.accounts.nip import normalize_nip
from elearn.competencies.csv_rows import Row, RowError, level_of, read_rows, required_text
from elearn.content.course_competencies import CODE
from elearn.extensions import db
from elearn.models import (
    Competency,
    CompetencyAssessment,
    CompetencyKind,
    CompetencyLevel,
    CompetencyStandard,
    User,
)
from elearn.problem_text import Problem

LEVEL_COLUMNS = tuple(f"level_{n}" for n in range(1, 6))
DICTIONARY_COLUMNS = ("kode", "nama", "jenis", *LEVEL_COLUMNS)
STANDARD_COLUMNS = ("jabatan", "kode", "level")
ASSESSMENT_COLUMNS = ("nip", "kode", "level", "tanggal", "sumber")
MAX_DESCRIPTION = 2000
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


T = TypeVar("T")


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int


def _check_rows(
    rows: list[Row], problems: list[ImportProblem], check: Callable[[Row], T]
) -> list[T]:
    """Run ``check`` on every row; raise ImportFailed with every problem, if any."""
    checked = []
    for row in rows:
        try:
            checked.append(check(row))
        except RowError as exc:
            problems.append(ImportProblem(row.line, str(exc.args[0])))
    if problems:
        raise ImportFailed(sorted(problems, key=lambda p: p.line))
    return checked


def _code(values: dict[str, str]) -> str:
    code = required_text(values, "kode", 20)
    if not CODE.match(code):
        raise RowError(
            Problem(
                "kode '%(code)s' tidak sah (huruf, angka, titik, garis bawah, tanda hubung)",
                code=code,
            )
        )
    return code


def _earlier(seen: dict[object, int], key: object, line: int) -> int | None:
    """The line of an earlier row with the same key, else None (and remember this one)."""
    if key in seen:
        return seen[key]
    seen[key] = line
    return None


@dataclass(frozen=True)
class _DictionaryRow:
    code: str
    name: str
    kind: CompetencyKind
    levels: tuple[str, ...]


def import_dictionary(text: str, *, max_rows: int) -> ImportSummary:
    """Create or update competencies: code, name, kind and the five level descriptions."""
    rows, problems = read_rows(text, DICTIONARY_COLUMNS, (), max_rows=max_rows)
    seen: dict[object, int] = {}
    kinds = ", ".join(kind.value for kind in CompetencyKind)

    def check(row: Row) -> _DictionaryRow:
        values = row.values
        code = _code(values)
        name = required_text(values, "nama", 200)
        kind = values.get("jenis", "").lower()
        if kind not in {k.value for k in CompetencyKind}:
            raise RowError(Problem("jenis harus salah satu dari: %(kinds)s", kinds=kinds))
        levels = tuple(required_text(values, c, MAX_DESCRIPTION) for c in LEVEL_COLUMNS)
        if (earlier := _earlier(seen, code, row.line)) is not None:
            raise RowError(Problem("kode sama dengan baris %(line)d", line=earlier))
        return _DictionaryRow(code, name, CompetencyKind(kind), levels)

    checked = _check_rows(rows, problems, check)
    existing = {c.code: c for c in db.session.scalars(select(Competency))}
    created = 0
    for entry in checked:
        competency = existing.get(entry.code)
        if competency is None:
            competency = Competency(code=entry.code)
            db.session.add(competency)
            created += 1
        competency.name, competency.kind = entry.name, entry.kind
        by_level = {lv.level: lv for lv in competency.levels}
        for number, description in enumerate(entry.levels, start=1):
            if number in by_level:
                by_level[number].description = description
            else:
                competency.levels.append(CompetencyLevel(level=number, description=description))
    db.session.flush()
    return ImportSummary(created, len(checked) - created)


def _dictionary() -> dict[str, int]:
    return {code: id_ for code, id_ in db.session.execute(select(Competency.code, Competency.id))}


def _known(codes: dict[str, int], code: str) -> int:
    competency_id = codes.get(code)
    if competency_id is None:
        raise RowError(
            Problem("kode kompetensi '%(code)s' tidak ada di kamus kompetensi", code=code)
        )
    return competency_id


def import_standards(text: str, *, max_rows: int) -> ImportSummary:
    """Set the level each jabatan requires of each competency."""
    rows, problems = read_rows(text, STANDARD_COLUMNS, (), max_rows=max_rows)
    codes = _dictionary()
    seen: dict[object, int] = {}

    def check(row: Row) -> tuple[str, int, int]:
        position = required_text(row.values, "jabatan", 200)
        competency_id = _known(codes, _code(row.values))
        level = level_of(row.values)
        if (earlier := _earlier(seen, (position, competency_id), row.line)) is not None:
            raise RowError(Problem("jabatan dan kode sama dengan baris %(line)d", line=earlier))
        return position, competency_id, level

    checked = _check_rows(rows, problems, check)
    existing = {
        (s.position, s.competency_id): s for s in db.session.scalars(select(CompetencyStandard))
    }
    created = 0
    for position, competency_id, level in checked:
        standard = existing.get((position, competency_id))
        if standard is None:
            db.session.add(
                CompetencyStandard(
                    position=position, competency_id=competency_id, required_level=level
                )
            )
            created += 1
        else:
            standard.required_level = level
    db.session.flush()
    return ImportSummary(created, len(checked) - created)


def parse_date(raw: str, today: date) -> date:
    """A date as 2026-02-05 or 05/02/2026, not in the future."""
    for fmt in DATE_FORMATS:
        try:
            value = datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
        if value > today:
            raise RowError(Problem("tanggal %(date)s belum terjadi", date=raw))
        return value
    raise RowError(
        Problem("tanggal '%(value)s' tidak sah (gunakan TTTT-BB-HH atau HH/BB/TTTT)", value=raw)
    )


NIP_SHAPE = re.compile(r"^\d{18}$")


def import_assessments(text: str, *, today: date, max_rows: int) -> ImportSummary:
    """Record measured levels: NIP, competency code, level, date and source of each result."""
    rows, problems = read_rows(text, ASSESSMENT_COLUMNS, (), max_rows=max_rows)
    codes = _dictionary()
    seen: dict[object, int] = {}
    raw_nips = {normalize_nip(row.values.get("nip", "")) for row in rows}
    users = {
        nip: user_id
        for nip, user_id in db.session.execute(
            select(User.nip, User.id).where(User.nip.in_(raw_nips))
        )
    }

    def check(row: Row) -> tuple[int, int, int, date, str]:
        nip = normalize_nip(required_text(row.values, "nip", 40))
        if not NIP_SHAPE.match(nip):
            raise RowError(Problem("NIP harus 18 angka"))
        user_id = users.get(nip)
        if user_id is None:
            raise RowError(Problem("NIP %(nip)s tidak terdaftar", nip=nip))
        competency_id = _known(codes, _code(row.values))
        level = level_of(row.values)
        assessed_on = parse_date(required_text(row.values, "tanggal", 10), today)
        source = required_text(row.values, "sumber", 200)
        key = (user_id, competency_id, assessed_on, source)
        if (earlier := _earlier(seen, key, row.line)) is not None:
            raise RowError(
                Problem("NIP, kode, tanggal dan sumber sama dengan baris %(line)d", line=earlier)
            )
        return user_id, competency_id, level, assessed_on, source

    checked = _check_rows(rows, problems, check)
    user_ids = {entry[0] for entry in checked}
    existing = {
        (a.user_id, a.competency_id, a.assessed_on, a.source): a
        for a in db.session.scalars(
            select(CompetencyAssessment).where(CompetencyAssessment.user_id.in_(user_ids))
        )
    }
    created = 0
    for user_id, competency_id, level, assessed_on, source in checked:
        found = existing.get((user_id, competency_id, assessed_on, source))
        if found is None:
            db.session.add(
                CompetencyAssessment(
                    user_id=user_id,
                    competency_id=competency_id,
                    level=level,
                    assessed_on=assessed_on,
                    source=source,
                )
            )
            created += 1
        else:
            found.level = level
    db.session.flush()
    return ImportSummary(created, len(checked) - created)
