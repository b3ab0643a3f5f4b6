"""A coordinator assigns a course to a unit; a learner there finishes it on a phone, on time."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from elearn.content.parse import parse_course
from elearn.content.publish import store_version
from elearn.extensions import db
from elearn.models import Unit
from tests.browser.conftest import (
    COORDINATOR_NIP,
    LiveServer,
    Pages,
    follow_nav,
    require_browser,
    sign_in,
)
from tests.content.course_fixtures import COURSE_MD, write_course
from tests.factories import DEFAULT_PASSWORD, make_unit, make_user

require_browser()
from playwright.sync_api import Page, ViewportSize, expect  # noqa: E402

from tests.browser.test_learner_journey import (  # noqa: E402
    PublishedQuiz,
    answer_correctly,
    expect_verdict,
)

PHONE_800: ViewportSize = {"width": 360, "height": 800}
SLUG = "keamanan-informasi-uji"  # published here for Palu; no other test uses it
TITLE = "Keamanan Informasi Uji Penugasan"
UNIT_NAME = "Bagian Uji Penugasan"  # a sub-unit of Palu made here, so no demo learner is assigned
LEARNER_NIP = "199808082023011088"  # made here; no other test signs in with it
LEARNER_NAME = "Fitri Handayani"
REASON = "Wajib: Keamanan Informasi 2026"
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


@dataclass(frozen=True)
class AssignedCourse:
    """The course to assign, its items in order, and its quizzes with their answer keys."""

    items: list[str]
    quizzes: dict[str, PublishedQuiz]


@pytest.fixture(scope="module")
def assigned_course(
    live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> AssignedCourse:
    """A small course owned by Palu, and a learner alone in a new sub-unit of Palu."""
    with live_server.app.app_context():
        palu = db.session.scalar(select(Unit).where(Unit.code == "palu"))
        assert palu is not None
        unit = make_unit(UNIT_NAME, parent=palu, code="palu-uji-penugasan")
        make_user(unit=unit, nip=LEARNER_NIP, name=LEARNER_NAME)
        course_md = COURSE_MD.replace("Dasar Manajemen Proyek", TITLE)
        folder = write_course(tmp_path_factory.mktemp("assigned"), SLUG, **{"course.md": course_md})
        version = store_version(parse_course(folder), unit=palu, actor=None, publish=True).version
        db.session.commit()
        return AssignedCourse(
            items=[i.title for i in version.items],
            quizzes={i.title: PublishedQuiz(i.title, i.quiz) for i in version.items if i.quiz},
        )


def screenshot(page: Page, name: str) -> None:
    """Save a full-page screenshot to docs/images when SCREENSHOTS=1 (for the docs)."""
    if os.environ.get("SCREENSHOTS") == "1":
        page.screenshot(path=IMAGES / name, full_page=True)


def assign_to_unit(page: Page, due: date) -> None:
    """Fill in the assignment form as a coordinator would, and submit it."""
    follow_nav(page, "Penugasan")
    expect(page.get_by_role("heading", level=1, name="Penugasan kursus wajib")).to_be_visible()
    page.get_by_role("link", name="Buat penugasan").click()
    page.get_by_label("Kursus", exact=True).select_option(label=TITLE)
    page.get_by_label("Alasan", exact=True).fill(REASON)
    page.get_by_label("Tanggal mulai").fill(date.today().isoformat())
    page.get_by_label("Tenggat", exact=True).fill(due.isoformat())
    page.get_by_role("radio", name="Unit kerja", exact=True).check()
    page.get_by_role("combobox", name="Unit kerja").select_option(
        label=f"Pemerintah Kota Palu › {UNIT_NAME}"
    )
    page.get_by_role("button", name="Tugaskan").click()
    expect(page.get_by_text("Penugasan dibuat.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=REASON)).to_be_visible()


def study_to_completion(page: Page, course: AssignedCourse) -> None:
    """Read each module and pass each quiz in the order of the outline.

    "Tandai selesai" opens the next item itself; after a quiz the pager's "→" does.
    """
    pager = page.get_by_role("navigation", name="Navigasi materi")
    for title in course.items:
        expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
        quiz = course.quizzes.get(title)
        if quiz is None:
            page.get_by_role("button", name="Tandai selesai").click()
            continue
        page.get_by_role("button", name="Mulai percobaan").click()
        assert answer_correctly(page, quiz) > 0
        page.get_by_role("button", name="Kumpulkan").click()
        if title == course.items[-1]:
            return  # passing the last item opens the completion page
        expect_verdict(page, "Lulus")
        page.get_by_role("link", name="Kembali ke kuis").click()
        pager.get_by_role("link", name=re.compile("→$")).click()


def test_assigned_course_is_finished_on_a_phone_and_counted_on_time(
    pages: Pages, assigned_course: AssignedCourse
) -> None:
    due = date.today() + timedelta(days=14)
    coordinator = pages.new()
    sign_in(coordinator, COORDINATOR_NIP)
    assign_to_unit(coordinator, due)
    counts = coordinator.locator("table").first
    expect(counts.get_by_role("link").first).to_have_text("1")  # assigned: the one learner
    assignment_url = coordinator.url

    learner = pages.new(PHONE_800)
    sign_in(learner, LEARNER_NIP, DEFAULT_PASSWORD)
    learner.goto("/me")
    card = learner.locator("article.assigned").filter(has_text=TITLE)
    expect(card).to_have_count(1)
    # The due date in the learner's words: "Wajib · tenggat 18 Desember 2026".
    expect(card).to_contain_text(re.compile(rf"Wajib · tenggat {due.day} \w+ {due.year}"))
    expect(card).to_contain_text(REASON)
    expect(card.locator(".badge-overdue")).to_have_count(0)
    assert learner.evaluate("document.documentElement.scrollWidth") <= PHONE_800["width"]
    screenshot(learner, "phone-assignment-me.png")

    # The mandatory course is the next step, not the catalog.
    next_step = learner.get_by_role("region", name="Langkah berikutnya")
    expect(next_step.get_by_role("link")).to_have_text(f"Lanjutkan {TITLE}")
    card.get_by_role("link", name="Lanjutkan").click()
    study_to_completion(learner, assigned_course)
    expect(learner.get_by_role("heading", name="Kursus selesai")).to_be_visible()
    learner.goto("/me")
    expect(learner.locator("article.assigned")).to_have_count(0)  # no longer to do …
    expect(learner.get_by_role("row").filter(has_text=TITLE)).to_contain_text(
        "Wajib · selesai tepat waktu"
    )  # … but done, on time
    screenshot(learner, "phone-assignment-done.png")

    coordinator.goto(assignment_url)
    counts = coordinator.locator("table").first
    headers = counts.locator("th").all_inner_texts()
    column = headers.index("Selesai tepat waktu")
    expect(counts.locator("td").nth(column)).to_have_text("1")
    counts.locator("td").nth(column).get_by_role("link").click()
    expect(coordinator).to_have_url(re.compile(r"status=on_time"))
    expect(coordinator.get_by_role("heading", name="Peserta: Selesai tepat waktu")).to_be_visible()
    row = coordinator.get_by_role("row").filter(has_text=LEARNER_NAME)
    expect(row).to_contain_text("Selesai tepat waktu")
    expect(row).to_contain_text(re.compile(r"\d{1,2} \w+ \d{4}"))  # the day it was completed
