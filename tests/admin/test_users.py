from flask.testing import FlaskClient
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Role, User
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_unit, make_user


def sign_in_admin(auth: AuthActions) -> User:
    admin = make_user(Role.ADMIN, name="Admin")
    auth.login(admin.nip)
    return admin


def test_admin_creates_coordinator_scoped_to_a_unit(client: FlaskClient, auth: AuthActions):
    sign_in_admin(auth)
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    bkpsdm = make_unit("BKPSDM", parent=palu, code="palu-bkpsdm")
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_token(client, "/admin/users/new"),
            "nip": "19801105 200604 2 004",
            "full_name": "Siti Rahmawati",
            "email": "siti@palukota.go.id",
            "employee_type": "PNS",
            "unit_id": str(bkpsdm.id),
            "roles": ["coordinator", "learner"],
            "scope_unit_ids": [str(palu.id)],
            "password": "awal-rahasia-1",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.nip == "198011052006042004"))
    assert user is not None
    assert user.roles == {Role.COORDINATOR, Role.LEARNER}
    assert [s.unit.code for s in user.role_scopes] == ["palu"]
    assert user.must_change_password


def test_bad_nip_in_admin_form_shows_indonesian_error_and_saves_nothing(
    client: FlaskClient, auth: AuthActions
):
    sign_in_admin(auth)
    unit = make_unit(code="palu")
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_token(client, "/admin/users/new"),
            "nip": "198613262015051001",
            "full_name": "Salah NIP",
            "employee_type": "PNS",
            "unit_id": str(unit.id),
            "roles": ["learner"],
            "password": "awal-rahasia-1",
        },
    )
    assert response.status_code == 200
    assert "Tanggal lahir pada NIP" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.full_name == "Salah NIP")) is None


def test_coordinator_without_scope_is_refused(client: FlaskClient, auth: AuthActions):
    sign_in_admin(auth)
    unit = make_unit(code="palu")
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_token(client, "/admin/users/new"),
            "nip": "198011052006042004",
            "full_name": "Tanpa Lingkup",
            "employee_type": "PNS",
            "unit_id": str(unit.id),
            "roles": ["coordinator"],
            "password": "awal-rahasia-1",
        },
    )
    assert "minimal satu unit" in response.get_data(as_text=True)


def test_admin_deactivates_user_and_user_is_signed_out(app, client: FlaskClient, auth):
    learner = make_user(name="Peserta")
    learner_client = app.test_client()
    from tests.conftest import AuthActions as Actions

    Actions(learner_client).login(learner.nip)
    assert learner_client.get("/account/password").status_code == 200

    sign_in_admin(auth)
    response = client.post(
        f"/admin/users/{learner.id}/active",
        data={"csrf_token": csrf_token(client, "/admin/users")},
    )
    assert response.status_code == 302
    db.session.refresh(learner)
    assert not learner.is_active
    assert learner_client.get("/account/password").status_code == 302


def test_admin_cannot_deactivate_self(client: FlaskClient, auth: AuthActions):
    admin = sign_in_admin(auth)
    client.post(
        f"/admin/users/{admin.id}/active", data={"csrf_token": csrf_token(client, "/admin/users")}
    )
    db.session.refresh(admin)
    assert admin.is_active


def test_admin_edits_user_roles(client: FlaskClient, auth: AuthActions):
    sign_in_admin(auth)
    unit = make_unit(code="mamuju", name="Pemerintah Kabupaten Mamuju")
    user = make_user(unit=unit, name="Nur Aisyah")
    response = client.post(
        f"/admin/users/{user.id}",
        data={
            "csrf_token": csrf_token(client, f"/admin/users/{user.id}"),
            "nip": user.nip,
            "full_name": "Nur Aisyah, S.E.",
            "employee_type": "PNS",
            "unit_id": str(unit.id),
            "roles": ["learner", "evaluator"],
            "scope_unit_ids": [str(unit.id)],
        },
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.full_name == "Nur Aisyah, S.E."
    assert user.roles == {Role.LEARNER, Role.EVALUATOR}


def test_user_list_search_by_name_and_nip(client: FlaskClient, auth: AuthActions):
    sign_in_admin(auth)
    make_user(name="Rahmat Hidayat", nip="199507222015012003")
    page = client.get("/admin/users?q=rahmat").get_data(as_text=True)
    assert "Rahmat Hidayat" in page
    page = client.get("/admin/users?q=19950722 201501").get_data(as_text=True)
    assert "Rahmat Hidayat" in page
    page = client.get("/admin/users?q=tidakada").get_data(as_text=True)
    assert "Rahmat Hidayat" not in page


def test_admin_manages_units_without_cycles(client: FlaskClient, auth: AuthActions):
    sign_in_admin(auth)
    palu = make_unit(code="palu")
    response = client.post(
        "/admin/units/new",
        data={
            "csrf_token": csrf_token(client, "/admin/units/new"),
            "code": "palu-kominfo",
            "name": "Dinas Kominfo",
            "kind": "perangkat_daerah",
            "parent_id": str(palu.id),
            "timezone": "",
        },
    )
    assert response.status_code == 302
    page = client.get("/admin/units").get_data(as_text=True)
    assert "Dinas Kominfo" in page

    from elearn.models import Unit

    kominfo = db.session.scalar(select(Unit).where(Unit.code == "palu-kominfo"))
    response = client.post(
        f"/admin/units/{palu.id}",
        data={
            "csrf_token": csrf_token(client, f"/admin/units/{palu.id}"),
            "code": "palu",
            "name": "Pemerintah Kota Palu",
            "kind": "perangkat_daerah",
            "parent_id": str(kominfo.id),
            "timezone": "",
        },
    )
    assert "sub-unitnya" in response.get_data(as_text=True)
