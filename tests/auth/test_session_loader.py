"""The signed-in user is read in one statement with roles and unit chain, and stays correct."""

from flask import Flask
from sqlalchemy import event, inspect

from elearn.auth.session import load_user
from elearn.extensions import db
from elearn.models import Role, RoleGrant, User
from tests.conftest import AuthActions
from tests.factories import make_unit, make_user


def test_loader_reads_roles_and_unit_zone_in_one_statement(app: Flask):
    instansi = make_unit(name="Pemprov Papua", timezone="Asia/Jayapura")
    dinas = make_unit(name="Dinas", parent=instansi)
    user = make_user(Role.ADMIN, unit=make_unit(name="Bidang", parent=dinas))
    token = user.session_token
    db.session.expunge_all()
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        loaded = load_user(token)
        assert loaded is not None
        assert loaded.roles == {Role.ADMIN}
        assert loaded.timezone == "Asia/Jayapura"
        assert loaded.unit.path == "Pemprov Papua › Dinas › Bidang"
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert [s for s in statements if s.startswith("SELECT")] == statements[-1:]
    assert len(statements) <= 2  # SQLite's BEGIN, then the one SELECT


def test_changed_grants_replace_the_roles_read_at_sign_in(app: Flask):
    user = make_user(Role.LEARNER)
    token = user.session_token
    db.session.expunge_all()
    loaded = load_user(token)
    assert loaded is not None and loaded.roles == {Role.LEARNER}
    loaded.role_grants.append(RoleGrant(role=Role.EVALUATOR))
    assert loaded.roles == {Role.LEARNER, Role.EVALUATOR}
    loaded.role_grants = [RoleGrant(role=Role.ADMIN)]
    assert loaded.roles == {Role.ADMIN}


def test_navigation_follows_roles_granted_after_sign_in(app: Flask, client, auth: AuthActions):
    user = make_user(Role.LEARNER)
    auth.login(user.nip)
    assert "Kelola kursus" not in client.get("/me").get_data(as_text=True)
    user.role_grants.append(RoleGrant(role=Role.ADMIN))
    db.session.commit()
    assert "Kelola kursus" in client.get("/me").get_data(as_text=True)


def test_loaded_user_is_persistent_and_writable(app: Flask):
    """The objects made from the loader's plain row behave as loaded ones: lazy loads, writes."""
    user = make_user(Role.LEARNER, unit=make_unit(name="Bidang"))
    token, user_id = user.session_token, user.id
    db.session.expunge_all()
    loaded = load_user(token)
    assert loaded is not None and loaded.id == user_id
    assert inspect(loaded).persistent and inspect(loaded.unit).persistent
    assert db.session.get(User, user_id) is loaded  # in the identity map, no second copy
    assert [g.role for g in loaded.role_grants] == [Role.LEARNER]  # lazy load still works
    assert not db.session.dirty
    loaded.full_name = "Nama Baru"
    db.session.commit()
    db.session.expunge_all()
    assert db.session.get(User, user_id).full_name == "Nama Baru"


def test_deactivated_user_and_old_token_find_nobody(app: Flask):
    user = make_user(Role.LEARNER)
    token = user.session_token
    user.is_active = False
    db.session.commit()
    db.session.expunge_all()
    assert load_user(token) is None
    assert load_user("no-such-token") is None
