"""A learner drafts a plan from a gap and submits it; the supervisor approves it on a phone;
the learner completes the recommended course and the plan shows the activity done."""

from __future__ import annotations

from pathlib import Path

import pytest

from elearn.content.parse import parse_course
from elearn.content.publish import store_version
from elearn.extensions import db
from tests.browser.conftest import PHONE, LiveServer, Pages, require_browser, sign_in
from tests.competencies.courses import course_md, develops
from tests.content.course_fixtures import write_course

require_browser()
from playwright.sync_api import expect  # noqa: E402

LEARNER_NIP = "198609262015051001"  # Andi Pratama: gap on M.02 (demo competencies)
SUPERVISOR_NIP = "197810152003121009"  # Budi Santoso, his atasan langsung
SLUG = "kerjasama-tim"


@pytest.fixture
def course_for_gap(live_server: LiveServer, tmp_path: Path) -> str:
    """A one-module course developing M.02 to level 2 (Andi's gap)."""
    with live_server.app.app_context():
        folder = write_course(
            tmp_path / SLUG,
            SLUG,
            **{
                "02-kuis-siklus.quiz.md": "",
                "03-kuis-akhir.gift": "",
                "course.md": course_md("Kerja Sama Tim", develops("M.02", 2)),
            },
        )
        store_version(parse_course(folder), unit=None, actor=None, publish=True)
        db.session.commit()
    return "Kerja Sama Tim"


def test_plan_from_gap_approved_on_a_phone_then_done(pages: Pages, course_for_gap: str) -> None:
    learner = pages.new()
    sign_in(learner, LEARNER_NIP)
    learner.goto("/me/competencies")
    expect(learner.get_by_text(course_for_gap).first).to_be_visible()
    learner.get_by_role("link", name="Rencana pengembangan kompetensi saya (IDP)").click()
    learner.get_by_role("button", name="Susun rancangan rencana").click()
    expect(learner.get_by_role("heading", name=course_for_gap)).to_be_visible()
    learner.get_by_role("button", name="Ajukan kepada atasan langsung").click()
    expect(learner.get_by_text("Rencana diajukan kepada Budi Santoso.")).to_be_visible()

    phone = pages.new(PHONE)
    sign_in(phone, SUPERVISOR_NIP)
    phone.goto("/me/team")
    phone.get_by_role("link", name="Rencana pengembangan bawahan").click()
    phone.get_by_role("link", name="Tinjau rencana").first.click()
    phone.get_by_role("button", name="Setujui").click()
    expect(phone.get_by_text("Rencana disetujui.")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    learner.goto(f"/courses/{SLUG}")
    learner.get_by_role("button", name="Ikuti kursus ini").click()
    learner.get_by_role("button", name="Tandai selesai").click()
    learner.goto("/me/plan")
    expect(learner.get_by_text("Disetujui atasan")).to_be_visible()
    expect(learner.get_by_text("✓ Terlaksana", exact=False)).to_be_visible()
