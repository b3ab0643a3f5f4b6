import pytest
from flask import Flask
from flask.testing import FlaskClient

from elearn.models import Role
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_unit, make_user


def admin_urls(app: Flask) -> list[tuple[str, str]]:
    """Every admin route, with ids filled in, and its methods."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            path = rule.rule.replace("<int:user_id>", "1").replace("<int:unit_id>", "1")
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                urls.append((method, path))
    return urls


@pytest.mark.parametrize(
    "roles",
    [(Role.LEARNER,), (Role.COORDINATOR,), (Role.EVALUATOR,), (Role.COORDINATOR, Role.EVALUATOR)],
)
def test_every_admin_page_is_forbidden_to_non_admins(
    app: Flask, client: FlaskClient, auth: AuthActions, roles: tuple[Role, ...]
):
    unit = make_unit()
    user = make_user(*roles, unit=unit, scope=[unit])
    auth.login(user.nip)
    token = csrf_token(client, "/")
    urls = admin_urls(app)
    assert len(urls) >= 10
    for method, path in urls:
        response = client.open(path, method=method, data={"csrf_token": token})
        assert response.status_code == 403, (method, path)


def test_anonymous_visitors_are_sent_to_login(app: Flask, client: FlaskClient):
    token = csrf_token(client, "/login")
    for method, path in admin_urls(app):
        response = client.open(path, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (method, path)
        assert "/login" in response.headers["Location"]


def test_admin_sees_admin_pages(client: FlaskClient, auth: AuthActions):
    admin = make_user(Role.ADMIN)
    auth.login(admin.nip)
    for path in [
        "/admin/users",
        "/admin/users/new",
        "/admin/units",
        "/admin/units/new",
        f"/admin/users/{admin.id}",
        "/admin/users/import",
    ]:
        assert client.get(path).status_code == 200, path
