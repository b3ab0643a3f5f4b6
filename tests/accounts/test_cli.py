from sqlalchemy import select

from elearn.demo.cli import ACCOUNTS, DEMO_PASSWORD
from elearn.extensions import db
from elearn.models import Role, User
from tests.conftest import AuthActions
from tests.factories import make_unit


def test_users_create_reads_password_from_stdin(runner, app):
    make_unit(code="palu")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--nip",
            "19860926 201505 1 001",
            "--name",
            "Andi Pratama",
            "--unit",
            "palu",
            "--role",
            "coordinator",
            "--role",
            "learner",
            "--scope",
            "palu",
            "--password-stdin",
        ],
        input="kata-sandi-kuat-1\n",
    )
    assert result.exit_code == 0, result.output
    assert "created 19860926 201505 1 001 Andi Pratama (coordinator, learner)" in result.output
    user = db.session.scalar(select(User).where(User.nip == "198609262015051001"))
    assert user is not None and user.roles == {Role.COORDINATOR, Role.LEARNER}


def test_users_create_prompts_for_password(runner, app):
    make_unit(code="palu")
    result = runner.invoke(
        args=["users", "create", "--nip", "198609262015051001", "--name", "Andi", "--unit", "palu"],
        input="kata-sandi-kuat-1\nkata-sandi-kuat-1\n",
    )
    assert result.exit_code == 0, result.output


def test_users_create_rejects_bad_nip_and_weak_password(runner, app):
    make_unit(code="palu")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--nip",
            "198609262015131001",
            "--name",
            "X",
            "--unit",
            "palu",
            "--password-stdin",
        ],
        input="kata-sandi-kuat-1\n",
    )
    assert result.exit_code == 1
    assert "Bulan TMT CPNS" in result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--nip",
            "198609262015051001",
            "--name",
            "X",
            "--unit",
            "palu",
            "--password-stdin",
        ],
        input="pendek\n",
    )
    assert result.exit_code == 1
    assert "minimal 8 karakter" in result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--nip",
            "198609262015051001",
            "--name",
            "X",
            "--unit",
            "sigi",
            "--password-stdin",
        ],
        input="kata-sandi-kuat-1\n",
    )
    assert result.exit_code == 2
    assert "unknown unit code 'sigi'" in result.output


def test_units_create_and_list(runner, app):
    assert (
        runner.invoke(
            args=[
                "units",
                "create",
                "palu",
                "Pemerintah Kota Palu",
                "--kind",
                "instansi",
                "--timezone",
                "Asia/Makassar",
            ]
        ).exit_code
        == 0
    )
    result = runner.invoke(
        args=[
            "units",
            "create",
            "palu-bkpsdm",
            "BKPSDM",
            "--parent",
            "palu",
            "--kind",
            "perangkat_daerah",
        ]
    )
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["units", "list"]).output
    assert "palu-bkpsdm" in listing and "Pemerintah Kota Palu › BKPSDM" in listing


def test_demo_creates_every_role_in_two_units_and_all_sign_in(runner, app):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    for account in ACCOUNTS:
        assert account.nip in result.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "(exists)" in again.output

    roles = {role for account in ACCOUNTS for role in account.roles}
    assert roles == set(Role)
    scopes = {a.scope for a in ACCOUNTS if a.scope}
    assert {"palu", "mamuju"} <= scopes

    for account in ACCOUNTS:
        client = app.test_client()
        response = AuthActions(client).login(account.nip, DEMO_PASSWORD)
        assert response.status_code == 302, account.nip
        assert client.get("/account/password").status_code == 200


def test_demo_publishes_the_sample_courses_with_owner_units(runner, app):
    from elearn.models import Course

    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    owners = {c.slug: c.unit.code for c in db.session.scalars(select(Course))}
    assert owners == {
        "manajemen-proyek": "palu",
        "administrasi-digital": "palu",
        "kepemimpinan": "mamuju",
    }
    assert all(c.published_version for c in db.session.scalars(select(Course)))
    assert "unchanged" in runner.invoke(args=["demo"]).output
