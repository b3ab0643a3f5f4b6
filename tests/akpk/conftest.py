"""A small AKPK world: Palu (Kominfo, BKPSDM) and Mamuju, plans and an assignment in 2026."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from elearn.extensions import db
from elearn.models import (
    ActivityKind,
    CompetencyKind,
    PlanStatus,
    Role,
    Unit,
    User,
    VersionStatus,
)
from tests.akpk.factories import (
    make_activity,
    make_assignment,
    make_competency,
    make_course,
    make_plan,
)
from tests.conftest import AuthActions, FrozenClock
from tests.factories import make_unit, make_user

FORMULA_TITLE = '=HYPERLINK("http://example.invalid","klik")'


@dataclass
class World:
    palu: Unit
    kominfo: Unit
    bkpsdm: Unit
    mamuju: Unit
    ani: User
    budi: User
    eko: User

    def client(self, app: Flask, user: User) -> FlaskClient:
        client = app.test_client()
        AuthActions(client).login(user.nip)
        return client


def _person(name: str, unit: Unit, position: str, *, active: bool = True) -> User:
    user = make_user(unit=unit, name=name)
    user.position = position
    user.is_active = active
    db.session.commit()
    return user


@pytest.fixture
def world(app: Flask, clock: FrozenClock) -> World:
    """In Palu 2026, approved: Ani 2 activities, Budi 1 (formula-like text); assigned: Ani, Eko.

    Not counted by default: Eko's submitted plan, Fajar's draft, Ani's 2025 plan, Dedi
    (inactive), Budi's exemption, an assignment due in 2027; Citra is in Mamuju.
    """
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    kominfo = make_unit("Dinas Kominfo", parent=palu, code="kominfo")
    bkpsdm = make_unit("BKPSDM", parent=palu, code="bkpsdm")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    make_competency("M.01", "Integritas", CompetencyKind.MANAJERIAL)
    make_competency("T.01", "Analisis Data", CompetencyKind.TEKNIS)
    ani = _person("Ani Lestari", kominfo, "Pranata Komputer Ahli Pertama")
    budi = _person("Budi Santoso", bkpsdm, "Analis SDM Aparatur")
    eko = _person("Eko Prasetyo", kominfo, "Statistisi")
    fajar = _person("Fajar Nugroho", kominfo, "Statistisi")
    dedi = _person("Dedi Kurniawan", kominfo, "Statistisi", active=False)
    citra = _person("Citra Dewi", mamuju, "Perencana")

    plan = make_plan(ani)
    make_activity(plan, budget_rupiah=3_500_000, curriculum_fit="Kurikulum bimtek LAN 2025")
    make_activity(plan, title="Mentoring integritas", competency_code="M.01", target_level=2,
                  kind=ActivityKind.MENTORING, route="mentoring", organiser="Inspektorat",
                  starts_on=None, due_on=date(2026, 9, 30), jp=10)  # fmt: skip
    make_activity(make_plan(budi), title=FORMULA_TITLE, competency_code=None, target_level=None,
                  organiser="+cmd|' /C calc'!A0", jp=8, budget_rupiah=1_000_000)  # fmt: skip
    make_activity(make_plan(eko, status=PlanStatus.SUBMITTED), jp=6, budget_rupiah=500_000)
    make_activity(make_plan(fajar, status=PlanStatus.DRAFT), jp=99, budget_rupiah=9_000_000)
    make_activity(make_plan(ani, year=2025), jp=99, budget_rupiah=9_000_000)
    make_activity(make_plan(dedi), jp=99, budget_rupiah=9_000_000)
    make_activity(make_plan(citra), jp=12, budget_rupiah=2_000_000)

    course = make_course("keamanan-informasi", owner=bkpsdm, jp=5,
                         competencies=(("T.01", 2), ("M.01", 1)))  # fmt: skip
    # A newer draft with other figures: the published version counts.
    make_course("keamanan-informasi", course=course, number=2, jp=40, status=VersionStatus.DRAFT)
    make_assignment(course, [ani, eko], exempt=(budi,))
    make_assignment(course, [ani], starts_on=date(2027, 1, 5), due_on=date(2027, 1, 20))
    return World(palu, kominfo, bkpsdm, mamuju, ani, budi, eko)


def staff(role: Role, *scope: Unit, home: Unit | None = None) -> User:
    return make_user(role, Role.LEARNER, unit=home or scope[0], scope=list(scope), name="Staf")
