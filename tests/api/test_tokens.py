"""Personal access tokens: created once, stored as a hash, revocable, in the UI and the CLI."""

from __future__ import annotations

import hashlib
import re

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import delete, select

from elearn.api.tokens import TokenError, create_token
from elearn.extensions import db
from elearn.models import ApiToken, Role, RoleGrant
from tests.api.conftest import Agencies, api_get
from tests.conftest import AuthActions, FrozenClock, csrf_token
from tests.factories import make_unit, make_user

TOKEN = re.compile(r"elat_[A-Za-z0-9_-]{43}")


def _only_token() -> ApiToken:
    tokens = db.session.scalars(select(ApiToken)).all()
    assert len(tokens) == 1
    return tokens[0]


def test_only_the_hash_and_prefix_are_stored(app: Flask, clock: FrozenClock) -> None:
    owner = make_user(Role.EVALUATOR, scope=[make_unit()])
    issued = create_token(owner, "  dasbor  ", expires_days=30)
    db.session.commit()
    assert TOKEN.fullmatch(issued.secret)
    stored = _only_token()
    assert stored.name == "dasbor"
    assert stored.token_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert stored.prefix == issued.secret[:12]
    assert stored.expires_at == clock.current.replace(day=1, month=4)  # 2 March + 30 days
    columns = {c.name: getattr(stored, c.key) for c in ApiToken.__table__.columns}
    assert issued.secret not in {str(value) for value in columns.values()}


def test_learners_cannot_hold_tokens(app: Flask) -> None:
    learner = make_user()
    try:
        create_token(learner, "skrip")
    except TokenError as exc:
        assert "evaluators, coordinators and admins" in str(exc)
    else:
        raise AssertionError("a learner got a token")


def test_cli_creates_lists_and_revokes(
    app: Flask, runner: FlaskCliRunner, clock: FrozenClock
) -> None:
    owner = make_user(Role.COORDINATOR, scope=[make_unit()], name="Koordinator")
    created = runner.invoke(
        args=[
            "tokens",
            "create",
            "--nip",
            owner.nip_grouped,
            "--name",
            "etl",
            "--expires-days",
            "7",
        ]
    )
    assert created.exit_code == 0, created.output
    secrets = TOKEN.findall(created.output)
    assert len(secrets) == 1  # printed exactly once
    stored = _only_token()
    assert stored.token_hash == hashlib.sha256(secrets[0].encode()).hexdigest()

    listed = runner.invoke(args=["tokens", "list", "--nip", owner.nip])
    assert listed.exit_code == 0
    assert stored.prefix in listed.output and "active" in listed.output and "etl" in listed.output
    assert secrets[0] not in listed.output

    revoked = runner.invoke(args=["tokens", "revoke", str(stored.id)])
    assert revoked.exit_code == 0 and "revoked token" in revoked.output
    db.session.expire_all()
    assert _only_token().revoked_at == clock.current
    assert "revoked" in runner.invoke(args=["tokens", "list", "--nip", owner.nip]).output
    again = runner.invoke(args=["tokens", "revoke", str(stored.id)])
    assert "already revoked" in again.output


def test_cli_refuses_learners_and_unknown_ids(app: Flask, runner: FlaskCliRunner) -> None:
    learner = make_user()
    refused = runner.invoke(args=["tokens", "create", "--nip", learner.nip, "--name", "x"])
    assert refused.exit_code == 1
    assert "evaluators, coordinators and admins" in refused.output
    assert db.session.scalars(select(ApiToken)).all() == []
    assert runner.invoke(args=["tokens", "create", "--nip", "1", "--name", "x"]).exit_code == 2
    assert runner.invoke(args=["tokens", "revoke", "999"]).exit_code == 1


def test_page_shows_a_new_token_once_and_revokes_it(
    app: Flask, client: FlaskClient, auth: AuthActions, clock: FrozenClock
) -> None:
    owner = make_user(Role.EVALUATOR, scope=[make_unit()])
    auth.login(owner.nip)
    token = csrf_token(client, "/account/tokens")
    created = client.post(
        "/account/tokens", data={"csrf_token": token, "name": "dasbor", "expires_days": "90"}
    )
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    secrets = TOKEN.findall(created.get_data(as_text=True))
    assert len(set(secrets)) == 1
    secret = secrets[0]
    stored = _only_token()
    assert stored.user_id == owner.id and stored.name == "dasbor"
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()

    listing = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in listing  # never shown again
    assert stored.prefix in listing and "dasbor" in listing and "Aktif" in listing
    assert api_get(client, "enrollments", secret).status_code == 200

    revoke_url = f"/account/tokens/{stored.id}/revoke"
    assert client.post(revoke_url).status_code == 400  # no CSRF token
    assert api_get(client, "enrollments", secret).status_code == 200
    revoked = client.post(revoke_url, data={"csrf_token": csrf_token(client, "/account/tokens")})
    assert revoked.status_code == 302
    assert api_get(client, "enrollments", secret).status_code == 401
    assert "Dicabut" in client.get("/account/tokens").get_data(as_text=True)


def test_page_rejects_bad_input_and_others_tokens(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    unit = make_unit()
    owner = make_user(Role.EVALUATOR, scope=[unit])
    other = make_user(Role.EVALUATOR, scope=[unit])
    others = create_token(other, "milik orang lain")
    db.session.commit()
    auth.login(owner.nip)
    token = csrf_token(client, "/account/tokens")
    bad = client.post(
        "/account/tokens", data={"csrf_token": token, "name": "", "expires_days": "0"}
    )
    assert bad.status_code == 400
    assert TOKEN.search(bad.get_data(as_text=True)) is None
    assert db.session.scalars(select(ApiToken).where(ApiToken.user_id == owner.id)).all() == []
    steal = client.post(f"/account/tokens/{others.token.id}/revoke", data={"csrf_token": token})
    assert steal.status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, others.token.id).revoked_at is None  # type: ignore[union-attr]


def test_page_is_for_staff_only(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login(make_user().nip)
    assert client.get("/account/tokens").status_code == 403


def test_tokens_of_a_demoted_owner_stop_working(
    app: Flask, client: FlaskClient, agencies: Agencies
) -> None:
    assert api_get(client, "enrollments", agencies.token).status_code == 200
    db.session.execute(delete(RoleGrant).where(RoleGrant.user_id == agencies.evaluator.id))
    db.session.commit()
    response = api_get(client, "enrollments", agencies.token)
    assert response.status_code == 403
    assert response.get_json()["error"]["status"] == 403
