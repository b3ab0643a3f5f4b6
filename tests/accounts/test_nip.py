from datetime import date

import pytest

from elearn.accounts.nip import InvalidNip, mask_nip, validate_nip
from elearn.models import EmployeeType

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("198609262015051001", "198609262015051001"),
        ("19860926 201505 1 001", "198609262015051001"),
        ("19860926.201505.2.999", "198609262015052999"),
        ("200002292019011001", "200002292019011001"),  # 29 Feb of a leap year
    ],
)
def test_valid_nips_are_normalised(raw: str, expected: str) -> None:
    assert validate_nip(raw, today=TODAY) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "18 angka"),
        ("19860926201505100", "18 angka"),
        ("1986092620150510011", "18 angka"),
        ("19860926201505100A", "18 angka"),
        ("198613262015051001", "Tanggal lahir"),  # month 13
        ("199002302015051001", "Tanggal lahir"),  # 30 February
        ("190101012015051001", "Tahun lahir"),  # born 1901
        ("198609262015131001", "Bulan TMT"),  # TMT month 13
        ("198609262015001001", "Bulan TMT"),  # TMT month 00
        ("198609262000051001", "usia 18"),  # TMT at age 13
        ("198609262030051001", "belum terjadi"),  # TMT in the future
        ("198609262015053001", "jenis kelamin"),
        ("198609262015051000", "nomor urut"),
    ],
)
def test_invalid_nips_explain_the_rule_in_indonesian(raw: str, message: str) -> None:
    with pytest.raises(InvalidNip) as excinfo:
        validate_nip(raw, today=TODAY)
    assert message.lower() in str(excinfo.value).lower()


def test_pppk_code_digits_are_not_month_checked() -> None:
    nip = "199507222022212003"  # digits 13–14 are "21", a code for PPPK
    with pytest.raises(InvalidNip):
        validate_nip(nip, EmployeeType.PNS, today=TODAY)
    assert validate_nip(nip, EmployeeType.PPPK, today=TODAY) == nip


def test_mask_hides_birth_date_and_gender() -> None:
    assert mask_nip("198609262015051001") == "198609**********01"
