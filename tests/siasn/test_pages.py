"""The SIASN page is one click away for evaluators and admins, and hidden from the others."""

from __future__ import annotations

from flask import Flask

from elearn.models import Role
from tests.conftest import AuthActions
from tests.factories import make_unit, make_user

LINK = '<a href="/siasn/">SIASN</a>'


def test_the_navigation_links_the_siasn_page_for_evaluators_and_admins_only(app: Flask):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    for roles, shown in (
        ((Role.EVALUATOR,), True),
        ((Role.ADMIN,), True),
        ((Role.COORDINATOR,), False),
        ((), False),
    ):
        user = make_user(*roles, unit=palu, scope=[palu] if roles else None)
        client = app.test_client()
        AuthActions(client).login(user.nip)
        page = client.get("/me").get_data(as_text=True)
        assert (LINK in page) is shown, roles
        if shown:
            assert client.get("/siasn/").status_code == 200
