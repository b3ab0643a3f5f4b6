"""The AKPK page: the rows and totals an evaluator prints, scoped to their units."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import AuditEntry, Role
from tests.akpk.conftest import World, staff


def _text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(dd|table)>', html, re.S)
    assert match, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def _rows(html: str, element_id: str) -> list[str]:
    match = re.search(rf'<table id="{element_id}">(.*?)</table>', html, re.S)
    assert match, element_id
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)[1:]  # past the header
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_the_page_lists_the_approved_needs_and_the_assigned_course_with_totals(
    app: Flask, world: World
):
    evaluator = staff(Role.EVALUATOR, world.palu)
    page = world.client(app, evaluator).get("/reports/akpk/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Pemerintah Kota Palu" in html and "2026" in html
    assert _text(html, "akpk-needs") == "5"
    assert _text(html, "akpk-people") == "3"  # Ani, Budi, Eko
    assert _text(html, "akpk-jp") == "52"  # 24 + 10 + 8 + 5 (Ani's course) + 5 (Eko's)
    assert _text(html, "akpk-budget") == "Rp4.500.000"
    rows = _rows(html, "akpk-rows")
    assert len(rows) == 5
    assert any(
        "Ani Lestari" in r and "T.01 Analisis Data" in r and "Level target 3" in r
        and "Bimbingan teknis" in r and "BPSDM Provinsi Sulawesi Tengah" in r
        and "1 April 2026" in r and "3 April 2026" in r and "3.500.000" in r
        and "Kurikulum bimtek LAN 2025" in r and "Disetujui atasan" in r
        for r in rows
    )  # fmt: skip
    course_rows = [r for r in rows if "Keamanan Informasi" in r]
    assert len(course_rows) == 2  # Ani and Eko; Budi is exempt
    assert all("E-learning" in r and "Pemerintah Kota Palu › BKPSDM" in r for r in course_rows)
    assert all("M.01 Integritas" in r and "T.01 Analisis Data" in r for r in course_rows)
    for absent in ("Fajar", "Dedi", "Citra", "Diajukan, belum disetujui"):
        assert absent not in html
    by_competency = _rows(html, "akpk-by-competency")
    assert any(r.startswith("T.01 Analisis Data Teknis 3 2 34 3.500.000") for r in by_competency)
    assert any(r.startswith("M.01 Integritas Manajerial 3 2 20 0") for r in by_competency)
    assert any(r.startswith("(tanpa kode kompetensi) — 1 1 8 1.000.000") for r in by_competency)
    by_unit = _rows(html, "akpk-by-unit")
    assert by_unit == [
        "Pemerintah Kota Palu › BKPSDM 1 1 8 1.000.000",
        "Pemerintah Kota Palu › Dinas Kominfo 4 2 44 3.500.000",
    ]


def test_plans_waiting_for_the_supervisor_come_only_when_asked(app: Flask, world: World):
    client = world.client(app, staff(Role.COORDINATOR, world.palu))
    html = client.get("/reports/akpk/?submitted=1").get_data(as_text=True)
    assert _text(html, "akpk-needs") == "6"
    assert _text(html, "akpk-jp") == "58"
    assert _text(html, "akpk-budget") == "Rp5.000.000"
    assert "Diajukan, belum disetujui" in html
    assert 'name="submitted" value="1" checked' in html
    assert "/reports/akpk/akpk.csv?year=2026&amp;instansi=" in html and "submitted=1" in html


def test_an_evaluator_of_one_unit_sees_that_unit_only(app: Flask, world: World):
    client = world.client(app, staff(Role.EVALUATOR, world.bkpsdm))
    html = client.get("/reports/akpk/").get_data(as_text=True)
    assert _text(html, "akpk-needs") == "1"
    assert "Budi Santoso" in html and "Ani Lestari" not in html and "Eko" not in html


def test_another_instansi_is_not_found_and_a_learner_is_refused(app: Flask, world: World):
    mamuju = world.client(app, staff(Role.EVALUATOR, world.mamuju))
    html = mamuju.get("/reports/akpk/").get_data(as_text=True)
    assert "Pemerintah Kabupaten Mamuju" in html and "Citra Dewi" in html
    assert "Ani Lestari" not in html
    assert mamuju.get(f"/reports/akpk/?instansi={world.palu.id}").status_code == 404
    assert mamuju.get(f"/reports/akpk/akpk.csv?instansi={world.palu.id}").status_code == 404
    assert mamuju.get(f"/reports/akpk/?instansi={world.kominfo.id}").status_code == 404
    learner = world.client(app, world.ani)
    for url in ("/reports/akpk/", "/reports/akpk/akpk.csv", "/reports/akpk/akpk.xlsx"):
        assert learner.get(url).status_code == 403


def test_an_admin_picks_any_instansi(app: Flask, world: World):
    admin = world.client(app, staff(Role.ADMIN, home=world.mamuju))
    html = admin.get("/reports/akpk/").get_data(as_text=True)
    assert "Citra Dewi" in html  # their own instansi first
    assert f'<option value="{world.palu.id}"' in html
    html = admin.get(f"/reports/akpk/?instansi={world.palu.id}").get_data(as_text=True)
    assert _text(html, "akpk-needs") == "5"


def test_a_bad_year_is_refused_with_a_message(app: Flask, world: World):
    client = world.client(app, staff(Role.EVALUATOR, world.palu))
    for year in ("abc", "1999", "2028", "2026.5"):
        for url in ("/reports/akpk/", "/reports/akpk/akpk.csv", "/reports/akpk/akpk.xlsx"):
            response = client.get(f"{url}?year={year}")
            assert response.status_code == 400, (url, year)
            assert "Parameter year harus bilangan bulat dari 2000 sampai 2027" in (
                response.get_data(as_text=True)
            )
    html = client.get("/reports/akpk/?year=2027").get_data(as_text=True)
    assert _text(html, "akpk-needs") == "1"  # next year's plan may be drawn up already


def test_the_evaluator_dashboard_links_to_the_akpk(app: Flask, world: World):
    client = world.client(app, staff(Role.EVALUATOR, world.palu))
    assert 'href="/reports/akpk/"' in client.get("/reports/").get_data(as_text=True)


def test_a_download_is_audited(app: Flask, world: World):
    client = world.client(app, staff(Role.EVALUATOR, world.palu))
    client.get("/reports/akpk/akpk.csv").get_data()
    client.get("/reports/akpk/akpk.xlsx").get_data()
    entries = db.session.execute(select(AuditEntry.action, AuditEntry.row_count)).all()
    assert sorted(entries) == [("export.akpk.csv", 5), ("export.akpk.xlsx", 5)]
