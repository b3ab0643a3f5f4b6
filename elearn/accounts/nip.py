"""NIP (Nomor Induk Pegawai) rules.

A PNS NIP is 18 digits: birth date YYYYMMDD, TMT CPNS YYYYMM, gender 1/2,
sequence 001–999. An NI PPPK has the same shape, but digits 13–14 are a code,
not a month, so only the year of that part is checked.
"""

from __future__ import annotations

import re
from datetime import date

from elearn import clock
from elearn.models.user import EmployeeType
from elearn.problem_text import Problem

_SEPARATORS = re.compile(r"[\s.\-]")
_EIGHTEEN_DIGITS = re.compile(r"\d{18}")


class InvalidNip(ValueError):
    """The NIP breaks a rule; the message is in Indonesian, for the user."""


def normalize_nip(raw: str) -> str:
    """Drop the spaces, dots and dashes people type between NIP groups."""
    return _SEPARATORS.sub("", raw or "")


def validate_nip(
    raw: str, employee_type: EmployeeType = EmployeeType.PNS, *, today: date | None = None
) -> str:
    """Return the normalised NIP or raise InvalidNip explaining what is wrong."""
    nip = normalize_nip(raw)
    today = today or clock.now().date()
    if not _EIGHTEEN_DIGITS.fullmatch(nip):
        raise InvalidNip(Problem("NIP harus terdiri dari 18 angka."))

    try:
        birth = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise InvalidNip(Problem("Tanggal lahir pada NIP (8 angka pertama) tidak valid.")) from None
    if birth.year < 1940 or birth > today:
        raise InvalidNip(Problem("Tahun lahir pada NIP tidak masuk akal."))

    tmt_year, tmt_month = int(nip[8:12]), int(nip[12:14])
    if employee_type is EmployeeType.PNS and not 1 <= tmt_month <= 12:
        raise InvalidNip(Problem("Bulan TMT CPNS pada NIP (angka ke-13 dan 14) harus 01–12."))
    if tmt_year > today.year:
        raise InvalidNip(Problem("Tahun TMT pada NIP (angka ke-9 sampai 12) belum terjadi."))
    eighteenth = (birth.year + 18, birth.month)
    if employee_type is EmployeeType.PNS:
        if (tmt_year, tmt_month) < eighteenth:
            raise InvalidNip(Problem("TMT CPNS pada NIP harus setelah usia 18 tahun."))
    elif tmt_year < eighteenth[0]:
        raise InvalidNip(Problem("Tahun pengangkatan pada NI PPPK harus setelah usia 18 tahun."))

    if nip[14] not in "12":
        raise InvalidNip(Problem("Angka jenis kelamin pada NIP (angka ke-15) harus 1 atau 2."))
    if nip[15:] == "000":
        raise InvalidNip(Problem("Nomor urut pada NIP (3 angka terakhir) tidak boleh 000."))
    return nip


def mask_nip(nip: str) -> str:
    """Hide birth date and gender for public pages: ``198609**********01``."""
    return nip[:6] + "*" * 10 + nip[-2:]
