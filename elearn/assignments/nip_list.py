"""A list of NIPs from CSV, checked row by row like the learner import: all rows or none."""

from __future__ import annotations

import csv
import re
from collections.abc import Collection

from sqlalchemy import select

from elearn.accounts.csv_import import ImportFailed, ImportProblem, csv_reader, numbered_records
from elearn.accounts.nip import normalize_nip
from elearn.extensions import db
from elearn.models import Role, RoleGrant, User

COLUMNS = ("nip", "nama")  # nama is for the reader's benefit and is not checked
NIP = re.compile(r"\d{18}")
LOOKUP_CHUNK = 1000
# One message for "no such NIP" and "not in your units": a coordinator learns nothing
# about accounts outside their scope.
NOT_IN_SCOPE = "NIP tidak ditemukan di unit kerja yang Anda kelola"


def learners_from_csv(text: str, allowed: Collection[int] | None, *, max_rows: int) -> list[int]:
    """Return the learner ids the CSV names, in file order.

    ``allowed`` are the units the coordinator may assign to (None: all). Raises
    ImportFailed with the line and reason of every bad row; nothing is assigned then.
    """
    reader = csv_reader(text)
    try:
        header = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error as exc:
        raise ImportFailed([ImportProblem(1, f"baris CSV tidak dapat dibaca ({exc})")]) from None
    if "nip" not in header:
        raise ImportFailed([ImportProblem(1, "kolom wajib tidak ada: nip")])
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise ImportFailed([ImportProblem(1, f"kolom tidak dikenal: {', '.join(unknown)}")])

    wanted: list[tuple[int, str]] = []
    problems: list[ImportProblem] = []
    seen: dict[str, int] = {}
    for line, row in numbered_records(reader, problems):
        if len(wanted) + len(problems) >= max_rows:
            problems.append(ImportProblem(line, f"berkas melebihi batas {max_rows} baris"))
            break
        if None in row:
            problems.append(ImportProblem(line, "jumlah kolom melebihi judul kolom"))
            continue
        values = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(values.values()):
            continue
        nip = normalize_nip(values.get("nip", ""))
        if not nip:
            problems.append(ImportProblem(line, "kolom 'nip' kosong"))
        elif not NIP.fullmatch(nip):
            problems.append(ImportProblem(line, "NIP harus 18 angka"))
        elif nip in seen:
            problems.append(ImportProblem(line, f"NIP sama dengan baris {seen[nip]}"))
        else:
            seen[nip] = line
            wanted.append((line, nip))

    found = _learners_by_nip([nip for _, nip in wanted], allowed)
    ids: list[int] = []
    for line, nip in wanted:
        learner = found.get(nip)
        if learner is None:
            problems.append(ImportProblem(line, NOT_IN_SCOPE))
        elif not learner[1]:
            problems.append(ImportProblem(line, "akun dengan NIP ini nonaktif"))
        else:
            ids.append(learner[0])
    if problems or not ids:
        problems.sort(key=lambda p: p.line)
        raise ImportFailed(problems or [ImportProblem(2, "berkas tidak berisi baris data")])
    return ids


def _learners_by_nip(
    nips: list[str], allowed: Collection[int] | None
) -> dict[str, tuple[int, bool]]:
    """NIP → (learner id, active) for learners in ``allowed`` units, a query per 1,000 NIPs."""
    learners = select(RoleGrant.user_id).where(RoleGrant.role == Role.LEARNER)
    found: dict[str, tuple[int, bool]] = {}
    for start in range(0, len(nips), LOOKUP_CHUNK):
        statement = select(User.nip, User.id, User.is_active).where(
            User.nip.in_(nips[start : start + LOOKUP_CHUNK]), User.id.in_(learners)
        )
        if allowed is not None:
            statement = statement.where(User.unit_id.in_(allowed))
        for nip, user_id, active in db.session.execute(statement):
            found[nip] = (user_id, active)
    return found
