"""A learner on a phone goes from sign-in to a completed course, entirely in Chromium."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from elearn.extensions import db
from elearn.models import Certificate, Course, CourseVersion, ItemKind, User
from tests.browser.conftest import (
    LEARNER_NIP,
    PHONE,
    SECOND_LEARNER_NIP,
    LiveServer,
    follow_nav,
    require_browser,
    sign_in,
)

require_browser()
from playwright.sync_api import Locator, Page, expect  # noqa: E402

COURSE_SLUG = "manajemen-proyek"
MARKDOWN_QUIZ = "kuis-perencanaan"  # 04-kuis-perencanaan.quiz.md
GIFT_QUIZ = "evaluasi-akhir"  # 07-evaluasi-akhir.gift: time limit, matching question
COMPLETED = "Selamat! Anda telah menyelesaikan kursus ini."
FIELDS = "form.quiz-form [name^='q-']"
OUTLINE_BESIDE = 960  # px (60rem): narrower screens fold the outline above the text


@dataclass(frozen=True)
class PublishedQuiz:
    """A quiz as stored for the published course version, answer key included."""

    title: str
    record: dict[str, Any]


@dataclass(frozen=True)
class SampleCourse:
    """What the test needs to know of the published sample course."""

    title: str
    jp: int
    modules: list[str]
    quizzes: dict[str, PublishedQuiz]


def _certified_jp(server: LiveServer, nip: str) -> int:
    """The JP of the learner's certificates, as the server stored them."""
    with server.app.app_context():
        query = (
            select(func.coalesce(func.sum(CourseVersion.jp), 0))
            .join(Certificate, Certificate.version_id == CourseVersion.id)
            .join(User, User.id == Certificate.user_id)
            .where(User.nip == nip, Certificate.revoked_at.is_(None))
        )
        return int(db.session.scalar(query) or 0)


def sample_course(server: LiveServer) -> SampleCourse:
    """Read the published sample course from the database, as the server stored it."""
    with server.app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == COURSE_SLUG))
        assert course is not None and course.published_version is not None
        version = course.published_version
        return SampleCourse(
            title=version.title,
            jp=version.jp,
            modules=[i.title for i in version.items if i.kind == ItemKind.MODULE],
            quizzes={i.name: PublishedQuiz(i.title, i.quiz) for i in version.items if i.quiz},
        )


def correct_fields(question: dict[str, Any]) -> dict[str, list[str]]:
    """The form fields (name → values) that answer ``question`` fully right."""
    field = f"q-{question['key']}"
    kind = question["kind"]
    if kind in ("single", "multiple"):
        return {field: [str(i) for i, c in enumerate(question["choices"]) if c["fraction"] > 0]}
    if kind == "truefalse":
        return {field: ["true" if question["true_false"]["correct"] else "false"]}
    if kind == "numeric":
        return {field: [f"{question['numeric_answers'][0]['value']:g}"]}
    if kind == "short":
        return {field: [question["short_answers"][0]["text"]]}
    if kind == "matching":
        return {
            f"{field}-{i}": [pair["answer"]]
            for i, pair in enumerate(question["pairs"])
            if pair["prompt_html"]  # a pair without a prompt is a distractor answer
        }
    raise AssertionError(f"no right answer known for a {kind} question")


def answer_key(quiz: PublishedQuiz) -> dict[str, list[str]]:
    """Every field of every question in the quiz, mapped to its right values."""
    return {
        name: values for q in quiz.record["questions"] for name, values in correct_fields(q).items()
    }


def answer_correctly(page: Page, quiz: PublishedQuiz) -> int:
    """Fill the open attempt with right answers by pointer; return the fields answered."""
    key = answer_key(quiz)
    # The click that opened the attempt may still be loading it: its buttons come after every
    # question, so once they show, the whole paper is there to read.
    expect(page.locator("form.quiz-form .actions button[value='submit']")).to_be_visible()
    on_paper = page.locator(FIELDS).evaluate_all("els => [...new Set(els.map(e => e.name))]")
    assert on_paper and set(on_paper) <= set(key), "the paper shows fields the key lacks"
    for name in on_paper:
        control = page.locator(f"[name='{name}']")
        kind = control.first.evaluate("e => e.type")
        if kind in ("radio", "checkbox"):
            for value in key[name]:
                control.and_(page.locator(f"[value='{value}']")).check()
        elif kind == "select-one":
            control.select_option(value=key[name][0])
        else:
            control.fill(key[name][0])
    return len(on_paper)


def result_line(page: Page) -> Locator:
    """The status line of a review page: score and verdict."""
    return page.get_by_role("status").filter(has_text="Nilai")


def expect_verdict(page: Page, verdict: str) -> None:
    """Expect a review page whose verdict is exactly ``verdict`` ("Lulus" is in "Tidak Lulus")."""
    expect(page.get_by_role("heading", name=re.compile(r"^Hasil percobaan \d+$"))).to_be_visible()
    expect(result_line(page).get_by_text(verdict, exact=True)).to_be_visible()


def assert_fits_phone(page: Page) -> None:
    """Assert the page needs no sideways scrolling on the phone."""
    # After a click only the heading is awaited; measure once the stylesheet has loaded, as
    # images now declare their full width and are only held to the screen by the CSS.
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def open_from_outline(page: Page, title: str) -> None:
    """Open an item from the course outline (folded above the text on a phone)."""
    outline = page.get_by_role("navigation", name="Isi kursus")
    viewport = page.viewport_size
    if viewport is not None and viewport["width"] < OUTLINE_BESIDE:
        outline.locator("summary").click()
    outline.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()


def test_learner_completes_a_course_on_a_phone(phone: Page, live_server: LiveServer) -> None:
    page = phone
    course = sample_course(live_server)
    markdown_quiz = course.quizzes[MARKDOWN_QUIZ]
    gift_quiz = course.quizzes[GIFT_QUIZ]

    sign_in(page, LEARNER_NIP)
    expect(page.get_by_text("Selamat datang, Andi Pratama.")).to_be_visible()
    follow_nav(page, "Katalog")
    expect(page.get_by_role("heading", name="Katalog kursus")).to_be_visible()
    page.get_by_label("Cari judul atau ringkasan").fill("proyek")
    page.get_by_role("button", name="Terapkan").click()
    expect(page).to_have_url(re.compile(r"q=proyek"))
    page.get_by_role("link", name=course.title).click()
    page.get_by_role("button", name="Ikuti kursus ini").click()
    expect(page.get_by_text("Anda terdaftar. Selamat belajar!")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(course.modules[0])

    # Read each module, mark it done, and follow "→" past the quizzes for now. count() does
    # not wait, so each click waits for the page it leads to: on a slow machine the next
    # count() would otherwise still see the page before, and a module would be skipped.
    read: list[str] = []
    pager = page.get_by_role("navigation", name="Navigasi materi")
    for _ in range(3 * len(course.modules)):
        done_button = page.get_by_role("button", name="Tandai selesai")
        if done_button.count():
            assert_fits_phone(page)
            read.append(page.get_by_role("heading", level=1).inner_text())
            with page.expect_navigation():
                done_button.click()
            continue
        following = pager.get_by_role("link", name=re.compile("→$"))
        if not following.count():
            break
        with page.expect_navigation():
            following.click()
    assert read == course.modules
    outline = page.get_by_role("navigation", name="Isi kursus")
    expect(outline.get_by_text("selesai", exact=True)).to_have_count(len(course.modules))

    # The Markdown quiz: an empty submission fails, right answers pass.
    open_from_outline(page, markdown_quiz.title)
    page.get_by_role("button", name="Mulai percobaan").click()
    expect(page.get_by_role("heading", name=re.compile("Percobaan 1$"))).to_be_visible()
    page.get_by_role("button", name="Kumpulkan").click()
    # Nothing answered: a confirmation names the questions first.
    expect(page.get_by_role("heading", name="Kumpulkan jawaban?")).to_be_visible()
    page.get_by_role("button", name="Kirim tetap").click()
    expect_verdict(page, "Tidak Lulus")
    expect(result_line(page)).to_contain_text("Nilai: 0,0")
    page.get_by_role("link", name="Kembali ke kuis").click()
    page.get_by_role("button", name="Coba lagi").click()
    expect(page.get_by_role("heading", name=re.compile("Percobaan 2$"))).to_be_visible()
    assert_fits_phone(page)
    assert answer_correctly(page, markdown_quiz) == markdown_quiz.record["settings"]["draw"]
    page.get_by_role("button", name="Kumpulkan").click()
    expect_verdict(page, "Lulus")
    expect(result_line(page)).to_contain_text("Nilai: 100,0")

    # The GIFT quiz runs against the clock and has a matching question.
    page.get_by_role("link", name="Kembali ke kuis").click()
    open_from_outline(page, gift_quiz.title)
    minutes = gift_quiz.record["settings"]["time_limit"]
    expect(page.get_by_text(f"Batas waktu: {minutes} menit")).to_be_visible()
    page.get_by_role("button", name="Mulai percobaan").click()
    expect(page.get_by_role("status").filter(has_text="Batas waktu")).to_be_visible()
    expect(page.get_by_role("combobox").first).to_be_visible()  # a prompt to match
    assert answer_correctly(page, gift_quiz) == len(answer_key(gift_quiz))
    page.get_by_role("button", name="Kumpulkan").click()
    # The last item passed: the completion page, with the certificate.
    expect(page.get_by_role("heading", name="Kursus selesai")).to_be_visible()
    expect(page.get_by_text(COMPLETED)).to_be_visible()
    expect(page.get_by_role("link", name="Lihat sertifikat")).to_be_visible()

    # The finished course is on the dashboard, with its evaluation and its JP.
    follow_nav(page, "Dasbor")
    # Other journeys share the server and may have finished courses of their own.
    page.locator(f'a[href="/learn/{COURSE_SLUG}/evaluation"]').click()
    expect(page.get_by_role("heading", name="Penilaian kursus")).to_be_visible()
    for statement, rating in (
        ("Materi relevan dengan pekerjaan saya", "5"),
        ("Materi disajikan dengan jelas", "4"),
        ("Saya dapat menerapkannya di tempat kerja", "5"),
    ):
        page.get_by_role("group", name=statement).get_by_label(rating, exact=True).check()
    page.get_by_label("Saran atau komentar (opsional)").fill("Contoh proyeknya dekat dengan kerja.")
    page.get_by_role("button", name="Kirim").click()
    expect(page.get_by_text("Terima kasih atas penilaian Anda.")).to_be_visible()
    target = live_server.app.config["JP_TARGET_PER_YEAR"]
    jp_card = page.get_by_role("region", name=re.compile("^Jam Pelajaran tahun"))
    # Other journeys on the shared server may have certified this learner for a course too.
    earned = _certified_jp(live_server, LEARNER_NIP)
    assert earned >= course.jp
    expect(jp_card).to_contain_text(f"{earned} / {target} JP")
    assert f"{earned}</strong> / {target} JP" in page.content()


def focused(page: Page) -> dict[str, str]:
    """What has keyboard focus: tag, type, name, value and text."""
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {tag: e.tagName, type: e.type || '', name: e.name || '',
                           value: e.value || '', text: (e.textContent || '').trim()}; }"""
    )


def answer_by_keyboard(page: Page, quiz: PublishedQuiz) -> set[str]:
    """Tab through the attempt answering every question right; stop on "Kumpulkan"."""
    key = answer_key(quiz)
    answered: set[str] = set()
    for _ in range(200):
        page.keyboard.press("Tab")
        here = focused(page)
        if here["tag"] == "BUTTON" and here["text"] == "Kumpulkan":
            return answered
        wanted = key.get(here["name"])
        if wanted is None:
            continue  # a link or button on the way
        if here["type"] == "radio":
            # Tab lands on the group's first radio; Space checks it, arrows move the check.
            page.keyboard.press("Space")
            for _ in range(10):
                if focused(page)["value"] == wanted[0]:
                    break
                page.keyboard.press("ArrowDown")
            assert focused(page)["value"] == wanted[0]
        elif here["type"] == "checkbox":
            if here["value"] in wanted:
                page.keyboard.press("Space")
        else:
            page.keyboard.type(wanted[0])
        answered.add(here["name"])
    raise AssertionError("Tab never reached the Kumpulkan button")


def test_quiz_can_be_answered_by_keyboard_alone(phone: Page, live_server: LiveServer) -> None:
    page = phone
    quiz = sample_course(live_server).quizzes[MARKDOWN_QUIZ]
    sign_in(page, SECOND_LEARNER_NIP)
    page.goto(f"/courses/{COURSE_SLUG}")
    page.get_by_role("button", name="Ikuti kursus ini").click()
    open_from_outline(page, quiz.title)
    page.get_by_role("button", name="Mulai percobaan").click()
    expect(page.get_by_role("heading", name=re.compile("Percobaan 1$"))).to_be_visible()
    assert_fits_phone(page)

    answered = answer_by_keyboard(page, quiz)
    assert len(answered) == quiz.record["settings"]["draw"]  # every question on the paper
    page.keyboard.press("Enter")
    expect_verdict(page, "Lulus")
    expect(result_line(page)).to_contain_text("Nilai: 100,0")
