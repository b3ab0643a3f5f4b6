"""A learner's career record (riwayat pengembangan kompetensi), ready to print or export."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class RecordRow:
    """One development activity: a certificate from this platform or an external training."""

    started_on: date
    finished_on: date
    name: str
    organiser: str
    route: str  # e.g. "e-learning", "pelatihan klasikal", "seminar", "coaching"
    competency: str  # teknis | manajerial | sosial-kultural
    jp: int
    certificate_number: str
    source: str  # "eLearn ASN" or "Eksternal"
    status: str  # "Terverifikasi", "Menunggu verifikasi", "Ditolak", "Dicabut"
    counts: bool  # whether its JP count towards the yearly total


@dataclass(frozen=True)
class YearTotal:
    year: int
    total: int
    target: int
    by_competency: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CareerRecordDocument:
    learner_name: str
    nip: str
    employee_type: str  # PNS | PPPK
    instansi: str
    unit: str
    printed_on: date
    rows: tuple[RecordRow, ...]
    totals: tuple[YearTotal, ...]  # newest year first
