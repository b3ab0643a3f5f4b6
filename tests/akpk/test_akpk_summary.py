"""The AKPK page's summary, counted by the database, equals a count of the needs one by one."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskClient

from elearn.extensions import db
from elearn.models import CompetencyKind, PlanStatus, Role, Unit, User
from tests.akpk.conftest import staff
from tests.akpk.factories import (
    make_activity,
    make_assignment,
    make_competency,
    make_course,
    make_plan,
)
from tests.akpk.test_akpk_page import _rows, _text
from tests.conftest import AuthActions, FrozenClock
from tests.factories import make_unit, make_user
from tests.learning.test_statement_budget import counted

Key = tuple[str, str, str]  # code, name, kind as the page shows them
CODES = ("T.01", "T.02", "M.01", "X.99", None)  # X.99 is not in the dictionary
DICTIONARY = {
    "T.01": ("Analisis Data", "teknis"),
    "T.02": ("Penganggaran", "teknis"),
    "M.01": ("Integritas", "manajerial"),
}
KIND_LABELS = {"teknis": "Teknis", "manajerial": "Manajerial", "": "—"}


@dataclass
class Naive:
    """Needs, people, JP and budget added up one need at a time, as a person would."""

    needs: int = 0
    people: set[str] = field(default_factory=set)
    jp: int = 0
    budget: int = 0

    def add(self, person: User, jp: int, budget: int) -> None:
        self.needs += 1
        self.people.add(person.nip)
        self.jp += jp
        self.budget += budget

    def cells(self) -> str:
        money = f"{self.budget:,}".replace(",", ".")
        return f"{self.needs} {len(self.people)} {self.jp:,} {money}".replace(",", ".")


@dataclass
class Sigi:
    instansi: Unit
    total: Naive
    by_unit: dict[str, Naive]
    by_competency: dict[Key, Naive]
    nips: list[str]  # everyone with a need


def _count(sigi: Sigi, person: User, path: str, keys: set[Key], jp: int, budget: int) -> None:
    sigi.total.add(person, jp, budget)
    sigi.by_unit.setdefault(path, Naive()).add(person, jp, budget)
    for key in keys:
        sigi.by_competency.setdefault(key, Naive()).add(person, jp, budget)


def _idp_key(code: str | None) -> Key:
    name, kind = DICTIONARY.get(code or "", ("", ""))
    return code or "", name, kind


def _world(people: int, activities: int) -> Sigi:
    """Sigi: three units, ``people`` with ``activities`` approved needs each, two courses."""
    for code, (name, kind) in DICTIONARY.items():
        make_competency(code, name, CompetencyKind(kind))
    sigi_unit = make_unit("Pemerintah Kabupaten Sigi", code="sigi")
    dinkes = make_unit("Dinas Kesehatan", parent=sigi_unit, code="dinkes")
    bappeda = make_unit("Bappeda", parent=sigi_unit, code="bappeda")
    bidang = make_unit("Bidang Ekonomi", parent=bappeda, code="bidang-ekonomi")
    paths = {
        dinkes.id: "Pemerintah Kabupaten Sigi › Dinas Kesehatan",
        bappeda.id: "Pemerintah Kabupaten Sigi › Bappeda",
        bidang.id: "Pemerintah Kabupaten Sigi › Bappeda › Bidang Ekonomi",
    }
    units = (dinkes, bappeda, bidang)
    sigi = Sigi(sigi_unit, Naive(), {}, {}, [])
    staff_list = []
    for number in range(people):
        unit = units[number % 3]
        person = make_user(unit=unit, name=f"Pegawai Sigi {number:02d}")
        staff_list.append(person)
        plan = make_plan(person)
        for index in range(activities):
            code = CODES[(number + index) % len(CODES)]
            jp, budget = 1 + index % 4, (index % 3) * 250_000
            make_activity(plan, competency_code=code, jp=jp, budget_rupiah=budget)
            _count(sigi, person, paths[unit.id], {_idp_key(code)}, jp, budget)
    # Not needs: a draft, a plan of another year.
    drafting = make_user(unit=dinkes, name="Pegawai Sigi Konsep")
    make_activity(make_plan(drafting, status=PlanStatus.DRAFT), jp=50, budget_rupiah=10**6)
    if staff_list:
        make_activity(make_plan(staff_list[0], year=2025), jp=50, budget_rupiah=10**6)

    if people:  # a course with a known and an unknown competency counts under both ...
        analysis = make_course("analisis-sigi", jp=4, kind="teknis",
                               competencies=(("T.01", 2), ("X.88", 1)))  # fmt: skip
        first = staff_list[:5]
        make_assignment(analysis, first)
        for person in first:
            keys = {("T.01", "Analisis Data", "teknis"), ("X.88", "", "teknis")}
            _count(sigi, person, paths[person.unit_id], keys, 4, 0)
        # A course without any counts under its kind.
        ethics = make_course("etika-sigi", jp=2, kind="manajerial")
        later = staff_list[3:9]
        make_assignment(ethics, later, exempt=tuple(staff_list[9:10]))
        for person in later:
            _count(sigi, person, paths[person.unit_id], {("", "", "manajerial")}, 2, 0)
    db.session.commit()
    sigi.nips = [p.nip for p in staff_list]
    return sigi


def _client(app: Flask, sigi: Sigi) -> FlaskClient:
    client = app.test_client()
    AuthActions(client).login(staff(Role.EVALUATOR, sigi.instansi).nip)
    return client


def _competency_row(key: Key, naive: Naive) -> str:
    code, name, kind = key
    label = " ".join(filter(None, (code, name))) or "(tanpa kode kompetensi)"
    return f"{label} {KIND_LABELS[kind]} {naive.cells()}"


def test_the_summary_equals_a_count_of_every_need(app: Flask, clock: FrozenClock):
    sigi = _world(people=12, activities=9)  # 108 planned and 11 assigned needs
    assert sigi.total.needs == 119 and len(sigi.by_competency) == 7 and len(sigi.by_unit) == 3
    client = _client(app, sigi)
    query = f"?year=2026&instansi={sigi.instansi.id}"

    html = client.get(f"/reports/akpk/{query}").get_data(as_text=True)
    assert _text(html, "akpk-needs") == "119"
    assert _text(html, "akpk-people") == "12"
    assert _text(html, "akpk-jp") == f"{sigi.total.jp:,}".replace(",", ".")
    assert _text(html, "akpk-budget") == "Rp" + f"{sigi.total.budget:,}".replace(",", ".")
    assert sorted(_rows(html, "akpk-by-unit")) == sorted(
        f"{path} {naive.cells()}" for path, naive in sigi.by_unit.items()
    )
    assert sorted(_rows(html, "akpk-by-competency")) == sorted(
        _competency_row(key, naive) for key, naive in sigi.by_competency.items()
    )

    # The two pages, read with LIMIT/OFFSET, are the streamed CSV's rows in the same order.
    second = client.get(f"/reports/akpk/{query}&page=2").get_data(as_text=True)
    shown = [
        "".join(re.search(r"(\d{8}) (\d{6}) (\d) (\d{3})", row).groups())  # type: ignore[union-attr]
        for html_page in (html, second)
        for row in _rows(html_page, "akpk-rows")
    ]
    exported = client.get(f"/reports/akpk/akpk.csv{query}").get_data(as_text=True)
    lines = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert len(shown) == len(lines) == 119
    assert shown == [line["NIP"] for line in lines]


def _page_statements(client: FlaskClient, url: str) -> int:
    client.get(url).close()  # warm: the first view may fill caches
    with counted(client.application) as statements:
        response = client.get(url)
        assert response.status_code == 200
        response.get_data()
    transaction = {"BEGIN", "COMMIT", "ROLLBACK"}
    return len([s for s in statements if s.split()[0].upper() not in transaction])


def test_the_page_reads_as_many_statements_for_10_and_150_needs(app: Flask, clock: FrozenClock):
    sigi = _world(people=1, activities=9)  # and one assigned course
    client = _client(app, sigi)
    url = f"/reports/akpk/?year=2026&instansi={sigi.instansi.id}"
    assert _text(client.get(url).get_data(as_text=True), "akpk-needs") == "10"
    small = _page_statements(client, url)

    person = make_user(unit=sigi.instansi, name="Pegawai Sigi Lain")
    plan = make_plan(person)
    for index in range(140):
        make_activity(plan, competency_code=CODES[index % len(CODES)], jp=1)
    db.session.commit()
    assert _text(client.get(url).get_data(as_text=True), "akpk-needs") == "150"
    assert _page_statements(client, url) == small
    assert _page_statements(client, f"{url}&page=2") == small
