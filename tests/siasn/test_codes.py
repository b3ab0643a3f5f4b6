"""The per-instansi SIASN code lists: CSV import with row errors, and the admin page."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Role, SiasnCode
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_unit, make_user


def stored(instansi_id: int) -> dict[tuple[str, str], str]:
    db.session.expire_all()
    rows = db.session.scalars(select(SiasnCode).where(SiasnCode.instansi_id == instansi_id))
    return {(row.list_name, row.key): row.code for row in rows}


def test_import_reports_every_bad_row_and_imports_nothing(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
):
    palu = make_unit(code="palu")
    path = tmp_path / "kode.csv"
    path.write_text(
        "daftar,kunci,kode,nama\n"
        "instansi,default,A5EB03E23C8BF6A0E040640A040252AD,Pemerintah Kota Palu\n"
        "lokasi,rumah,12,\n"
        "jenis-kursus,seminar,,Seminar\n"
        "jenis-lain,default,3,\n"
        "\n"
        "instansi,default,X,Ganda\n",
        encoding="utf-8",
    )

    result = runner.invoke(args=["siasn", "codes", "import", str(path), "--instansi", "palu"])

    assert result.exit_code == 1
    assert f"{path}:3: kunci 'rumah' bukan jalur, jenis kompetensi atau 'default'" in result.output
    assert f"{path}:4: kode kosong" in result.output
    assert f"{path}:5: daftar 'jenis-lain' tidak dikenal" in result.output
    assert f"{path}:7: instansi/default sudah ada di baris 2" in result.output
    assert "nothing imported" in result.output
    assert stored(palu.id) == {}


def test_import_adds_and_replaces_codes(app: Flask, runner: FlaskCliRunner, tmp_path: Path):
    palu = make_unit(code="palu")
    path = tmp_path / "kode.csv"
    path.write_text(
        "\ufeffdaftar,kunci,kode,nama\ninstansi,default,INST,\njenis-kursus,seminar,6,Seminar\n",
        encoding="utf-8",
    )
    assert (
        runner.invoke(args=["siasn", "codes", "import", str(path), "--instansi", "palu"]).exit_code
        == 0
    )
    path.write_text("daftar,kunci,kode\njenis-kursus,seminar,7\n", encoding="utf-8")

    result = runner.invoke(args=["siasn", "codes", "import", str(path), "--instansi", "palu"])

    assert result.exit_code == 0, result.output
    assert stored(palu.id) == {("instansi", "default"): "INST", ("jenis-kursus", "seminar"): "7"}


def test_excel_semicolons_are_read_and_a_broken_row_is_a_line_not_a_traceback(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
):
    palu = make_unit(code="palu")
    path = tmp_path / "kode.csv"
    path.write_text("daftar;kunci;kode\njenis-kursus;seminar;6\n", encoding="utf-8")
    result = runner.invoke(args=["siasn", "codes", "import", str(path), "--instansi", "palu"])
    assert result.exit_code == 0, result.output
    assert stored(palu.id) == {("jenis-kursus", "seminar"): "6"}

    # A quote left open runs past the field limit: that row's line, and nothing imported.
    path.write_text(
        'daftar,kunci,kode,nama\njenis-kursus,webinar,8,"' + "x" * 200_000 + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["siasn", "codes", "import", str(path), "--instansi", "palu"])
    assert (
        result.exit_code == 1
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )
    assert f"{path}:2: isian lebih dari" in result.output, result.output
    assert stored(palu.id) == {("jenis-kursus", "seminar"): "6"}


def test_import_needs_an_instansi_and_its_columns(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
):
    palu = make_unit(code="palu")
    dinas = make_unit("Dinas Kesehatan", parent=palu, code="palu-dinkes")
    path = tmp_path / "kode.csv"
    path.write_text("nomor;jenis;id\n", encoding="utf-8")  # none of the columns

    not_instansi = runner.invoke(
        args=["siasn", "codes", "import", str(path), "--instansi", dinas.code]
    )
    no_columns = runner.invoke(args=["siasn", "codes", "import", str(path), "--instansi", "palu"])

    assert "no instansi with code 'palu-dinkes'" in not_instansi.output
    assert f"{path}:1: kolom wajib tidak ada: daftar, kunci, kode" in no_columns.output


def test_admins_edit_codes_on_a_page_and_others_cannot(app: Flask):
    palu = make_unit(code="palu")
    admin = make_user(Role.ADMIN, unit=palu, name="Admin")
    evaluator = make_user(Role.EVALUATOR, unit=palu, scope=[palu], name="Evaluator")
    client = app.test_client()
    AuthActions(client).login(admin.nip)
    token = csrf_token(client, "/siasn/codes")

    saved = client.post(
        "/siasn/codes",
        data={"csrf_token": token, "list_name": "lokasi", "key": "default", "code": "LOK-1",
              "label": "Kota Palu"},
    )  # fmt: skip
    no_token = client.post(
        "/siasn/codes", data={"list_name": "lokasi", "key": "default", "code": "LOK-2"}
    )

    assert saved.status_code == 302
    assert no_token.status_code in (200, 400)
    assert stored(palu.id) == {("lokasi", "default"): "LOK-1"}
    page = client.get("/siasn/codes").get_data(as_text=True)
    assert "LOK-1" in page and "Kota Palu" in page
    code_id = db.session.scalar(select(SiasnCode.id))
    client.post(f"/siasn/codes/{code_id}/delete", data={"csrf_token": token})
    assert stored(palu.id) == {}

    other = app.test_client()
    AuthActions(other).login(evaluator.nip)
    assert other.get("/siasn/codes").status_code == 403
    assert other.get("/siasn/").status_code == 200
