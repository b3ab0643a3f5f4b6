"""/me lists mandatory courses first, soonest due first, with overdue said in words."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from elearn.extensions import db
from elearn.learning.dashboard import dashboard_for
from elearn.models import User
from tests.assignments.helpers import coordinator_of, make_tree, palu_course
from tests.conftest import AuthActions, FrozenClock, csrf_token
from tests.factories import make_user
from tests.learning.test_statement_budget import BUDGET, _queries, counted


def test_me_shows_assigned_courses_first_by_due_date_and_overdue_in_words(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    later_course = palu_course(tmp_path, tree, slug="kursus-b")
    sooner_course = palu_course(tmp_path, tree, slug="kursus-a")
    coordinator = coordinator_of(app, tree.palu, home=tree.bkpsdm)
    learner = make_user(unit=tree.kominfo)
    coordinator.assign(later_course, unit_id=str(tree.kominfo.id), due_on="2026-12-15")
    coordinator.assign(
        sooner_course, unit_id=str(tree.kominfo.id), due_on="2026-03-10", reason="Wajib: Etika"
    )
    client = app.test_client()
    AuthActions(client).login(learner.nip)

    page = client.get("/me").get_data(as_text=True)

    assert "Kursus wajib" in page
    first = page.index("Wajib · tenggat 10 Maret 2026")
    second = page.index("Wajib · tenggat 15 Desember 2026")
    assert first < second < page.index("Sedang dipelajari")
    assert "Wajib: Etika" in page
    assert "Lewat tenggat" not in page

    clock.advance(days=9)  # 11 March in Palu: the first is overdue, the second is not
    page = client.get("/me").get_data(as_text=True)
    assert page.count("Lewat tenggat") == 1
    assert page.index("Lewat tenggat") < page.index("Wajib · tenggat 15 Desember 2026")


def test_me_stays_within_its_statement_budget_with_assignments(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    courses = [palu_course(tmp_path, tree, slug=f"kursus-{n}") for n in range(3)]
    coordinator = coordinator_of(app, tree.palu, home=tree.bkpsdm)
    learner = make_user(unit=tree.kominfo)
    for n, course in enumerate(courses):
        coordinator.assign(course, unit_id=str(tree.kominfo.id), due_on=f"2026-0{4 + n}-01")
    # A second assignment of the same course adds rows, not statements.
    coordinator.assign(courses[0], unit_id=str(tree.palu.id), due_on="2026-05-01")
    client = app.test_client()
    AuthActions(client).login(learner.nip)
    client.get("/me")

    with counted(app) as statements:
        page = client.get("/me").get_data(as_text=True)

    assert len(_queries(statements)) <= BUDGET, "\n".join(statements)
    assert page.count("Wajib · tenggat") == 3
    assert "Wajib · tenggat 1 April 2026" in page  # the sooner of the two wins


def test_me_folds_assignments_and_progress_rows_and_keeps_no_objects(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    """Two running assignments of one course and its progress rows come as rows of one
    statement: the soonest duty wins, progress counts each item once, and the dashboard
    holds plain values, no session objects (the page only reads them)."""
    tree = make_tree()
    course = palu_course(tmp_path, tree)
    coordinator = coordinator_of(app, tree.palu, home=tree.bkpsdm)
    learner = make_user(unit=tree.kominfo)
    coordinator.assign(course, unit_id=str(tree.kominfo.id), due_on="2026-05-01")
    coordinator.assign(course, unit_id=str(tree.palu.id), due_on="2026-04-01", reason="Wajib: B")
    client = app.test_client()
    actions = AuthActions(client)
    actions.login(learner.nip)
    module = f"/learn/{course.slug}/siklus"
    assert client.get(module).status_code == 200
    client.post(f"{module}/complete", data={"csrf_token": csrf_token(client, module)})
    client.get(f"/learn/{course.slug}/kuis-siklus")  # a second progress row
    learner_id, slug = learner.id, course.slug
    db.session.expunge_all()

    dashboard = dashboard_for(db.session.get_one(User, learner_id), 20)

    assert [c.duty.reason for c in dashboard.assigned if c.duty] == ["Wajib: B"]
    (entry,) = dashboard.assigned
    assert entry.progress.modules_done == 1 and len(entry.enrollment.progress) == 2
    assert entry.enrollment.course.slug == slug
    held = {type(o).__name__ for o in db.session.identity_map.values()}
    assert not held & {"Enrollment", "ItemProgress", "CourseVersion", "Course"}, held
    page = client.get("/me").get_data(as_text=True)
    assert "Wajib · tenggat 1 April 2026" in page and "Wajib: B" in page
