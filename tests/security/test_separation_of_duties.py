"""Nobody verifies, revokes or grants anything on their own record, on any page.

One table row per action a person could take on their own record. Each is refused
with 403 and an Indonesian reason, changes nothing, is audited, hides its button on
the page, and still works when another person does it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import AuditEntry, ExternalTraining, ReviewStatus, Role, Unit, User
from elearn.records.entries import jp_total_for_year
from tests.certificates.helpers import complete_course
from tests.conftest import AuthActions, FrozenClock, csrf_token
from tests.factories import make_unit, make_user
from tests.learning.helpers import Learner


@dataclass
class World:
    palu: Unit
    coordinator: User  # also a learner in Palu
    admin: User  # also a learner in Palu, holding a certificate
    other_coordinator: User
    other_admin: User
    training: ExternalTraining  # reported by the coordinator
    certificate_code: str  # the admin's


def client_for(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    AuthActions(client).login(user.nip)
    return client


@pytest.fixture
def world(app: Flask, tmp_path: Path, clock: FrozenClock) -> World:
    palu = make_unit(code="palu")
    coordinator = make_user(Role.COORDINATOR, Role.LEARNER, unit=palu, scope=[palu], name="Siti")
    admin = make_user(Role.ADMIN, Role.LEARNER, unit=palu, name="Admin Satu")
    training = ExternalTraining(
        user_id=coordinator.id, name="Bimtek SAKIP", organiser="Bappeda", route="seminar",
        competency="teknis", started_on=date(2026, 2, 2), finished_on=date(2026, 2, 4), jp=30,
        evidence_name="b.pdf", evidence_type="application/pdf", evidence=b"%PDF-1.4",
    )  # fmt: skip
    db.session.add(training)
    db.session.commit()
    _, certificate = complete_course(app, tmp_path, learner=Learner(admin, client_for(app, admin)))
    return World(
        palu=palu,
        coordinator=coordinator,
        admin=admin,
        other_coordinator=make_user(Role.COORDINATOR, unit=palu, scope=[palu], name="Yusuf"),
        other_admin=make_user(Role.ADMIN, unit=palu, name="Admin Dua"),
        training=training,
        certificate_code=certificate.code,
    )


@dataclass(frozen=True)
class Action:
    """One decision on a record: who owns it, where it is posted, how to see its effect."""

    owner: Callable[[World], User]
    other: Callable[[World], User]  # another person allowed to take it
    page: Callable[[World], str]  # the page whose button is hidden for the owner
    url: Callable[[World], str]
    data: Callable[[World], dict[str, object]]
    state: Callable[[World], object]  # what the action would change
    message: str
    audit: str


def _training_status(w: World) -> object:
    db.session.expire_all()
    return w.training.status, jp_total_for_year(w.coordinator, 2026)


def _certificate_state(w: World) -> object:
    from elearn.models import Certificate

    db.session.expire_all()
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.code == w.certificate_code)
    )
    assert certificate is not None
    return certificate.revoked_at


def _access(user: Callable[[World], User]) -> Callable[[World], object]:
    def state(w: World) -> object:
        db.session.expire_all()
        who = user(w)
        return who.roles, sorted(s.unit_id for s in who.role_scopes), who.is_active

    return state


def _user_form(user: Callable[[World], User]) -> Callable[[World], dict[str, object]]:
    def data(w: World) -> dict[str, object]:
        who = user(w)
        return {"nip": who.nip, "full_name": who.full_name, "employee_type": "PNS",
                "unit_id": str(who.unit_id), "roles": ["admin", "coordinator", "learner"],
                "scope_unit_ids": [str(w.palu.id)]}  # fmt: skip

    return data


ACTIONS: dict[str, Action] = {
    "verify own training": Action(
        owner=lambda w: w.coordinator, other=lambda w: w.other_coordinator,
        page=lambda w: "/records/review",
        url=lambda w: f"/records/trainings/{w.training.id}/review",
        data=lambda w: {"decision": "verify", "note": ""}, state=_training_status,
        message="Anda tidak dapat memverifikasi atau menolak kegiatan Anda sendiri",
        audit="records.review.refused_own",
    ),
    "reject own training": Action(
        owner=lambda w: w.coordinator, other=lambda w: w.other_coordinator,
        page=lambda w: "/records/review",
        url=lambda w: f"/records/trainings/{w.training.id}/review",
        data=lambda w: {"decision": "reject", "note": "Salah isi"}, state=_training_status,
        message="Anda tidak dapat memverifikasi atau menolak kegiatan Anda sendiri",
        audit="records.review.refused_own",
    ),
    "revoke own certificate": Action(
        owner=lambda w: w.admin, other=lambda w: w.other_admin,
        page=lambda w: f"/certificates/{w.certificate_code}",
        url=lambda w: f"/certificates/{w.certificate_code}/revoke",
        data=lambda w: {"reason": "Saya ingin mencabutnya"}, state=_certificate_state,
        message="Anda tidak dapat mencabut sertifikat Anda sendiri",
        audit="certificates.revoke.refused_own",
    ),
    "change own roles": Action(
        owner=lambda w: w.admin, other=lambda w: w.other_admin,
        page=lambda w: f"/admin/users/{w.admin.id}",
        url=lambda w: f"/admin/users/{w.admin.id}", data=_user_form(lambda w: w.admin),
        state=_access(lambda w: w.admin),
        message="Anda tidak dapat mengubah peran atau lingkup unit akun Anda sendiri",
        audit="admin.roles.refused_own",
    ),
    "deactivate oneself": Action(
        owner=lambda w: w.admin, other=lambda w: w.other_admin,
        page=lambda w: "/admin/users",
        url=lambda w: f"/admin/users/{w.admin.id}/active", data=lambda w: {},
        state=_access(lambda w: w.admin),
        message="Anda tidak dapat menonaktifkan akun Anda sendiri",
        audit="admin.deactivate.refused_own",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", ACTIONS)
def test_own_record_is_refused_with_403_and_audited(app: Flask, world: World, name: str):
    action = ACTIONS[name]
    before = action.state(world)
    client = client_for(app, action.owner(world))
    token = csrf_token(client, action.page(world))
    response = client.post(action.url(world), data={"csrf_token": token, **action.data(world)})
    assert response.status_code == 403
    assert action.message in response.get_data(as_text=True)
    assert action.state(world) == before
    refusals = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action.audit))
    assert [entry.user_id for entry in refusals] == [action.owner(world).id]


@pytest.mark.parametrize("name", ACTIONS)
def test_another_person_may_do_it(app: Flask, world: World, name: str):
    action = ACTIONS[name]
    before = action.state(world)
    client = client_for(app, action.other(world))
    token = csrf_token(client, action.page(world))
    response = client.post(action.url(world), data={"csrf_token": token, **action.data(world)})
    assert response.status_code == 302
    assert action.state(world) != before


def test_pages_hide_the_buttons_on_ones_own_records_and_say_why(app: Flask, world: World):
    coordinator = client_for(app, world.coordinator)
    review = coordinator.get("/records/review").get_data(as_text=True)
    assert "Bimtek SAKIP" in review
    assert f"/records/trainings/{world.training.id}/review" not in review
    assert "koordinator lain atau admin yang memutuskannya" in review
    other = client_for(app, world.other_coordinator).get("/records/review").get_data(as_text=True)
    assert f"/records/trainings/{world.training.id}/review" in other

    admin = client_for(app, world.admin)
    certificate = admin.get(f"/certificates/{world.certificate_code}").get_data(as_text=True)
    assert "/revoke" not in certificate
    assert "Anda tidak dapat mencabut sertifikat Anda sendiri" in certificate
    users = admin.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{world.admin.id}/active" not in users
    assert f"/admin/users/{world.other_admin.id}/active" in users
    own = admin.get(f"/admin/users/{world.admin.id}").get_data(as_text=True)
    assert 'name="roles"' not in own and "admin lain yang mengubahnya" in own


def test_admin_may_still_edit_own_name(app: Flask, world: World):
    client = client_for(app, world.admin)
    url = f"/admin/users/{world.admin.id}"
    data = {"nip": world.admin.nip, "full_name": "Admin Satu, S.Kom.", "employee_type": "PNS",
            "unit_id": str(world.admin.unit_id)}  # fmt: skip
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **data})
    assert response.status_code == 302
    db.session.expire_all()
    assert world.admin.full_name == "Admin Satu, S.Kom."
    assert world.admin.roles == {Role.ADMIN, Role.LEARNER}


def test_decisions_by_others_are_audited(app: Flask, world: World):
    client = client_for(app, world.other_coordinator)
    client.post(
        f"/records/trainings/{world.training.id}/review",
        data={"csrf_token": csrf_token(client, "/records/review"), "decision": "verify"},
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "records.verify"))
    assert entry is not None and entry.user_id == world.other_coordinator.id
    assert entry.filters["training_id"] == world.training.id
    assert _training_status(world) == (ReviewStatus.VERIFIED, 30)
