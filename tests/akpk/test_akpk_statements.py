"""The AKPK reads a fixed number of SQL statements however many needs the instansi has."""

from __future__ import annotations

from flask import Flask

from elearn.extensions import db
from elearn.models import Role, User
from tests.akpk.conftest import World, staff
from tests.akpk.factories import make_activity, make_assignment, make_course, make_plan
from tests.factories import make_user
from tests.learning.test_statement_budget import counted

URLS = ("/reports/akpk/", "/reports/akpk/akpk.csv", "/reports/akpk/akpk.xlsx")
BUDGET = 10  # the user, units (twice), dictionary, courses, the rows, the audit entry


def _statements(app: Flask, world: World, viewer: User) -> dict[str, int]:
    client = world.client(app, viewer)
    counts = {}
    for url in URLS:
        client.get(url).close()  # warm: the first view may fill caches
        with counted(app) as statements:
            response = client.get(url)
            assert response.status_code == 200
            response.get_data()
        counts[url] = len(
            [s for s in statements if s.split()[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}]
        )
    return counts


def test_more_needs_do_not_mean_more_statements(app: Flask, world: World):
    viewer = staff(Role.EVALUATOR, world.palu)
    before = _statements(app, world, viewer)
    assert all(count <= BUDGET for count in before.values()), before
    course = make_course("etika-asn", jp=3, competencies=(("M.01", 2),))
    people = []
    for number in range(8):
        person = make_user(unit=world.kominfo if number % 2 else world.bkpsdm, name=f"P {number}")
        plan = make_plan(person)
        make_activity(plan, budget_rupiah=100_000)
        make_activity(plan, competency_code="M.01", course=None, jp=2)
        people.append(person)
    make_assignment(course, people)
    db.session.commit()
    after = _statements(app, world, viewer)
    assert after == before
