"""Sign-in with SSO ASN against a real OpenID Connect provider (tests/oidc/provider.js).

The provider issues real codes and signed ID tokens; the Flask test client plays our
side and a requests session plays the browser at the provider's sign-in and consent pages.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from config import TestConfig
from elearn import create_app
from elearn.accounts.services import set_active, set_password
from elearn.extensions import db
from elearn.models import User
from elearn.privacy.subject import anonymise
from tests.conftest import IsolatedClient, csrf_token, sqlite_app
from tests.factories import make_user
from tests.oidc.provider import OidcProvider, running_provider, sign_in_at_provider

CALLBACK = "http://localhost/login/sso/callback"
NIP_ANDI = "198609262015051001"
NIP_STRANGER = "198609262015052002"
NIP_SLEEPER = "198609262015051003"
NIP_GONE = "198609262015052004"
ACCOUNTS = {
    # As SSO ASN (Keycloak) is known to send it: the NIP as the username.
    "andi": {"preferred_username": NIP_ANDI, "name": "Andi Pratama"},
    "stranger": {"preferred_username": NIP_STRANGER, "name": "Orang Asing"},
    "sleeper": {"preferred_username": NIP_SLEEPER, "name": "Akun Nonaktif"},
    "gone": {"preferred_username": NIP_GONE, "name": "Sudah Pergi"},
    "no-nip": {"preferred_username": "tamu", "name": "Tanpa NIP"},
    # A provider that names the NIP in a claim of its own (SSO_ASN_NIP_CLAIM=nip).
    "with-nip-claim": {"preferred_username": "andi.pratama", "nip": NIP_ANDI, "name": "Andi"},
}
BUTTON = "Masuk dengan SSO ASN"
UNKNOWN = f"NIP {NIP_STRANGER} belum terdaftar di eLearn ASN"
UNVERIFIED = "Masuk dengan SSO ASN tidak dapat diverifikasi atau sudah kedaluwarsa"


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    """The OpenID provider, with our test client's callback registered."""
    with running_provider([CALLBACK], ACCOUNTS) as running:
        yield running


@pytest.fixture
def sso_app(database_url: str, provider: OidcProvider) -> Iterator[Flask]:
    """An app with SSO ASN pointed at the test provider, on SQLite and PostgreSQL."""
    config = type(
        "Config",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": database_url, **provider.sso_config()},
    )
    application = create_app(config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        shared = db.engine.dialect.name != "sqlite"
        if shared:
            db.drop_all()
        db.create_all()
        yield application
        db.session.remove()
        if shared:
            db.drop_all()
        db.engine.dispose()


@pytest.fixture
def sso_client(sso_app: Flask) -> FlaskClient:
    """A test client of the SSO-enabled app."""
    return sso_app.test_client()


def start(client: FlaskClient, next_url: str = "") -> str:
    """Press "Masuk dengan SSO ASN"; return where the browser is sent."""
    token = csrf_token(client, "/login")
    response = client.post("/login/sso", data={"csrf_token": token, "next": next_url})
    assert response.status_code == 302
    return response.headers["Location"]


def sso_sign_in(client: FlaskClient, login: str) -> TestResponse:
    """The whole round trip as ``login`` at the provider; return our callback's answer."""
    back = sign_in_at_provider(start(client), login, CALLBACK)
    return client.get(back)


def signed_in(client: FlaskClient) -> bool:
    return client.get("/me").status_code == 200


def login_page_after(client: FlaskClient, response: TestResponse) -> str:
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    return client.get("/login").get_data(as_text=True)


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def test_button_and_routes_only_when_configured(
    client: FlaskClient, sso_client: FlaskClient, provider: OidcProvider
):
    assert BUTTON not in client.get("/login").get_data(as_text=True)
    token = csrf_token(client, "/login")
    assert client.post("/login/sso", data={"csrf_token": token}).status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404

    assert "form-action 'self';" in client.get("/login").headers["Content-Security-Policy"]
    login = sso_client.get("/login")
    assert BUTTON in login.get_data(as_text=True)
    # Browsers hold the button's redirect to the page's form-action: the provider is allowed.
    policy = login.headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.issuer};" in policy
    assert login.headers.getlist("Content-Security-Policy") == [policy]  # the page's, alone
    assert "form-action 'self';" in sso_client.get("/me").headers["Content-Security-Policy"]
    # The button is a form POST: without the CSRF token it does not leave the site.
    assert sso_client.post("/login/sso").status_code == 400


def test_authorization_request_uses_pkce_state_and_nonce(sso_client: FlaskClient, provider):
    location = urlsplit(start(sso_client))
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}" == provider.issuer
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256 digest
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [CALLBACK]


def test_known_nip_signs_in_without_forcing_a_password_change(sso_client: FlaskClient):
    user = make_user(nip=NIP_ANDI, name="Andi Pratama")
    set_password(user, "sementara-123", must_change=True)  # an admin's temporary password
    db.session.commit()
    before = sso_client.get_cookie("session")

    response = sso_sign_in(sso_client, "andi")

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/me"
    after = sso_client.get_cookie("session")
    assert after is not None and (before is None or after.value != before.value)
    dashboard = sso_client.get("/me")
    assert dashboard.status_code == 200  # not sent to change the unused temporary password
    assert "Selamat datang, Andi Pratama." in dashboard.get_data(as_text=True)
    db.session.refresh(user)
    assert user.last_login_at is not None
    # Signing out ends the session like any other.
    sso_client.post("/logout", data={"csrf_token": csrf_token(sso_client, "/me")})
    assert not signed_in(sso_client)


def test_next_page_is_kept_across_the_round_trip(sso_client: FlaskClient):
    make_user(nip=NIP_ANDI)
    back = sign_in_at_provider(start(sso_client, "/account/password"), "andi", CALLBACK)
    response = sso_client.get(back)
    assert urlsplit(response.headers["Location"]).path == "/account/password"


def test_unknown_nip_creates_nothing_and_says_so(sso_client: FlaskClient):
    make_user(nip=NIP_ANDI)
    count = user_count()
    page = login_page_after(sso_client, sso_sign_in(sso_client, "stranger"))
    assert UNKNOWN in page
    assert not signed_in(sso_client)
    assert user_count() == count


def test_deactivated_account_is_refused(sso_client: FlaskClient):
    user = make_user(nip=NIP_SLEEPER)
    set_active(user, False)
    db.session.commit()
    page = login_page_after(sso_client, sso_sign_in(sso_client, "sleeper"))
    assert f"Akun eLearn ASN untuk NIP {NIP_SLEEPER} tidak aktif" in page
    assert not signed_in(sso_client)


def test_anonymised_account_is_not_found(sso_client: FlaskClient):
    user = make_user(nip=NIP_GONE)
    anonymise(user)
    db.session.commit()
    page = login_page_after(sso_client, sso_sign_in(sso_client, "gone"))
    assert f"NIP {NIP_GONE} belum terdaftar" in page
    assert not signed_in(sso_client)


def test_token_without_a_nip_is_refused(sso_client: FlaskClient):
    page = login_page_after(sso_client, sso_sign_in(sso_client, "no-nip"))
    assert "SSO ASN tidak mengirimkan NIP Anda" in page
    assert not signed_in(sso_client)


def test_tampered_or_replayed_state_is_refused(sso_client: FlaskClient):
    make_user(nip=NIP_ANDI)
    back = sign_in_at_provider(start(sso_client), "andi", CALLBACK)
    state = parse_qs(urlsplit(back).query)["state"][0]
    tampered = back.replace(f"state={state}", "state=forged")
    assert UNVERIFIED in login_page_after(sso_client, sso_client.get(tampered))
    assert not signed_in(sso_client)

    # The genuine answer still works once; the same URL a second time does not.
    assert sso_client.get(back).status_code == 302 and signed_in(sso_client)
    other = sso_client.application.test_client()
    assert UNVERIFIED in login_page_after(other, other.get(back))


def test_callback_in_another_browser_is_refused(sso_app: Flask, sso_client: FlaskClient):
    # Login CSRF: an attacker's own code and state, opened in the victim's browser.
    make_user(nip=NIP_ANDI)
    attackers = sign_in_at_provider(start(sso_client), "andi", CALLBACK)
    victim = sso_app.test_client()
    assert UNVERIFIED in login_page_after(victim, victim.get(attackers))
    assert not signed_in(victim)


def test_id_token_with_another_nonce_is_refused(sso_client: FlaskClient):
    make_user(nip=NIP_ANDI)
    back = sign_in_at_provider(start(sso_client), "andi", CALLBACK)
    with sso_client.session_transaction() as session:
        (key,) = [k for k in session if k.startswith("_state_sso_asn_")]
        stored = dict(session[key])
        stored["data"] = {**stored["data"], "nonce": "not-the-one-sent"}
        session[key] = stored
    assert UNVERIFIED in login_page_after(sso_client, sso_client.get(back))
    assert not signed_in(sso_client)


def test_cancelled_at_the_provider(sso_client: FlaskClient):
    start(sso_client)
    response = sso_client.get("/login/sso/callback?error=access_denied&state=x")
    page = login_page_after(sso_client, response)
    assert "Masuk dengan SSO ASN dibatalkan" in page


def test_nip_claim_name_is_configurable(tmp_path: Path, provider: OidcProvider):
    for app in sqlite_app(
        tmp_path / "claim.sqlite", **provider.sso_config(SSO_ASN_NIP_CLAIM="nip")
    ):
        make_user(nip=NIP_ANDI, name="Andi Pratama")
        client = app.test_client()
        sso_sign_in(client, "with-nip-claim")
        assert signed_in(client)


def test_failures_count_in_the_sign_in_throttle(tmp_path: Path, provider: OidcProvider):
    settings = provider.sso_config(RATELIMIT_ENABLED=True, LOGIN_FREE_FAILURES=2)
    for app in sqlite_app(tmp_path / "throttle.sqlite", **settings):
        client = app.test_client()
        for _ in range(2):  # the free failures: only the message
            page = login_page_after(client, sso_sign_in(client, "stranger"))
            assert UNKNOWN in page and "Terlalu banyak percobaan" not in page
        page = login_page_after(client, sso_sign_in(client, "stranger"))
        assert UNKNOWN in page and "Terlalu banyak percobaan" in page
        # While the delay runs, even a fresh round trip for that NIP is turned away.
        page = login_page_after(client, sso_sign_in(client, "stranger"))
        assert "Terlalu banyak percobaan" in page and UNKNOWN not in page


def test_an_address_over_the_cap_cannot_start(tmp_path: Path, provider: OidcProvider):
    settings = provider.sso_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    for app in sqlite_app(tmp_path / "cap.sqlite", **settings):
        client = app.test_client()
        for _ in range(2):
            sso_sign_in(client, "no-nip")  # failures before any NIP was vouched for
        token = csrf_token(client, "/login")
        response = client.post("/login/sso", data={"csrf_token": token})
        assert int(response.headers["Retry-After"]) > 0
        assert "Terlalu banyak percobaan" in login_page_after(client, response)


def test_provider_down_says_so(tmp_path: Path, unused_port: int):
    settings = {
        "SSO_ASN_ISSUER": f"http://127.0.0.1:{unused_port}",
        "SSO_ASN_CLIENT_ID": "x",
        "SSO_ASN_CLIENT_SECRET": "y",
        "SSO_ASN_TIMEOUT_SECONDS": 2,
    }
    for app in sqlite_app(tmp_path / "down.sqlite", **settings):
        client = app.test_client()
        token = csrf_token(client, "/login")
        response = client.post("/login/sso", data={"csrf_token": token})
        assert "SSO ASN sedang tidak dapat dihubungi" in login_page_after(client, response)


@pytest.fixture
def unused_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_half_a_configuration_leaves_sso_off_and_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    settings = {"SSO_ASN_ISSUER": "https://sso.example", "SSO_ASN_CLIENT_ID": "x"}
    for app in sqlite_app(tmp_path / "half.sqlite", **settings):
        assert BUTTON not in app.test_client().get("/login").get_data(as_text=True)
    assert "SSO ASN is off: SSO_ASN_ISSUER and SSO_ASN_CLIENT_ID set" in caplog.text


def test_english_login_page_and_message(sso_client: FlaskClient):
    with sso_client.session_transaction() as session:
        session["lang"] = "en"
    assert "Sign in with SSO ASN" in sso_client.get("/login").get_data(as_text=True)
    page = login_page_after(sso_client, sso_sign_in(sso_client, "stranger"))
    assert f"NIP {NIP_STRANGER} is not registered in eLearn ASN" in page


def test_discovery_naming_another_issuer_is_refused(tmp_path: Path, provider: OidcProvider):
    # The same provider under another name: its discovery document says 127.0.0.1.
    other_name = provider.issuer.replace("127.0.0.1", "localhost")
    settings = provider.sso_config(SSO_ASN_ISSUER=other_name)
    for app in sqlite_app(tmp_path / "iss.sqlite", **settings):
        client = app.test_client()
        token = csrf_token(client, "/login")
        response = client.post("/login/sso", data={"csrf_token": token})
        page = login_page_after(client, response)
        assert "SSO ASN tidak dapat diverifikasi" in page
