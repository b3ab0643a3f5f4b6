"""The JP duty page: its numbers equal the career record's, scoped, sorted, exported, bounded."""

from __future__ import annotations

import csv
import io
import random
import re
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from elearn.accounts.services import set_active
from elearn.certificates.issuance import revoke
from elearn.extensions import db
from elearn.models import (
    AuditEntry,
    Certificate,
    EmployeeType,
    ExternalTraining,
    ReviewStatus,
    Role,
    Unit,
    User,
)
from elearn.records.entries import jp_total_for_year
from elearn.reports import charts
from tests.certificates.helpers import NO_QUIZZES, complete_course
from tests.conftest import AuthActions
from tests.content.course_fixtures import COURSE_MD
from tests.factories import make_unit, make_user
from tests.learning.helpers import Learner, publish_course
from tests.learning.test_statement_budget import _queries, counted

TARGET = 20
COURSES = {"kursus-a": 2, "kursus-b": 8, "kursus-c": 13}
# Completion times around both new years: 2025-12-31 15:00 UTC is 23:00 in Palu (2025) but
# 22:00 in Palangka Raya; 18:00 UTC is already 2026 in Palu (WITA) and still 2025 in WIB.
MOMENTS = [
    datetime(2025, 6, 10, 3, 0, tzinfo=UTC),
    datetime(2025, 12, 31, 15, 30, tzinfo=UTC),
    datetime(2025, 12, 31, 16, 30, tzinfo=UTC),
    datetime(2025, 12, 31, 18, 0, tzinfo=UTC),
    datetime(2026, 1, 20, 9, 0, tzinfo=UTC),
    datetime(2026, 2, 27, 23, 0, tzinfo=UTC),
]
TODAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # the clock fixture: day 61 in Palu


@dataclass
class World:
    units: dict[str, Unit]
    admin: User


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    AuthActions(client).login(user.nip)
    return client


def _staff(app: Flask, role: Role, *scope: Unit) -> FlaskClient:
    unit = scope[0] if scope else make_unit(code=f"staf-{role}")
    return _client(app, make_user(role, unit=unit, scope=list(scope), name=f"Staf {role}"))


def _training(user: User, rng: random.Random) -> ExternalTraining:
    finished = date(2025, 1, 1) + timedelta(days=rng.randint(0, 424))  # up to 2026-03-01
    return ExternalTraining(
        user_id=user.id, name="Bimtek", organiser="BKPSDM", route="seminar", competency="teknis",
        started_on=finished, finished_on=finished, jp=rng.randint(1, 15), evidence_name="b.pdf",
        evidence_type="application/pdf", evidence=b"%PDF-1.4",
        status=rng.choice([ReviewStatus.VERIFIED] * 3 + [ReviewStatus.PENDING,
                                                        ReviewStatus.REJECTED]),
    )  # fmt: skip


def _world(app: Flask, tmp_path: Path, clock, learners: int, seed: int) -> World:  # type: ignore[no-untyped-def]
    """Units in two zones, learners with random courses, trainings, revocations, PPPK, leavers."""
    rng = random.Random(seed)
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    units = {
        "palu": palu,
        "dinkes": make_unit("Dinas Kesehatan", parent=palu, code="palu-dinkes"),
        "mamuju": make_unit("Pemerintah Kabupaten Mamuju", code="mamuju"),
        "palangka": make_unit(
            "Pemerintah Kota Palangka Raya", code="palangka", timezone="Asia/Pontianak"
        ),
    }
    admin = make_user(Role.ADMIN, unit=units["mamuju"], name="Admin")
    for slug, jp in COURSES.items():
        publish_course(
            tmp_path, slug, **NO_QUIZZES, **{"course.md": COURSE_MD.replace("jp: 2", f"jp: {jp}")}
        )
    for index in range(learners):
        kind = EmployeeType.PPPK if rng.random() < 0.15 else EmployeeType.PNS
        user = make_user(unit=rng.choice(list(units.values())), name=f"Peserta {index:02d}",
                         employee_type=kind)  # fmt: skip
        for slug in rng.sample(list(COURSES), rng.randint(0, 3)):
            clock.current = rng.choice(MOMENTS)
            # A new sign-in per completion: the clock jumps further than a session lasts.
            _, certificate = complete_course(
                app, tmp_path, learner=Learner(user, _client(app, user)), slug=slug
            )
            if rng.random() < 0.15:
                clock.current = TODAY
                revoke(db.session.get(Certificate, certificate.id), admin, "Plagiat")
                db.session.commit()
        for _ in range(rng.randint(0, 3)):
            db.session.add(_training(user, rng))
        db.session.commit()
        if rng.random() < 0.1:
            set_active(db.session.get(User, user.id), False)
            db.session.commit()
    clock.current = TODAY
    return World(units, admin)


@dataclass(frozen=True)
class Expected:
    learners: int
    reached: int
    rate: float
    median: float
    behind: int


def _expected(year: int, units: set[int] | None) -> dict[str, Expected]:
    """The career record's own total for each active PNS, counted per unit in Python."""
    db.session.expire_all()
    expected_jp = TARGET if year < 2026 else TARGET * 61 / 365
    per_unit: dict[str, list[int]] = {}
    for user in db.session.scalars(select(User)):
        if not user.is_active or user.employee_type != EmployeeType.PNS:
            continue
        if units is not None and user.unit_id not in units:
            continue
        per_unit.setdefault(user.unit.path, []).append(jp_total_for_year(user, year))
    return {
        path: Expected(
            len(jps),
            sum(jp >= TARGET for jp in jps),
            round(100 * sum(jp >= TARGET for jp in jps) / len(jps), 1),
            round(statistics.median(jps), 1),
            sum(jp < expected_jp for jp in jps),
        )
        for path, jps in per_unit.items()
    }


def _csv_rows(client: FlaskClient, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def _xlsx_rows(client: FlaskClient, url: str) -> list[dict[str, str]]:
    """The workbook's cells as the CSV's text, to compare the two files."""
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype.endswith(".sheet")
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]  # type: ignore[union-attr]
    return [{str(h): str(v) for h, v in zip(header, row, strict=True)} for row in rows]


def _from_csv(rows: list[dict[str, str]]) -> dict[str, Expected]:
    return {
        r["unit_kerja"]: Expected(
            int(r["pegawai_pns"]),
            int(r["mencapai_target"]),
            float(r["persen_mencapai"]),
            float(r["median_jp"]),
            int(r["di_bawah_laju"]),
        )
        for r in rows
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_numbers_equal_the_career_records(app: Flask, tmp_path: Path, clock, seed: int):
    world = _world(app, tmp_path, clock, learners=22, seed=seed)
    admin = _client(app, world.admin)
    for year in (2026, 2025):
        found = _from_csv(_csv_rows(admin, f"/reports/jp-duty.csv?year={year}"))
        # The admin is a PNS of Mamuju too, with no JP.
        assert found == _expected(year, None), year
    assert _from_csv(_xlsx_rows(admin, "/reports/jp-duty.xlsx")) == _expected(2026, None)

    page = admin.get("/reports/jp-duty").get_data(as_text=True)
    assert "3,3 JP" in page  # 20 × 61 / 365 = 3.34 JP expected by 2 March
    expected = _expected(2026, None)
    paths = re.findall(r'<td><a href="/reports/jp-duty/units/\d+\?year=2026">([^<]+)</a>', page)
    # Default order: lowest share first (ties by unit path).
    assert paths == sorted(expected, key=lambda p: (expected[p].rate, p))
    for path, figures in expected.items():
        assert f">{path}</a></td><td>{figures.learners}</td><td>{figures.reached}</td>" in page


def test_drill_down_lists_a_units_learners_with_their_state(
    app: Flask, tmp_path: Path, clock, monkeypatch: pytest.MonkeyPatch
):
    world = _world(app, tmp_path, clock, learners=14, seed=3)
    palu = world.units["palu"]
    for index, jp in enumerate((25, 3, 0)):  # reached, on pace (3.3 due), behind: at least three
        user = make_user(unit=palu, name=f"Tambahan {index}")
        if jp:
            db.session.add(ExternalTraining(
                user_id=user.id, name="Diklat", organiser="BPSDM", route="seminar",
                competency="teknis", started_on=date(2026, 2, 2), finished_on=date(2026, 2, 2),
                jp=jp, evidence_name="b.pdf", evidence_type="application/pdf",
                evidence=b"%PDF-1.4", status=ReviewStatus.VERIFIED,
            ))  # fmt: skip
    db.session.commit()
    admin = _client(app, world.admin)
    db.session.expire_all()
    learners = [
        u for u in db.session.scalars(select(User).where(User.unit_id == palu.id))
        if u.is_active and u.employee_type == EmployeeType.PNS
    ]  # fmt: skip
    wanted = sorted((jp_total_for_year(u, 2026), u.full_name, u.nip) for u in learners)
    rows = _csv_rows(admin, f"/reports/jp-duty/units/{palu.id}.csv")
    assert [(int(r["jp"]), r["nama"], r["nip"]) for r in rows] == wanted
    assert _xlsx_rows(admin, f"/reports/jp-duty/units/{palu.id}.xlsx") == rows
    for r in rows:
        jp = int(r["jp"])
        state = "Tercapai" if jp >= 20 else "Sesuai laju" if jp >= 20 * 61 / 365 else "Tertinggal"
        assert r["status"] == state and r["unit_kerja"] == "Pemerintah Kota Palu"

    monkeypatch.setattr("elearn.reports.views.JP_DUTY_PAGE", 2)
    first = admin.get(f"/reports/jp-duty/units/{palu.id}").get_data(as_text=True)
    second = admin.get(f"/reports/jp-duty/units/{palu.id}?page=2").get_data(as_text=True)
    for name in (wanted[0][1], wanted[1][1]):
        assert f"<td>{name}</td>" in first and f"<td>{name}</td>" not in second
    assert f"<td>{wanted[2][1]}</td>" in second
    nip = wanted[0][2]
    assert f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}" in first


def test_scope_evaluators_coordinators_and_learners(app: Flask, clock):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    dinkes = make_unit("Dinas Kesehatan", parent=palu, code="palu-dinkes")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    for unit in (palu, dinkes, mamuju):
        make_user(unit=unit, name=f"Peserta {unit.code}")
    pppk_only = make_unit("Pemerintah Kota Palangka Raya", code="palangka")
    learner = make_user(unit=pppk_only, employee_type=EmployeeType.PPPK, name="Kontrak")

    evaluator = _staff(app, Role.EVALUATOR, palu)
    page = evaluator.get("/reports/jp-duty").get_data(as_text=True)
    assert "Pemerintah Kota Palu › Dinas Kesehatan" in page  # sub-units are in scope
    assert "Pemerintah Kabupaten Mamuju" not in page
    assert evaluator.get(f"/reports/jp-duty/units/{dinkes.id}").status_code == 200
    assert evaluator.get(f"/reports/jp-duty/units/{mamuju.id}").status_code == 404
    assert evaluator.get(f"/reports/jp-duty/units/{mamuju.id}.csv").status_code == 404
    assert evaluator.get("/reports/jp-duty/units/99999").status_code == 404
    assert "Mamuju" not in evaluator.get("/reports/jp-duty.csv").get_data(as_text=True)

    coordinator = _staff(app, Role.COORDINATOR, mamuju)
    page = coordinator.get("/reports/jp-duty").get_data(as_text=True)
    assert "Pemerintah Kabupaten Mamuju" in page and "Pemerintah Kota Palu" not in page
    assert coordinator.get(f"/reports/jp-duty/units/{palu.id}").status_code == 404

    admin = _staff(app, Role.ADMIN).get("/reports/jp-duty").get_data(as_text=True)
    assert "Pemerintah Kabupaten Mamuju" in admin and "Dinas Kesehatan" in admin
    assert "Palangka Raya" not in admin  # PPPK only: no 20 JP duty there

    assert _client(app, learner).get("/reports/jp-duty").status_code == 403
    assert _client(app, learner).get(f"/reports/jp-duty/units/{palu.id}").status_code == 403
    assert evaluator.get("/reports/jp-duty?year=2027").status_code == 400


def test_columns_sort_by_query_args(app: Flask, clock):
    names = ["Badan Keuangan", "Dinas Pendidikan", "Camat Ulujadi"]
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    for count, name in enumerate(names, start=1):
        unit = make_unit(name, parent=palu)
        for index in range(count):
            make_user(unit=unit, name=f"{name} {index}")
    admin = _staff(app, Role.ADMIN, palu)

    def order(query: str) -> list[str]:
        page = admin.get(f"/reports/jp-duty?{query}").get_data(as_text=True)
        return re.findall(r"Pemerintah Kota Palu › ([^<]+)</a>", page)

    assert order("sort=unit") == sorted(names)
    assert order("sort=unit&order=desc") == sorted(names, reverse=True)
    assert order("sort=learners&order=desc") == ["Camat Ulujadi", "Dinas Pendidikan",
                                                 "Badan Keuangan"]  # fmt: skip
    assert order("sort=nonsense") == sorted(names)  # all at 0 %: by path
    page = admin.get("/reports/jp-duty?sort=learners").get_data(as_text=True)
    assert 'aria-sort="ascending"' in page
    assert "/reports/jp-duty.csv?year=2026&amp;sort=learners&amp;order=asc" in page
    exported = _csv_rows(admin, "/reports/jp-duty.csv?sort=unit&order=desc")  # the page's order
    paths = [r["unit_kerja"] for r in exported]  # the admin's own unit, Palu, comes last
    assert paths == [f"Pemerintah Kota Palu › {n}" for n in sorted(names, reverse=True)] + [
        "Pemerintah Kota Palu"
    ]


def test_chart_is_readable_on_a_phone_and_never_cuts_a_unit(app: Flask):
    long = ("Pemerintah Kabupaten Mamuju › Badan Kepegawaian dan Pengembangan Sumber Daya "
            "Manusia › Bidang Pengembangan Kompetensi Aparatur")  # fmt: skip
    with app.test_request_context():
        svg = str(charts.stacked_bar_chart([long, "Inspektorat"], [12.5, 80.0], title="JP"))
    width = float(re.search(r'viewBox="0 0 (\d+)', svg).group(1))  # type: ignore[union-attr]
    # 286 px is what a card leaves in a 360 px viewport (see charts.STACKED_WIDTH).
    assert charts.STACKED_FONT * 286 / width >= 11
    assert f"<title>{long}</title>" in svg
    lines = re.findall(r'class="label">([^<]+)</text>', svg)
    assert all(len(line) <= charts.LINE_CHARS for line in lines)
    assert "Bidang Pengembangan Kompetensi Aparatur" in " ".join(lines)  # the end is kept
    assert charts.wrap_label("Inspektorat") == ["Inspektorat"]


def _statements(app: Flask, client: FlaskClient, url: str) -> list[str]:
    client.get(url)  # warm
    with counted(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return _queries(statements)


def test_statement_count_does_not_grow_with_the_data(app: Flask, tmp_path: Path, clock):
    world = _world(app, tmp_path, clock, learners=4, seed=5)
    admin = _client(app, world.admin)
    palu = world.units["palu"].id
    urls = ["/reports/jp-duty", f"/reports/jp-duty/units/{palu}", "/reports/jp-duty.csv"]
    small = [len(_statements(app, admin, url)) for url in urls]
    for index in range(30):
        user = make_user(unit=world.units["palu" if index % 2 else "dinkes"], name=f"Baru {index}")
        db.session.add(_training(user, random.Random(index)))
        make_unit(f"Unit {index}", parent=world.units["mamuju"])
    db.session.commit()
    large = [len(_statements(app, admin, url)) for url in urls]
    assert large == small
    assert max(large) <= 6, large  # sign-in, scope, unit tree, zones, the figures (+ audit)


def test_exports_are_formula_safe_and_audited_and_the_page_speaks_english(app: Flask, clock):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    trap = make_unit('=HYPERLINK("http://x")', parent=palu, code="trap")
    make_user(unit=trap, name="@SUM(A1)")
    admin = _staff(app, Role.ADMIN, palu)
    rows = _csv_rows(admin, "/reports/jp-duty.csv")
    assert [r["unit_kerja"] for r in rows] == [
        "Pemerintah Kota Palu",
        'Pemerintah Kota Palu › =HYPERLINK("http://x")',
    ]  # the path starts with the instansi; a leading "=" would be neutralised
    learners = _csv_rows(admin, f"/reports/jp-duty/units/{trap.id}.csv")
    assert [r["nama"] for r in learners] == ["'@SUM(A1)"]
    assert _xlsx_rows(admin, f"/reports/jp-duty/units/{trap.id}.xlsx")[0]["nama"] == "'@SUM(A1)"
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"export.jp_duty.csv", "export.jp_duty_unit.csv", "export.jp_duty_unit.xlsx"} <= actions

    with admin.session_transaction() as session:
        session["lang"] = "en"
    page = admin.get("/reports/jp-duty").get_data(as_text=True)
    assert "The 20 JP duty per unit, 2026" in page and "Share reached" in page
    assert "3.3 JP" in page  # the English decimal point
