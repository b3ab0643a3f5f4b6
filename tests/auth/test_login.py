import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from elearn.accounts.services import set_active, set_password
from elearn.extensions import db
from elearn.models import Role
from elearn.settings import with_changes
from tests.conftest import AuthActions, csrf_token
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.learning.test_statement_budget import _queries, counted

PROTECTED = "/account/password"


def is_signed_in(client: FlaskClient) -> bool:
    return client.get(PROTECTED).status_code == 200


def copy_session(source: FlaskClient, app: Flask) -> FlaskClient:
    """A second browser holding the same session and remember-me cookies."""
    other = app.test_client()
    for name in ("session", "remember_token"):
        cookie = source.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value)
    return other


def test_sign_in_with_nip_grouped_or_email(app: Flask, client: FlaskClient, auth: AuthActions):
    user = make_user(email="andi@palukota.go.id")
    grouped = user.nip_grouped

    response = auth.login(grouped)
    assert response.status_code == 302
    assert is_signed_in(client)
    auth.logout()
    assert not is_signed_in(client)

    auth.login("ANDI@palukota.go.id")
    assert is_signed_in(client)


def test_wrong_password_and_unknown_account_look_the_same(client: FlaskClient, auth):
    user = make_user()
    wrong = auth.login(user.nip, "salah-sekali").get_data(as_text=True)
    unknown = auth.login("199001012015011001", "salah-sekali").get_data(as_text=True)
    message = "NIP/e-mail atau kata sandi salah"
    assert message in wrong and message in unknown
    assert not is_signed_in(client)


def test_session_is_rotated_at_sign_in(client: FlaskClient, auth: AuthActions):
    user = make_user()
    csrf_token(client, "/login")
    before = client.get_cookie("session")
    assert before is not None
    auth.login(user.nip)
    after = client.get_cookie("session")
    assert after is not None and after.value != before.value
    # The pre-login cookie does not grant access.
    stale = client.application.test_client()
    stale.set_cookie("session", before.value)
    assert not is_signed_in(stale)


def test_logout_invalidates_copies_of_the_session(app: Flask, client, auth):
    user = make_user()
    auth.login(user.nip, remember="y")
    thief = copy_session(client, app)
    assert is_signed_in(thief)
    auth.logout()
    assert not is_signed_in(thief)


def test_deactivation_ends_existing_sessions_and_remember_cookie(app: Flask, client, auth):
    user = make_user()
    auth.login(user.nip, remember="y")
    only_remember = app.test_client()
    only_remember.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert is_signed_in(only_remember)

    set_active(user, False)
    db.session.commit()

    assert not is_signed_in(client)
    assert not is_signed_in(only_remember)
    assert auth.login(user.nip).status_code == 200  # form shown again, no sign-in


def test_password_change_ends_other_sessions_but_keeps_this_one(app: Flask, client, auth):
    user = make_user()
    auth.login(user.nip, remember="y")
    other_device = copy_session(client, app)

    response = client.post(
        PROTECTED,
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "kata-sandi-baru-456",
            "confirm": "kata-sandi-baru-456",
            "csrf_token": csrf_token(client, PROTECTED),
        },
    )
    assert response.status_code == 302
    assert is_signed_in(client)
    assert not is_signed_in(other_device)
    auth.logout()
    assert auth.login(user.nip, DEFAULT_PASSWORD).status_code == 200
    assert auth.login(user.nip, "kata-sandi-baru-456").status_code == 302


def test_admin_reset_password_ends_sessions(app: Flask, client, auth):
    user = make_user()
    auth.login(user.nip)
    set_password(user, "sementara-999", must_change=True)
    db.session.commit()
    assert not is_signed_in(client)


def test_temporary_password_must_be_changed_first(client: FlaskClient, auth: AuthActions):
    user = make_user()
    set_password(user, "sementara-999", must_change=True)
    db.session.commit()
    auth.login(user.nip, "sementara-999")
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(PROTECTED)


def test_inactive_account_cannot_sign_in(client, auth):
    user = make_user()
    set_active(user, False)
    db.session.commit()
    assert auth.login(user.nip).status_code == 200
    assert not is_signed_in(client)


def test_login_form_requires_csrf_token(client: FlaskClient):
    user = make_user()
    response = client.post("/login", data={"login": user.nip, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert not is_signed_in(client)


def test_logout_requires_post_with_csrf(client, auth):
    user = make_user(Role.LEARNER)
    auth.login(user.nip)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert is_signed_in(client)


def test_session_cookie_flags(app: Flask, client, auth):
    app.config["SESSION_COOKIE_SECURE"] = True
    user = make_user()
    response = auth.login(user.nip, remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Secure" in session_cookie
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember


@pytest.mark.parametrize(
    "old",
    [
        # argon2-cffi's default profile, which hashes made before 2026-12-03 carry.
        PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4),
        # OWASP's m=19 MiB, t=2 setting, used until 2026-12-05.
        PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1),
    ],
)
def test_sign_in_upgrades_a_hash_made_with_old_parameters(
    app: Flask, auth: AuthActions, old: PasswordHasher
):
    user = make_user()
    user.password_hash = old.hash(DEFAULT_PASSWORD)
    before = user.password_hash.split("$")[3]
    db.session.commit()
    with_changes(app, password_hash_profile="")  # the production parameters

    assert auth.login(user.nip, "salah-sekali").status_code == 200
    db.session.refresh(user)
    assert user.password_hash.split("$")[3] == before  # a wrong password changes nothing

    assert auth.login(user.nip).status_code == 302
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$v=19$m=7168,t=5,p=1$")
    upgraded = user.password_hash
    auth.logout()
    assert auth.login(user.nip).status_code == 302  # the new hash holds the same password
    db.session.refresh(user)
    assert user.password_hash == upgraded  # and is not hashed again


def test_a_sign_in_costs_three_statements(app: Flask, client: FlaskClient):
    """Find the account, read it again after the password check, record the sign-in.

    A morning rush signs hundreds in at once; the row written is not read back to answer.
    """
    user = make_user(name="Andi Pratama")
    token = csrf_token(client, "/login")
    form = {"login": user.nip, "password": DEFAULT_PASSWORD, "csrf_token": token}
    with counted(app) as statements:
        response = client.post("/login", data=form)
    assert response.status_code == 302
    queries = [s for s in _queries(statements) if not s.startswith("PRAGMA")]
    assert len(queries) == 3, queries
    assert queries[-1].startswith("UPDATE user_account SET last_login_at")
    # The answer still greets by name and the session still works.
    page = client.get(response.headers["Location"], follow_redirects=True)
    assert "Selamat datang, Andi Pratama." in page.get_data(as_text=True)
    assert is_signed_in(client)
