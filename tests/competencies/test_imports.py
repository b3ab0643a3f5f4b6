"""flask competencies import: every bad row named by file:line, and nothing written then."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from elearn.extensions import db
from elearn.models import AuditEntry, Competency, CompetencyAssessment, CompetencyStandard
from tests.competencies.helpers import load_dictionary
from tests.factories import make_user

LEVELS = "Satu,Dua,Tiga,Empat,Lima"


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _import(runner: FlaskCliRunner, tmp_path: Path, kind: str, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    return path, runner.invoke(args=["competencies", "import", kind, str(path)])


def test_dictionary_import_creates_then_updates(runner, app, tmp_path):
    text = (
        "kode,nama,jenis,level_1,level_2,level_3,level_4,level_5\n"
        f"T.01,Pengelolaan Arsip Digital,teknis,{LEVELS}\n"
        f"M.01,Integritas,manajerial,{LEVELS}\n"
    )
    _path, result = _import(runner, tmp_path, "dictionary", text)
    assert result.exit_code == 0, result.output
    assert "competencies: 2 created, 0 updated" in result.output
    _path, again = _import(
        runner, tmp_path, "dictionary", text.replace("Integritas", "Integritas ASN")
    )
    assert "competencies: 0 created, 2 updated" in again.output
    competency = db.session.scalar(select(Competency).where(Competency.code == "M.01"))
    assert competency is not None and competency.name == "Integritas ASN"
    assert [lv.description for lv in competency.levels] == LEVELS.split(",")
    assert db.session.scalars(select(AuditEntry.action)).all() == [
        "competencies.import.dictionary",
        "competencies.import.dictionary",
    ]


def test_dictionary_import_reports_each_bad_row_and_writes_nothing(runner, app, tmp_path):
    text = (
        "kode;nama;jenis;level_1;level_2;level_3;level_4;level_5\n"
        "T.01;Arsip;teknis;a;b;c;d;e\n"
        "T 02;Spasi;teknis;a;b;c;d;e\n"
        "T.03;;teknis;a;b;c;d;e\n"
        "T.04;Jenis salah;fungsional;a;b;c;d;e\n"
        "T.05;Level kosong;teknis;a;b;;d;e\n"
        "T.01;Kembar;teknis;a;b;c;d;e\n"
    )
    path, result = _import(runner, tmp_path, "dictionary", text)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:3: kode 'T 02' tidak sah (huruf, angka, titik, garis bawah, tanda hubung)",
        f"{path}:4: kolom 'nama' kosong",
        f"{path}:5: jenis harus salah satu dari: teknis, manajerial, sosial-kultural",
        f"{path}:6: kolom 'level_3' kosong",
        f"{path}:7: kode sama dengan baris 2",
        "5 error(s); nothing was imported",
    ]
    assert _count(Competency) == 0


def test_dictionary_import_refuses_missing_and_unknown_columns(runner, app, tmp_path):
    path, result = _import(
        runner, tmp_path, "dictionary", "kode,nama,jenis,level_1\nA,B,teknis,x\n"
    )
    assert result.output.splitlines()[0] == (
        f"{path}:1: kolom wajib tidak ada: level_2, level_3, level_4, level_5"
    )
    text = "kode,nama,jenis,level_1,level_2,level_3,level_4,level_5,catatan\n"
    path, result = _import(runner, tmp_path, "dictionary", text)
    assert result.output.splitlines()[0] == f"{path}:1: kolom tidak dikenal: catatan"
    path, result = _import(runner, tmp_path, "dictionary", text.replace(",catatan", ""))
    assert result.output.splitlines()[0] == f"{path}:2: berkas tidak berisi baris data"


def test_standards_import_checks_codes_levels_and_repeats(runner, app, tmp_path):
    load_dictionary()
    text = (
        "jabatan,kode,level\n"
        "Analis Kebijakan,M.01,3\n"
        "Analis Kebijakan,X.99,3\n"
        "Analis Kebijakan,M.02,6\n"
        ",M.03,2\n"
        "Analis Kebijakan,M.01,2\n"
    )
    path, result = _import(runner, tmp_path, "standards", text)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:3: kode kompetensi 'X.99' tidak ada di kamus kompetensi",
        f"{path}:4: level harus angka 1–5, bukan '6'",
        f"{path}:5: kolom 'jabatan' kosong",
        f"{path}:6: jabatan dan kode sama dengan baris 2",
        "4 error(s); nothing was imported",
    ]
    assert _count(CompetencyStandard) == 0

    good = "jabatan,kode,level\nAnalis Kebijakan,M.01,3\nAnalis Kebijakan,SK.01,2\n"
    _path, result = _import(runner, tmp_path, "standards", good)
    assert "standards: 2 created, 0 updated" in result.output
    _path, result = _import(runner, tmp_path, "standards", good.replace("M.01,3", "M.01,4"))
    assert "standards: 0 created, 2 updated" in result.output
    levels = dict(
        db.session.execute(
            select(Competency.code, CompetencyStandard.required_level).join(
                CompetencyStandard.competency
            )
        ).all()
    )
    assert levels == {"M.01": 4, "SK.01": 2}


def test_assessment_import_checks_every_column(runner, app, tmp_path, clock):
    load_dictionary()
    make_user(nip="198609262015051001")
    text = (
        "nip,kode,level,tanggal,sumber\n"
        "19860926 201505 1 001,M.01,2,2026-02-10,Assessment Center\n"
        "199203142019032002,M.01,2,2026-02-10,Assessment Center\n"
        "12345,M.01,2,2026-02-10,Assessment Center\n"
        "198609262015051001,M.99,2,2026-02-10,Assessment Center\n"
        "198609262015051001,M.02,0,2026-02-10,Assessment Center\n"
        "198609262015051001,M.02,2,31/02/2026,Assessment Center\n"
        "198609262015051001,M.02,2,2099-01-01,Assessment Center\n"
        "198609262015051001,M.02,2,10/02/2026,\n"
        "198609262015051001,M.01,3,10/02/2026,Assessment Center\n"
    )
    path, result = _import(runner, tmp_path, "assessments", text)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:3: NIP 199203142019032002 tidak terdaftar",
        f"{path}:4: NIP harus 18 angka",
        f"{path}:5: kode kompetensi 'M.99' tidak ada di kamus kompetensi",
        f"{path}:6: level harus angka 1–5, bukan '0'",
        f"{path}:7: tanggal '31/02/2026' tidak sah (gunakan TTTT-BB-HH atau HH/BB/TTTT)",
        f"{path}:8: tanggal 2099-01-01 belum terjadi",
        f"{path}:9: kolom 'sumber' kosong",
        f"{path}:10: NIP, kode, tanggal dan sumber sama dengan baris 2",
        "8 error(s); nothing was imported",
    ]
    assert _count(CompetencyAssessment) == 0

    good = "nip,kode,level,tanggal,sumber\n198609262015051001,M.01,2,10/02/2026,Assessment Center\n"
    _path, result = _import(runner, tmp_path, "assessments", good)
    assert "assessment results: 1 created, 0 updated" in result.output
    _path, result = _import(runner, tmp_path, "assessments", good.replace(",2,", ",3,"))
    assert "assessment results: 0 created, 1 updated" in result.output
    assert db.session.scalar(select(CompetencyAssessment.level)) == 3
