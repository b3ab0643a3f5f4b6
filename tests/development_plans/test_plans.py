"""The development plan: drafting from gaps, submission, decisions, locking, progress, scoping."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from elearn.extensions import db
from elearn.mail.binding import bind_mailer
from elearn.mail.memory import MemoryMailer
from elearn.records.entries import current_year
from tests.competencies.courses import publish_developing
from tests.competencies.helpers import add_assessments, load_dictionary, set_standards
from tests.learning.helpers import Learner, sign_in
from tests.programs.helpers import PROGRAM, finish, join, publish_program, publish_short_course

ANALYST = "Analis Kebijakan"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _learner(
    app: Flask, tmp_path: Path, *, with_supervisor: bool = True
) -> tuple[Learner, Learner | None]:
    load_dictionary()
    set_standards(f"{ANALYST},M.01,3\n")
    learner = sign_in(app, email="andi@palu.example.go.id")
    learner.user.position = ANALYST
    boss = None
    if with_supervisor:
        boss = sign_in(app, name="Budi Santoso", email="budi@palu.example.go.id")
        learner.user.supervisor_id = boss.user.id
    db.session.commit()
    add_assessments(f"{learner.user.nip},M.01,2,2026-02-10,Assessment Center Palu\n")
    publish_developing(tmp_path, "dasar-proyek", "Integritas ASN", "M.01", 3)
    return learner, boss


def test_draft_submit_change_request_and_approval(app, tmp_path):
    mailer = MemoryMailer()
    bind_mailer(app, mailer)
    learner, boss = _learner(app, tmp_path)
    assert boss is not None
    year = current_year(learner.user)
    learner.post(f"/me/plans/{year}/start", page=f"/me/plans/{year}")
    page = _text(learner.client.get(f"/me/plans/{year}").get_data(as_text=True))
    assert "Integritas ASN" in page and "Rancangan" in page
    assert "Direncanakan: 2 JP" in page

    learner.post(f"/me/plans/{year}/submit", page=f"/me/plans/{year}")
    page = _text(learner.client.get(f"/me/plans/{year}").get_data(as_text=True))
    assert "Menunggu persetujuan atasan" in page
    assert any(m.to == "budi@palu.example.go.id" for m in mailer.sent)
    # Locked while submitted: a change is refused and nothing moves.
    activity_id = re.search(
        r"activities/(\d+)", learner.client.get(f"/me/plans/{year}").get_data(as_text=True)
    )
    assert activity_id is None  # no edit links while submitted

    review = boss.client.get("/me/team/plans")
    plan_id = re.search(r"/me/team/plans/(\d+)", review.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    boss.post(
        f"/me/team/plans/{plan_id}", {"comment": "", "request_changes": "1"}, page="/me/team/plans"
    )
    assert "Menunggu persetujuan" in _text(
        learner.client.get(f"/me/plans/{year}").get_data(as_text=True)
    )
    boss.post(
        f"/me/team/plans/{plan_id}",
        {"comment": "Tambah mentoring", "request_changes": "1"},
        page="/me/team/plans",
    )
    page = _text(learner.client.get(f"/me/plans/{year}").get_data(as_text=True))
    assert "Perlu diperbaiki" in page and "Tambah mentoring" in page
    assert any(
        m.to == "andi@palu.example.go.id" and "Tambah mentoring" in m.text for m in mailer.sent
    )

    learner.post(f"/me/plans/{year}/submit", page=f"/me/plans/{year}")
    boss.post(f"/me/team/plans/{plan_id}", {"comment": "", "approve": "1"}, page="/me/team/plans")
    assert "Disetujui atasan" in _text(
        learner.client.get(f"/me/plans/{year}").get_data(as_text=True)
    )

    # Another learner (not the supervisor) cannot see the plan.
    other = sign_in(app, name="Lain")
    assert other.client.get(f"/me/team/plans/{plan_id}").status_code == 404


def test_submit_without_supervisor_is_refused(app, tmp_path):
    learner, _ = _learner(app, tmp_path, with_supervisor=False)
    year = current_year(learner.user)
    learner.post(f"/me/plans/{year}/start", page=f"/me/plans/{year}")
    response = learner.post(f"/me/plans/{year}/submit", page=f"/me/plans/{year}")
    assert response.status_code == 302
    page = _text(learner.client.get(f"/me/plans/{year}").get_data(as_text=True))
    assert "Atasan langsung Anda belum tercatat" in page
    assert "Rancangan" in page


def test_progress_from_a_completion(app, tmp_path):
    learner, _ = _learner(app, tmp_path)
    year = current_year(learner.user)
    learner.post(f"/me/plans/{year}/start", page=f"/me/plans/{year}")
    assert "Belum terlaksana" in _text(
        learner.client.get(f"/me/plans/{year}").get_data(as_text=True)
    )
    learner.enroll("dasar-proyek")
    learner.post("/learn/dasar-proyek/siklus/complete", page="/learn/dasar-proyek/siklus")
    page = _text(learner.client.get(f"/me/plans/{year}").get_data(as_text=True))
    assert "✓ Terlaksana" in page
    assert "Terlaksana: 2 JP" in page


def test_plan_page_statements_do_not_grow_with_activities(app, tmp_path):
    from tests.learning.test_statement_budget import _get

    learner, _ = _learner(app, tmp_path)
    year = current_year(learner.user)
    learner.post(f"/me/plans/{year}/start", page=f"/me/plans/{year}")
    few = len(_get(app, learner, f"/me/plans/{year}"))
    for n in range(3):
        added = learner.post(
            f"/me/plans/{year}/activities/new",
            {"kind": "mentoring", "title": f"Mentoring {n}", "route": "mentoring",
             "due_on": f"{year}-11-30", "jp": "2", "competency_code": "M.01", "course": ""},
            page=f"/me/plans/{year}/activities/new",
        )  # fmt: skip
        assert added.status_code == 302, _text(added.get_data(as_text=True))[-1500:]
    page = learner.client.get(f"/me/plans/{year}").get_data(as_text=True)
    assert "Mentoring 2" in page and "Direncanakan: 8 JP" in _text(page)
    assert len(_get(app, learner, f"/me/plans/{year}")) == few


def _add_program(learner: Learner, year: int, slug: str, jp: int) -> None:
    added = learner.post(
        f"/me/plans/{year}/activities/new",
        {"kind": "program", "program_slug": slug, "title": f"Program {slug}",
         "route": "e-learning", "due_on": f"{year}-11-30", "jp": str(jp), "competency_code": "",
         "course": ""},
        page=f"/me/plans/{year}/activities/new",
    )  # fmt: skip
    assert added.status_code == 302, _text(added.get_data(as_text=True))[-1500:]


def test_a_program_activity_is_done_once_the_program_certificate_exists(app, tmp_path):
    learner, _ = _learner(app, tmp_path)
    publish_short_course(tmp_path, "kursus-a", 3)
    publish_short_course(tmp_path, "kursus-b", 5)
    publish_program(tmp_path, "  - kursus-a\n  - kursus-b\n")
    year = current_year(learner.user)
    learner.post(f"/me/plans/{year}/start", page=f"/me/plans/{year}")
    _add_program(learner, year, PROGRAM, 8)

    def program_status() -> str:
        page = learner.client.get(f"/me/plans/{year}").get_data(as_text=True)
        return _text(page.split(f"Program {PROGRAM}", 1)[1].split("</article>", 1)[0])

    assert "Belum terlaksana" in program_status()
    join(learner)
    finish(learner, "kursus-a")
    assert "Belum terlaksana" in program_status()  # one course of two: no certificate yet
    finish(learner, "kursus-b")
    assert "✓ Terlaksana" in program_status()
    assert "Terlaksana: 8 JP" in _text(
        learner.client.get(f"/me/plans/{year}").get_data(as_text=True)
    )


def test_plan_page_statements_do_not_grow_with_program_activities(app, tmp_path):
    from tests.learning.test_statement_budget import _get

    learner, _ = _learner(app, tmp_path)
    year = current_year(learner.user)
    learner.post(f"/me/plans/{year}/start", page=f"/me/plans/{year}")
    _add_program(learner, year, "program-1", 2)
    one = len(_get(app, learner, f"/me/plans/{year}"))
    for n in (2, 3, 4):
        _add_program(learner, year, f"program-{n}", 2)
    assert "Program program-4" in learner.client.get(f"/me/plans/{year}").get_data(as_text=True)
    assert len(_get(app, learner, f"/me/plans/{year}")) == one


def test_statuses_and_kinds_read_in_the_learners_language(app, tmp_path):
    learner, _ = _learner(app, tmp_path)
    year = current_year(learner.user)
    learner.post(f"/me/plans/{year}/start", page=f"/me/plans/{year}")
    page = _text(learner.client.get(f"/me/plans/{year}").get_data(as_text=True))
    assert "Rancangan" in page and "Kursus · E-learning" in page
    learner.post("/language/en")
    page = _text(learner.client.get(f"/me/plans/{year}").get_data(as_text=True))
    assert "Draft" in page and "Course · E-learning" in page
    assert "Rancangan" not in page
    form = learner.client.get(f"/me/plans/{year}/activities/new").get_data(as_text=True)
    assert "Course in the catalogue" in form and "Training outside the platform" in form
    assert "Kursus di katalog" not in form
