"""The AKPK page shows 100 needs per page; the summary and the downloads count them all."""

from __future__ import annotations

import csv
import io
import re

from flask import Flask

from elearn.extensions import db
from elearn.models import Role
from tests.akpk.conftest import World, staff
from tests.akpk.factories import make_activity, make_plan
from tests.akpk.test_akpk_page import _rows, _text
from tests.factories import make_user


def test_a_second_page_holds_the_rest_and_the_downloads_hold_all(app: Flask, world: World):
    for number in range(4):  # 100 more approved needs: 105 with the world's 5
        plan = make_plan(make_user(unit=world.kominfo, name=f"Pegawai {number:02d}"))
        for _ in range(25):
            make_activity(plan, jp=1, budget_rupiah=0)
    db.session.commit()
    client = world.client(app, staff(Role.EVALUATOR, world.palu))

    first = client.get("/reports/akpk/").get_data(as_text=True)
    assert _text(first, "akpk-needs") == "105"  # the summary counts every page
    rows = _rows(first, "akpk-rows")
    assert len(rows) == 100
    assert rows[0].startswith("1 ") and rows[-1].startswith("100 ")
    assert "Halaman 1 dari 2" in first
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert next_link is not None and "page=2" in next_link.group(1)

    second = client.get(next_link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert _text(second, "akpk-needs") == "105"
    rows = _rows(second, "akpk-rows")
    assert [r.split()[0] for r in rows] == ["101", "102", "103", "104", "105"]
    assert 'rel="prev"' in second and 'rel="next"' not in second

    assert client.get("/reports/akpk/?page=3").status_code == 404
    assert client.get("/reports/akpk/?page=0").status_code == 400
    exported = client.get("/reports/akpk/akpk.csv").get_data(as_text=True)
    lines = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert (
        sum(1 for line in lines if "Bimbingan teknis analisis data" in ",".join(line)) == 101
    )  # Ani's and the 100 new


def test_one_page_shows_no_pager(app: Flask, world: World):
    html = world.client(app, staff(Role.EVALUATOR, world.palu)).get("/reports/akpk/")
    assert 'class="pager"' not in html.get_data(as_text=True)
