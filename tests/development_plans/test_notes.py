"""Plan notes: written by the learner and the supervisor it was sent to, nobody else."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from elearn.records.entries import current_year
from tests.development_plans.test_plans import _learner, _text
from tests.learning.helpers import sign_in


def test_owner_and_supervisor_write_notes_shown_on_the_plan(app: Flask, tmp_path: Path):
    learner, boss = _learner(app, tmp_path)
    assert boss is not None
    year = current_year(learner.user)
    page = f"/me/plans/{year}"
    learner.post(f"{page}/start", page=page)
    assert "Belum ada catatan." in _text(learner.client.get(page).get_data(as_text=True))

    saved = learner.post(f"{page}/notes", {"notes": "  Ingin menjadi PPK tahun depan. "}, page)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(page)
    assert "Ingin menjadi PPK tahun depan." in _text(
        learner.client.get(page).get_data(as_text=True)
    )
    # No CSRF token: refused, nothing changed.
    refused = learner.client.post(f"{page}/notes", data={"notes": "tanpa token"})
    assert refused.status_code == 400
    assert "tanpa token" not in learner.client.get(page).get_data(as_text=True)

    learner.post(f"{page}/submit", page=page)
    plan_id = re.search(  # type: ignore[union-attr]
        r"/me/team/plans/(\d+)", boss.client.get("/me/team/plans").get_data(as_text=True)
    ).group(1)
    review = f"/me/team/plans/{plan_id}"
    assert "Ingin menjadi PPK" in _text(boss.client.get(review).get_data(as_text=True))
    written = boss.post(
        f"{page}/notes", {"notes": "Setuju, ikut pelatihan PBJ.", "plan_id": plan_id}, review
    )
    assert written.status_code == 302 and written.headers["Location"].endswith(review)
    assert "Setuju, ikut pelatihan PBJ." in _text(learner.client.get(page).get_data(as_text=True))


def test_nobody_else_writes_notes(app: Flask, tmp_path: Path):
    learner, _ = _learner(app, tmp_path)
    year = current_year(learner.user)
    page = f"/me/plans/{year}"
    learner.post(f"{page}/start", page=page)
    plan_id = re.search(
        r'name="plan_id" type="hidden" value="(\d*)"',
        learner.client.get(page).get_data(as_text=True),
    )
    assert plan_id is not None and plan_id.group(1) == ""  # the owner's form names no plan
    from elearn.development_plans.plans import plan_of

    plan = plan_of(learner.user.id, year)
    assert plan is not None
    other = sign_in(app, name="Lain")
    # Not the owner, and the plan was never submitted to them: 404, notes unchanged.
    attempt = other.post(f"{page}/notes", {"notes": "usil", "plan_id": str(plan.id)}, "/")
    assert attempt.status_code == 404
    assert other.post(f"{page}/notes", {"notes": "usil"}, "/").status_code == 404  # has no plan
    assert "usil" not in learner.client.get(page).get_data(as_text=True)
