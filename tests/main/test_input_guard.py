"""Hostile input is refused with a 400/404/422 and a message, before any view runs."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from elearn.models import Role
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_unit, make_user


@pytest.fixture
def admin(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    """``client``, signed in as an admin."""
    unit = make_unit()
    auth.login(make_user(Role.ADMIN, Role.COORDINATOR, Role.LEARNER, unit=unit, scope=[unit]).nip)
    return client


def test_a_nul_byte_in_the_login_form_is_a_400_with_a_message(client: FlaskClient) -> None:
    data = {"login": "admin\x00", "password": "x", "csrf_token": csrf_token(client, "/login")}
    response = client.post("/login", data=data)
    assert response.status_code == 400
    assert "berisi karakter yang tidak diizinkan (NUL)" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    ["/courses/?q=a%00b", "/courses/?category=%00", "/records/learners?q=%01", "/courses/%00"],
)
def test_control_bytes_in_addresses_are_a_400(admin: FlaskClient, url: str) -> None:
    response = admin.get(url)
    assert response.status_code == 400
    assert "karakter kendali" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/users/2147483648",
        "/admin/units/9223372036854775808",
        "/records/learners/2147483648",
        "/records/trainings/2147483648/evidence",
        "/admin/users/" + "9" * 5000,
    ],
)
def test_ids_beyond_a_database_integer_are_a_404(admin: FlaskClient, url: str) -> None:
    assert admin.get(url).status_code == 404


def test_the_largest_database_integer_is_still_looked_up(admin: FlaskClient) -> None:
    assert admin.get("/admin/users/2147483647").status_code == 404


@pytest.mark.parametrize("page", ["99999999999999999999", "-1", "0", "dua", "100001"])
def test_bad_page_numbers_are_a_400_with_a_message(admin: FlaskClient, page: str) -> None:
    for url in ("/admin/users", "/records/learners", "/reports/audit"):
        response = admin.get(url, query_string={"page": page})
        assert response.status_code == 400, url
        assert "harus bilangan bulat dari 1 sampai 100000" in response.get_data(as_text=True)


def test_a_sane_page_number_still_works(admin: FlaskClient) -> None:
    assert admin.get("/admin/users", query_string={"page": "1"}).status_code == 200


def test_library_errors_keep_the_indonesian_text(client: FlaskClient) -> None:
    response = client.post("/login", data={"login": "x", "password": "y"})  # no CSRF token
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Formulir kedaluwarsa" in page and "Muat ulang halaman dan coba lagi." in page
    assert "CSRF" not in page and "Bad Request" not in page
