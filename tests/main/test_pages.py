import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from config import Config
from elearn import create_app
from elearn.security import MissingSecretKey
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_unit, make_user


def test_pages_are_indonesian_first_with_lang_attribute(client: FlaskClient):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "Kata sandi" in page and "Masuk" in page


def test_language_switch_to_english(client: FlaskClient):
    token = csrf_token(client, "/login")
    response = client.post("/language/en", data={"csrf_token": token, "next": "/login"})
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Password" in page and "Sign in" in page


def test_not_found_page_is_friendly(client: FlaskClient):
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


def test_security_headers(client: FlaskClient):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    for name in ("content-security-policy", "x-content-type-options", "referrer-policy"):
        assert len(response.headers.getlist(name)) == 1, name  # sent once, whatever the case


def test_a_views_own_security_header_is_sent_alone(app: Flask):
    """A response that sets its own policy keeps it, once, whatever case it was named in."""

    @app.get("/_own-policy")
    def own_policy() -> Response:
        response = Response("ok")
        response.headers["content-security-policy"] = "default-src 'none'"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response

    response = app.test_client().get("/_own-policy")
    assert response.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]  # not set: added


def test_times_are_shown_in_the_users_zone(client: FlaskClient, auth: AuthActions):
    palangkaraya = make_unit("Pemerintah Kota Palangka Raya", timezone="Asia/Pontianak")
    user = make_user(unit=palangkaraya)
    auth.login(user.nip)
    auth.logout()
    auth.login(user.nip)
    page = client.get("/").get_data(as_text=True)
    assert "WIB" in page and "Terakhir masuk" in page


def test_production_refuses_to_start_without_secret_key(monkeypatch: pytest.MonkeyPatch):
    config = type("Prod", (Config,), {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(MissingSecretKey):
        create_app(config)


def test_templates_follow_a_locale_forced_within_the_request(app):
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context("/"):
        assert render_template_string("{{ _('Katalog') }}") == "Katalog"
        with force_locale("en"):
            assert render_template_string("{{ _('Katalog') }}") == "Catalogue"
        assert render_template_string("{{ _('Katalog') }}") == "Katalog"


def test_navigation_matches_each_users_roles_and_language(app):
    from elearn.models import Role

    learner, admin = make_user(), make_user(Role.ADMIN)
    learner_client, admin_client = app.test_client(), app.test_client()
    AuthActions(learner_client).login(learner.nip)
    AuthActions(admin_client).login(admin.nip)
    for _ in range(2):  # the second view comes from the navigation cache
        assert "Pengguna" in admin_client.get("/").get_data(as_text=True)
        learner_page = learner_client.get("/").get_data(as_text=True)
        assert "Katalog" in learner_page and "Pengguna" not in learner_page
    token = csrf_token(learner_client, "/")
    learner_client.post("/language/en", data={"csrf_token": token, "next": "/"})
    english = learner_client.get("/").get_data(as_text=True)
    assert "Catalogue" in english and "Katalog" not in english
