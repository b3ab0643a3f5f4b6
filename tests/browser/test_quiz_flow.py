"""The quiz flow on a 360 × 800 phone: a failed attempt keeps the key, unanswered questions are
named before submitting, a timed attempt counts down and warns, completion shows the certificate."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from elearn import clock
from elearn.extensions import db
from elearn.models import Course, Enrollment, ItemKind, QuizAttempt, User
from tests.browser.conftest import LEARNER_NIP, LiveServer, Pages, require_browser, sign_in
from tests.browser.test_learner_journey import (
    COMPLETED,
    COURSE_SLUG,
    GIFT_QUIZ,
    MARKDOWN_QUIZ,
    answer_correctly,
    expect_verdict,
    sample_course,
)
from tests.factories import DEFAULT_PASSWORD, make_user

require_browser()
from playwright.sync_api import Page, expect  # noqa: E402

PHONE_800 = {"width": 360, "height": 800}
KEY_SHOWN = re.compile(r"Jawaban benar:|\(jawaban benar\)")


def new_learner(server: LiveServer) -> str:
    """A learner of the demo's Palu unit with nothing started; return the NIP."""
    with server.app.app_context():
        palu = db.session.scalar(select(User).where(User.nip == LEARNER_NIP)).unit
        return make_user(unit=palu, nip="199901012024011099", name="Putri Lestari").nip


def module_names(server: LiveServer) -> list[str]:
    with server.app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == COURSE_SLUG))
        assert course is not None and course.published_version is not None
        return [i.name for i in course.published_version.items if i.kind == ItemKind.MODULE]


def shorten_open_attempt(server: LiveServer, nip: str, seconds: int) -> None:
    """Move the learner's open attempt's deadline to ``seconds`` from now (no waiting out
    20 minutes); other tests on the same server leave attempts of their own open."""
    with server.app.app_context():
        attempt = db.session.scalar(
            select(QuizAttempt)
            .join(Enrollment, Enrollment.id == QuizAttempt.enrollment_id)
            .join(User, User.id == Enrollment.user_id)
            .where(User.nip == nip, QuizAttempt.submitted_at.is_(None))
        )
        assert attempt is not None
        attempt.deadline = clock.now() + timedelta(seconds=seconds)
        db.session.commit()


def no_horizontal_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_800["width"], page.url


def test_quiz_flow_on_a_phone(pages: Pages, live_server: LiveServer) -> None:
    page = pages.new(PHONE_800)  # type: ignore[arg-type]
    course = sample_course(live_server)
    nip = new_learner(live_server)

    # Sign-in lands on /me, whose next step for a new learner is the catalog.
    sign_in(page, nip, DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(r"/me$"))
    page.get_by_role("link", name="Mulai dari katalog").click()
    expect(page.get_by_role("heading", name="Katalog kursus")).to_be_visible()
    page.goto(f"/courses/{COURSE_SLUG}")
    page.get_by_role("button", name="Ikuti kursus ini").click()
    for name in module_names(live_server):
        page.goto(f"/learn/{COURSE_SLUG}/{name}")
        page.get_by_role("button", name="Tandai selesai").click()

    # A failed attempt with questions left blank: named first, then no key after submitting.
    page.goto(f"/learn/{COURSE_SLUG}/{MARKDOWN_QUIZ}")
    page.get_by_role("button", name="Mulai percobaan").click()
    page.get_by_role("button", name="Kumpulkan").click()
    expect(page.get_by_role("heading", name="Kumpulkan jawaban?")).to_be_visible()
    draw = course.quizzes[MARKDOWN_QUIZ].record["settings"]["draw"]
    expect(page.get_by_text(f"Soal yang belum dijawab: {draw}")).to_be_visible()
    expect(page.get_by_role("link", name="Soal 1", exact=True)).to_be_visible()
    no_horizontal_scroll(page)
    page.get_by_role("link", name="Kembali").click()  # back to the questions, nothing lost
    expect(page.get_by_role("heading", name=re.compile("Percobaan 1$"))).to_be_visible()
    page.get_by_role("button", name="Kumpulkan").click()
    page.get_by_role("button", name="Kirim tetap").click()
    expect_verdict(page, "Tidak Lulus")
    expect(page.get_by_text("Jawaban Anda salah").first).to_be_visible()
    expect(
        page.get_by_text("Jawaban benar ditampilkan setelah Anda lulus atau setelah percobaan")
    ).to_be_visible()
    assert not KEY_SHOWN.search(page.content()), "a failed attempt with tries left shows the key"
    no_horizontal_scroll(page)

    # Passing (all answered: straight through, no confirmation) opens the key.
    page.get_by_role("link", name="Kembali ke kuis").click()
    page.get_by_role("button", name="Coba lagi").click()
    answer_correctly(page, course.quizzes[MARKDOWN_QUIZ])
    page.get_by_role("button", name="Kumpulkan").click()
    expect_verdict(page, "Lulus")
    assert KEY_SHOWN.search(page.content())

    # The timed final quiz: the deadline in the learner's zone, a countdown, its warning.
    page.goto(f"/learn/{COURSE_SLUG}/{GIFT_QUIZ}")
    page.get_by_role("button", name="Mulai percobaan").click()
    status = page.get_by_role("status").filter(has_text="Batas waktu")
    expect(status).to_contain_text(re.compile(r"\d{2}\.\d{2} WITA"))
    clock_line = page.locator("[data-countdown-clock]")
    expect(clock_line).to_have_text(re.compile(r"^Sisa waktu (19|20):\d\d$"))
    expect(page.get_by_role("alert")).to_be_hidden()
    shorten_open_attempt(live_server, nip, 65)
    page.reload()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile("kurang dari 1 menit"), timeout=20_000
    )
    expect(clock_line).to_have_text(re.compile(r"^Sisa waktu 0:[0-5]\d$"))
    no_horizontal_scroll(page)

    # Completing the course lands on its certificate.
    answer_correctly(page, course.quizzes[GIFT_QUIZ])
    page.get_by_role("button", name="Kumpulkan").click()
    expect(page.get_by_role("heading", name="Kursus selesai")).to_be_visible()
    expect(page.get_by_text(COMPLETED)).to_be_visible()
    no_horizontal_scroll(page)
    page.get_by_role("link", name="Lihat sertifikat").click()
    expect(page).to_have_url(re.compile(r"/certificates/[A-Za-z0-9_-]{22}$"))
    expect(page.get_by_text("Putri Lestari").first).to_be_visible()

    # /me keeps a link to it.
    page.goto("/me")
    page.get_by_role("link", name="Sertifikat", exact=True).click()
    expect(page.get_by_role("heading", name="Kursus selesai")).to_be_visible()
