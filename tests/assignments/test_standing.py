"""On time, late, overdue, started, exempt: each learner in one state, counted in SQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from elearn.accounts.services import UserData, update_user
from elearn.extensions import db
from elearn.models import Assignee, AssigneeState, Assignment, EmployeeType
from tests.assignments.helpers import Staff, coordinator_of, make_tree, palu_course
from tests.certificates.helpers import NO_QUIZZES
from tests.conftest import AuthActions, FrozenClock
from tests.factories import make_user
from tests.learning.test_statement_budget import _queries, counted

# The due day is 10 March 2026 in Palu (WITA, +08): on time means before 16:00 UTC that day.
DUE_INSTANT = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)


def _learner_client(app: Flask, user):  # type: ignore[no-untyped-def]
    client = app.test_client()
    AuthActions(client).login(user.nip)
    return client


def _complete(app: Flask, user) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import csrf_token

    client = _learner_client(app, user)
    token = csrf_token(client, "/")
    response = client.post("/learn/dasar-proyek/siklus/complete", data={"csrf_token": token})
    assert response.status_code == 302


def _counts(coordinator: Staff, assignment_id: int) -> dict[str, str]:
    page = coordinator.client.get(f"/coordinator/assignments/{assignment_id}").get_data(True)
    # The counts table: header labels then one row of numbers.
    table = page.split("<table>", 1)[1].split("</table>", 1)[0]
    heads = [h.split("</th>")[0] for h in table.split("<th>")[1:]]
    cells = [c.split("</a>")[0].rsplit(">", 1)[-1] for c in table.split("<td>")[1:]]
    return dict(zip(heads, cells, strict=True))


def test_states_follow_completion_against_the_due_instant(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    course = palu_course(tmp_path, tree, **NO_QUIZZES)
    coordinator = coordinator_of(app, tree.palu, home=tree.bkpsdm)
    names = ["A tepat", "B mulai", "C belum", "D bebas", "E telat", "F lewat"]
    people = {n[0]: make_user(unit=tree.kominfo, name=n) for n in names}
    coordinator.assign(course, unit_id=str(tree.kominfo.id))
    assignment = db.session.scalar(select(Assignment))
    assert assignment is not None and assignment.due_at == DUE_INSTANT

    _learner_client(app, people["B"]).get("/learn/dasar-proyek/siklus")  # opened: started
    d = db.session.scalar(select(Assignee).where(Assignee.user_id == people["D"].id))
    assert d is not None
    response = coordinator.post(
        f"/coordinator/assignments/{assignment.id}/learners/{d.id}/exempt",
        {"reason": "Cuti melahirkan"},
    )
    assert response.status_code == 302
    clock.current = DUE_INSTANT - timedelta(minutes=1)
    _complete(app, people["A"])  # 23.59 WITA on the due day: on time

    counts = _counts(coordinator, assignment.id)
    assert counts == {
        "Ditugaskan": "5",
        "Belum mulai": "3",
        "Sedang belajar": "1",
        "Selesai tepat waktu": "1",
        "Selesai terlambat": "0",
        "Lewat tenggat": "0",
        "Dibebaskan": "1",
    }

    clock.current = DUE_INSTANT  # 00.00 WITA the next day: late from here
    _complete(app, people["E"])
    counts = _counts(coordinator, assignment.id)
    assert counts["Selesai tepat waktu"] == "1" and counts["Selesai terlambat"] == "1"
    assert counts["Lewat tenggat"] == "3"  # B (started), C and F
    assert counts["Belum mulai"] == counts["Sedang belajar"] == "0"
    assert counts["Dibebaskan"] == "1" and counts["Ditugaskan"] == "5"

    overdue = coordinator.client.get(
        f"/coordinator/assignments/{assignment.id}?status=overdue"
    ).get_data(True)
    assert all(n in overdue for n in ("B mulai", "C belum", "F lewat"))
    assert not any(n in overdue for n in ("A tepat", "D bebas", "E telat"))
    exempt = coordinator.client.get(
        f"/coordinator/assignments/{assignment.id}?status=exempt"
    ).get_data(True)
    assert "D bebas" in exempt and "Cuti melahirkan" in exempt


def test_an_exemption_needs_a_reason_and_can_be_undone(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    course = palu_course(tmp_path, tree)
    coordinator = coordinator_of(app, tree.palu, home=tree.bkpsdm)
    learner = make_user(unit=tree.kominfo)
    coordinator.assign(course, unit_id=str(tree.kominfo.id))
    assignee = db.session.scalar(select(Assignee))
    assert assignee is not None
    base = f"/coordinator/assignments/{assignee.assignment_id}/learners/{assignee.id}"

    coordinator.post(f"{base}/exempt", {"reason": "  "})
    db.session.expire_all()
    assert assignee.state == AssigneeState.ASSIGNED
    assert "Wajib · tenggat" in _learner_client(app, learner).get("/me").get_data(True)

    coordinator.post(f"{base}/exempt", {"reason": "Tugas belajar"})
    db.session.expire_all()
    assert (assignee.state, assignee.exempt_reason) == (AssigneeState.EXEMPT, "Tugas belajar")
    assert assignee.exempted_by_id == coordinator.user.id
    # Exempt: no longer shown as mandatory, but the enrolment stays the learner's.
    page = _learner_client(app, learner).get("/me").get_data(True)
    assert "Wajib · tenggat" not in page and "Sedang dipelajari" in page

    coordinator.post(f"{base}/reinstate")
    db.session.expire_all()
    assert assignee.state == AssigneeState.ASSIGNED and assignee.exempt_reason is None


def test_the_csv_lists_learners_with_their_state_and_neutralises_formulas(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    course = palu_course(tmp_path, tree)
    coordinator = coordinator_of(app, tree.palu, home=tree.bkpsdm)
    hostile = make_user(unit=tree.kominfo, name='=HYPERLINK("http://x")')
    update_user(
        hostile,
        UserData(
            nip=hostile.nip,
            full_name=hostile.full_name,
            unit_id=hostile.unit_id,
            employee_type=EmployeeType.PNS,
            position="+Analis",
        ),
    )
    db.session.commit()
    plain = make_user(unit=tree.kominfo, name="Budi")
    coordinator.assign(course, unit_id=str(tree.kominfo.id))
    assignment = db.session.scalar(select(Assignment))
    assert assignment is not None

    response = coordinator.client.get(f"/coordinator/assignments/{assignment.id}/export.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["nip", "nama", "unit_kerja", "jabatan", "status"]
    by_nip = {row[0]: row for row in rows[1:]}
    assert set(by_nip) == {hostile.nip, plain.nip}
    assert by_nip[hostile.nip][1] == '\'=HYPERLINK("http://x")'
    assert by_nip[hostile.nip][3] == "'+Analis"
    assert by_nip[plain.nip][4] == "Belum mulai" and by_nip[plain.nip][5] == "10/03/2026"
    assert "Pemerintah Kota Palu › Dinas Kominfo" == by_nip[plain.nip][2]


def test_the_assignment_list_costs_the_same_statements_for_one_or_many(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    course = palu_course(tmp_path, tree)
    coordinator = coordinator_of(app, tree.palu, home=tree.bkpsdm)
    for _ in range(3):
        make_user(unit=tree.kominfo)
    coordinator.assign(course, unit_id=str(tree.kominfo.id))

    def statements() -> int:
        coordinator.client.get("/coordinator/assignments/")
        with counted(app) as seen:
            assert coordinator.client.get("/coordinator/assignments/").status_code == 200
        return len(_queries(seen))

    one = statements()
    for n, unit in enumerate((tree.aplikasi, tree.palu, tree.kominfo)):
        other = palu_course(tmp_path, tree, slug=f"kursus-{n}")
        coordinator.assign(other, unit_id=str(unit.id))
    assert statements() == one
