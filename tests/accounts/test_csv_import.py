from flask.testing import FlaskClient
from sqlalchemy import func, select

from elearn.extensions import db
from elearn.models import Role, User
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_unit, make_user

GOOD = (
    "nip,nama,email,kode_unit,jabatan,jenis_pegawai,pangkat_golongan\n"
    "198609262015051001,Andi Pratama,andi@palukota.go.id,palu,Analis Kebijakan,PNS,Penata / III-c\n"
    '199203142019032002,"Nur Aisyah, S.E.",,palu,,PNS,\n'
    "199507222022212003,Rahmat Hidayat,,palu,,PPPK,\n"
)


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def test_cli_import_creates_learners_with_temporary_passwords(runner, app, tmp_path):
    make_unit(code="palu")
    path = tmp_path / "peserta.csv"
    path.write_text(GOOD, encoding="utf-8-sig")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported 3 learners" in result.output
    user = db.session.scalar(select(User).where(User.nip == "199203142019032002"))
    assert user is not None and user.full_name == "Nur Aisyah, S.E."
    assert user.must_change_password and user.roles == {Role.LEARNER}


def test_cli_import_reports_every_bad_row_and_imports_nothing(runner, app, tmp_path):
    make_unit(code="palu")
    make_user(nip="198011052006041004", unit=make_unit(code="mamuju"))
    before = count_users()
    bad = (
        "nip;nama;kode_unit\n"
        "198609262015051001;Andi Pratama;palu\n"
        "198613262015051001;Tanggal Salah;palu\n"
        "198609262015051002;Unit Salah;sigi\n"
        "198609262015051001;NIP Ganda;palu\n"
        "198011052006041004;Sudah Ada;palu\n"
        ";Tanpa NIP;palu\n"
    )
    path = tmp_path / "peserta.csv"
    path.write_text(bad, encoding="utf-8")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [
        f"{path}:3: Tanggal lahir pada NIP (8 angka pertama) tidak valid.",
        f"{path}:4: kode unit 'sigi' tidak dikenal",
        f"{path}:5: NIP sama dengan baris 2",
        f"{path}:6: NIP sudah dipakai akun lain.",
        f"{path}:7: kolom 'nip' kosong",
    ]
    assert count_users() == before


def test_missing_columns_reported_on_line_1(runner, app, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("nip,name\n1,2\n")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1
    assert f"{path}:1: kolom wajib tidak ada: nama, kode_unit" in result.output


def test_line_numbers_count_quoted_multiline_cells(runner, app, tmp_path):
    make_unit(code="palu")
    path = tmp_path / "x.csv"
    path.write_text(
        'nip,nama,kode_unit\n198609262015051001,"Andi\nPratama",palu\n1986,Rusak,palu\n'
    )
    result = runner.invoke(args=["users", "import", str(path)])
    assert f"{path}:4: NIP harus terdiri dari 18 angka." in result.output


def test_web_import_shows_problems_and_temporary_passwords(client: FlaskClient, auth: AuthActions):
    from io import BytesIO

    unit = make_unit(code="palu")
    admin = make_user(Role.ADMIN, unit=unit, nip="197605112000031008")
    auth.login(admin.nip)

    bad = b"nip,nama,kode_unit\n198609262015051001,Andi,palu\n123,Rusak,palu\n"
    response = client.post(
        "/admin/users/import",
        data={
            "csrf_token": csrf_token(client, "/admin/users/import"),
            "file": (BytesIO(bad), "peserta.csv"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert "baris 3: NIP harus terdiri dari 18 angka." in page
    assert db.session.scalar(select(User).where(User.nip == "198609262015051001")) is None

    response = client.post(
        "/admin/users/import",
        data={
            "csrf_token": csrf_token(client, "/admin/users/import"),
            "file": (BytesIO(GOOD.encode()), "peserta.csv"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert "3 peserta diimpor" in page
    assert "Kata sandi sementara" in page


def test_a_field_over_the_csv_limit_is_reported_not_a_crash(runner, app, tmp_path):
    make_unit(code="palu")
    path = tmp_path / "x.csv"
    # An unclosed quote swallows the rest of the file into one field past csv's 128 KiB limit.
    path.write_text(
        "nip,nama,kode_unit\n198609262015051001,Andi,palu\n" + '1986,"' + "x" * 140_000 + "\n"
    )
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1
    assert f"{path}:3: isian lebih dari 131072 karakter" in result.output
    assert count_users() == 0


def test_nul_bytes_and_overlong_values_are_row_problems(runner, app, tmp_path):
    make_unit(code="palu")
    path = tmp_path / "x.csv"
    path.write_text(
        "nip,nama,kode_unit,jabatan\n"
        "198609262015051001,Andi\x00,palu,\n"
        f"199203142019032002,Nur,palu,{'j' * 201}\n"
    )
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"{path}:2: kolom 'nama' berisi karakter NUL",
        f"{path}:3: kolom 'jabatan' lebih dari 200 karakter",
    ]


def test_web_import_of_an_oversize_field_shows_the_line(client: FlaskClient, auth: AuthActions):
    from io import BytesIO

    unit = make_unit(code="palu")
    auth.login(make_user(Role.ADMIN, unit=unit).nip)
    huge = b'nip,nama,kode_unit\n"' + b"9" * 140_000 + b'",Andi,palu\n'
    response = client.post(
        "/admin/users/import",
        data={
            "csrf_token": csrf_token(client, "/admin/users/import"),
            "file": (BytesIO(huge), "peserta.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "baris 2: isian lebih dari 131072 karakter" in response.get_data(as_text=True)


def test_cli_credentials_csv_round_trips_quotes_and_commas_and_neutralises_formulas(
    runner, app, tmp_path, monkeypatch
):
    import csv
    import stat

    from elearn.accounts import csv_import

    make_unit(code="palu")
    path = tmp_path / "learners.csv"
    path.write_text(
        "nip,nama,kode_unit,jenis_pegawai\n"
        '198609262015051001,"Andi ""Dg."" Pratama, S.E.",palu,PNS\n'
        "199203142019032002,@SUM(1+1)*cmd|' /C calc'!A0,palu,PNS\n"
        '199507222022212003,=HYPERLINK("http://x"),palu,PPPK\n',
        encoding="utf-8",
    )
    # The first draw would start with "-": it must be drawn again, not written out.
    draws = ["-startsdash1", "Pw1abcdefghi", "Pw2abcdefghi", "Pw3abcdefghi"]
    monkeypatch.setattr(csv_import, "_random_password", lambda: draws.pop(0))
    out = tmp_path / "credentials.csv"
    result = runner.invoke(args=["users", "import", str(path), "--credentials", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["nip", "nama", "kata_sandi_sementara"]
    assert len(rows) == 4 and all(len(row) == 3 for row in rows)
    by_nip = {row[0]: row for row in rows[1:]}
    assert by_nip["198609262015051001"][1:] == ['Andi "Dg." Pratama, S.E.', "Pw1abcdefghi"]
    assert by_nip["199203142019032002"][1] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert by_nip["199507222022212003"][1] == '\'=HYPERLINK("http://x")'
    # The password in the file is the one that signs in.
    from elearn.accounts.services import authenticate

    assert authenticate("198609262015051001", "Pw1abcdefghi") is not None
