"""Reading an imported CSV into numbered rows, with the header and shape checked first."""

from __future__ import annotations

import csv
from dataclasses import dataclass

from elearn.accounts.csv_import import (
    ImportFailed,
    ImportProblem,
    csv_reader,
    numbered_records,
    unreadable,
)
from elearn.problem_text import Problem


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


def read_rows(
    text: str, required: tuple[str, ...], optional: tuple[str, ...], *, max_rows: int
) -> tuple[list[Row], list[ImportProblem]]:
    """Every non-blank row by its line, and the problems of the file's shape.

    Raise ImportFailed at once when the header is unusable: no row can be read then.
    """
    reader = csv_reader(text)
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        raise ImportFailed([ImportProblem(1, unreadable(exc))]) from None
    header = [name.strip().lower() for name in fieldnames]
    missing = [column for column in required if column not in header]
    if missing:
        message = Problem("kolom wajib tidak ada: %(columns)s", columns=", ".join(missing))
        raise ImportFailed([ImportProblem(1, message)])
    unknown = [column for column in header if column not in required + optional]
    if unknown:
        message = Problem("kolom tidak dikenal: %(columns)s", columns=", ".join(unknown))
        raise ImportFailed([ImportProblem(1, message)])

    rows: list[Row] = []
    problems: list[ImportProblem] = []
    for line, record in numbered_records(reader, problems):
        if None in record:
            problems.append(ImportProblem(line, Problem("jumlah kolom melebihi judul kolom")))
            continue
        values = {k.strip().lower(): (v or "").strip() for k, v in record.items()}
        if not any(values.values()):
            continue
        if len(rows) == max_rows:
            problems.append(
                ImportProblem(line, Problem("berkas melebihi batas %(n)d baris", n=max_rows))
            )
            break
        nul = next((column for column, value in values.items() if "\x00" in value), None)
        if nul is not None:
            message = Problem("kolom '%(column)s' berisi karakter NUL", column=nul)
            problems.append(ImportProblem(line, message))
            continue
        rows.append(Row(line, values))
    if not rows and not problems:
        problems.append(ImportProblem(2, Problem("berkas tidak berisi baris data")))
    return rows, problems


class RowError(Exception):
    """One row's problem; the message is a Problem (Indonesian, translatable)."""


def required_text(values: dict[str, str], column: str, limit: int) -> str:
    value = values.get(column, "")
    if not value:
        raise RowError(Problem("kolom '%(column)s' kosong", column=column))
    if len(value) > limit:
        raise RowError(
            Problem("kolom '%(column)s' lebih dari %(n)d karakter", column=column, n=limit)
        )
    return value


def level_of(values: dict[str, str], column: str = "level") -> int:
    raw = values.get(column, "")
    if raw not in {"1", "2", "3", "4", "5"}:
        raise RowError(Problem("level harus angka 1–5, bukan '%(value)s'", value=raw))
    return int(raw)
