"""CSV and XLSX downloads in both SIASN shapes, scoped to the user's instansi."""

from __future__ import annotations

import csv
import io

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from elearn.models import PushShape, Role, User
from elearn.siasn.downloads import columns
from tests.conftest import AuthActions
from tests.factories import make_unit, make_user
from tests.siasn.conftest import add_training, give_codes


def signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    AuthActions(client).login(user.nip)
    return client


def test_downloads_have_siasn_columns_safe_cells_and_only_the_instansi(app: Flask):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    give_codes(palu)
    dinas = make_unit("Dinas Kesehatan", parent=palu, code="palu-dinkes")
    learner = make_user(unit=dinas, name="Andi Pratama")
    add_training(learner, name='=HYPERLINK("http://x")', route="seminar")
    add_training(learner, name="PKA Angkatan II", route="pelatihan-struktural")
    add_training(make_user(unit=mamuju, name="Orang Mamuju"), name="Kursus Mamuju", route="kursus")
    evaluator = make_user(Role.EVALUATOR, unit=palu, scope=[palu], name="Evaluator Palu")
    client = signed_in(app, evaluator)

    kursus = client.get("/siasn/kursus.csv?year=2026")
    diklat = client.get("/siasn/diklat.csv?year=2026")

    assert kursus.status_code == 200
    assert kursus.headers["Content-Disposition"].endswith('siasn-riwayat-kursus-palu-2026.csv"')
    text = kursus.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(rows[0]) == columns(PushShape.KURSUS)
    assert rows[0][:4] == ["nipBaru", "pnsOrangId", "instansiId", "namaKursus"]
    assert len(rows) == 2  # Mamuju's record is not here
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["namaKursus"] == '\'=HYPERLINK("http://x")'
    assert record["nipBaru"] == learner.nip
    assert record["jenisKursusSertipikat"] == "Sertifikat"
    assert record["tanggalSelesaiKursus"] == "04-02-2026"
    assert record["instansiId"] == "A5EB03E23C8BF6A0E040640A040252AD"
    diklat_rows = list(csv.reader(io.StringIO(diklat.get_data(as_text=True).lstrip("\ufeff"))))
    assert tuple(diklat_rows[0]) == columns(PushShape.DIKLAT)
    assert "latihanStrukturalId" in diklat_rows[0] and "bobot" in diklat_rows[0]
    assert [dict(zip(diklat_rows[0], r, strict=True))["nomor"] for r in diklat_rows[1:]] == [
        "027/45/BAPPEDA/2026"
    ]

    workbook = load_workbook(io.BytesIO(client.get("/siasn/kursus.xlsx?year=2026").data))
    sheet = workbook.active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert tuple(values[0]) == columns(PushShape.KURSUS)
    assert values[1][0] == learner.nip  # 18 digits kept as text
    assert values[1][3] == '\'=HYPERLINK("http://x")'
    assert sheet.cell(row=2, column=4).data_type == "s"


def test_downloads_are_for_staff_of_the_instansi(app: Flask):
    palu = make_unit(code="palu")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    learner = make_user(unit=palu)
    evaluator = make_user(Role.EVALUATOR, unit=palu, scope=[palu], name="Evaluator")
    admin = make_user(Role.ADMIN, unit=palu, name="Admin")
    add_training(make_user(unit=mamuju, name="Orang Mamuju"), name="Kursus Mamuju", route="kursus")

    assert signed_in(app, learner).get("/siasn/kursus.csv").status_code == 403
    staff = signed_in(app, evaluator)
    assert staff.get(f"/siasn/kursus.csv?instansi={mamuju.id}").status_code == 404
    assert staff.get("/siasn/kursus.pdf").status_code == 404
    other = signed_in(app, admin).get(f"/siasn/kursus.csv?instansi={mamuju.id}&year=2026")
    assert "Kursus Mamuju" in other.get_data(as_text=True)
