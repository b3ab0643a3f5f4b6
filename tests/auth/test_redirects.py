import pytest
from flask.testing import FlaskClient

from elearn.security import is_safe_redirect
from tests.conftest import AuthActions
from tests.factories import make_user

HOSTILE = [
    "//evil.example",
    "/\\evil.example",
    "https:evil.example",
    "https://evil.example/login",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "/\tevil",
    "\\\\evil.example",
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_next_targets_are_refused(target: str) -> None:
    assert not is_safe_redirect(target)


@pytest.mark.parametrize("target", ["/", "/admin/users?q=palu", "/account/password"])
def test_local_paths_are_allowed(target: str) -> None:
    assert is_safe_redirect(target)


@pytest.mark.parametrize("target", HOSTILE[:6])
def test_login_ignores_hostile_next(client: FlaskClient, auth: AuthActions, target: str):
    user = make_user()
    response = auth.login(user.nip, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/me"


def test_login_follows_local_next(client: FlaskClient, auth: AuthActions):
    user = make_user()
    response = auth.login(user.nip, next="/account/password")
    assert response.headers["Location"] == "/account/password"


def test_protected_page_sends_to_login_with_next(client: FlaskClient):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
