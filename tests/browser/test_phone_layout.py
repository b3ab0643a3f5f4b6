"""The layout on a 360 × 800 phone: no sideways scrolling, tap targets of at least 24 × 24 px
(WCAG 2.2 AA 2.5.8), the navigation behind a menu button, catalog filters behind theirs, the
course outline above the module text, and the preview's publish button always in reach."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from elearn.content.parse import parse_course
from elearn.content.publish import store_version
from elearn.extensions import db
from elearn.learning.attempts import start_attempt
from elearn.learning.enrollment import enroll
from elearn.learning.progress import complete_module
from elearn.models import Course, ItemKind, Unit
from elearn.settings import current_settings
from tests.browser.conftest import (
    DESKTOP,
    TIMEOUT_MS,
    LiveServer,
    Pages,
    require_browser,
    sign_in,
)
from tests.factories import DEFAULT_PASSWORD, make_user

require_browser()
from playwright.sync_api import Browser, Page, ViewportSize, expect  # noqa: E402

from tests.browser.test_accessibility import complete_course  # noqa: E402
from tests.browser.test_assignment_journey import screenshot  # noqa: E402

PHONE_800: ViewportSize = {"width": 360, "height": 800}
COURSES = Path(__file__).resolve().parents[2] / "courses"
LEARNER_NIP = "199902022024011077"  # made here; no other test signs in with it
COORDINATOR_NIP = "198204172008012005"  # Muhammad Yusuf, Mamuju (read-only here)
ADMIN_NIP = "197605112000031008"  # Admin eLearn: the longest navigation (read-only here)
EVALUATOR_NIP = "197912302005011006"  # Dewi Lestari, evaluator of Palu (read-only here)
STUDY_COURSE = "administrasi-digital"  # Palu; the learner has one module done, a quiz open
DONE_COURSE = "manajemen-proyek"  # completed, so /me shows its table
DRAFT_SLUG = "tata-letak-ponsel"  # a long draft (a copy of kepemimpinan) to preview
MIN_TARGET = 24

# Interactive elements smaller than 24 × 24 px. WCAG 2.5.8 exempts a target "in a sentence or
# whose size is otherwise constrained by the line-height of non-target text": an inline link
# in a <p>, <li> or <dd> that holds more text than the link itself (running text), and links
# in course content (.prose, written by authors as prose). A link alone in its paragraph or
# list item (a menu entry, a back link, an outline entry) is a target and must be big enough.
SMALL_TARGETS = """min => {
  const small = [];
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width === 0 && box.height === 0) continue;  // not rendered (closed <details>, …)
    if (style.visibility === 'hidden' || el.closest('[hidden], .sr-only')) continue;
    if (el.matches('.skip') && document.activeElement !== el) continue;  // off-screen until focused
    if (el.closest('.prose')) continue;
    const block = el.closest('p, li, dd');
    const text = s => s.textContent.replace(/\\s+/g, ' ').trim();
    if (style.display === 'inline' && block && text(block).length > text(el).length) continue;
    if (box.width < min || box.height < min) {
      const name = text(el) || el.getAttribute('aria-label') || el.name || el.type;
      small.push(`${el.tagName.toLowerCase()} "${name.slice(0, 40)}" ` +
                 `${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}"""


MIN_CHART_TEXT = 11  # px, as rendered

# What is wrong with the page's SVG charts as drawn: text under ``min`` px once the viewBox
# is scaled to the screen (the computed font size is in user units, getScreenCTM the scale),
# text whose box leaves the SVG's box (cut), a row label shortened without a <title> holding
# it in full, and two rows whose visible labels read the same (units told apart only by the
# part that was cut off).
CHART_PROBLEMS = """min => {
  const problems = [];
  const charts = document.querySelectorAll('svg.chart');
  if (!charts.length) return ['no chart on the page'];
  for (const svg of charts) {
    const chart = svg.getAttribute('aria-label');
    const frame = svg.getBoundingClientRect();
    const scale = svg.getScreenCTM().a;
    for (const text of svg.querySelectorAll('text')) {
      const words = text.textContent;
      const size = parseFloat(getComputedStyle(text).fontSize) * scale;
      if (size < min) problems.push(`${chart}: "${words}" is ${size.toFixed(1)}px`);
      const box = text.getBoundingClientRect();
      if (box.left < frame.left - 0.5 || box.right > frame.right + 0.5 ||
          box.top < frame.top - 0.5 || box.bottom > frame.bottom + 0.5) {
        problems.push(`${chart}: "${words}" is cut (${Math.round(box.left - frame.left)}..` +
                      `${Math.round(box.right - frame.left)} of ${Math.round(frame.width)}px)`);
      }
    }
    const seen = new Set();
    for (const row of svg.querySelectorAll('g')) {
      const label = [...row.querySelectorAll('text.label')].map(t => t.textContent).join(' ');
      const full = row.querySelector('title');
      if (label.includes('…') && !(full && full.textContent.length > label.length)) {
        problems.push(`${chart}: "${label}" is shortened with no title`);
      }
      if (seen.has(label)) problems.push(`${chart}: two rows read "${label}"`);
      seen.add(label);
    }
    if (!seen.size) problems.push(`${chart}: no rows`);
  }
  return problems;
}"""


@dataclass(frozen=True)
class PhoneState:
    """URLs of the pages the journeys visit, with something in each."""

    module: str
    quiz: str
    attempt: str
    preview: str


@pytest.fixture(scope="module")
def phone_state(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> PhoneState:
    """A learner mid-course with a quiz open and a course done; a long draft for Mamuju."""
    with live_server.app.app_context():
        palu = db.session.scalar(select(Unit).where(Unit.code == "palu"))
        mamuju = db.session.scalar(select(Unit).where(Unit.code == "mamuju"))
        assert palu is not None and mamuju is not None
        learner = make_user(unit=palu, nip=LEARNER_NIP, name="Wulan Sari")
        complete_course(learner, course_by_slug(DONE_COURSE))
        enrollment = enroll(learner, course_by_slug(STUDY_COURSE))
        items = enrollment.version.items
        modules = [i for i in items if i.kind == ItemKind.MODULE]
        quiz = next(i for i in items if i.kind == ItemKind.QUIZ)
        complete_module(enrollment, modules[0], learning=current_settings().learning)
        attempt = start_attempt(enrollment, quiz, learning=current_settings().learning)

        folder = tmp_path_factory.mktemp("draft") / DRAFT_SLUG
        shutil.copytree(COURSES / "kepemimpinan", folder)
        draft = store_version(parse_course(folder), unit=mamuju, actor=None, publish=False)
        db.session.commit()
        return PhoneState(
            module=f"/learn/{STUDY_COURSE}/{modules[1].name}",
            quiz=f"/learn/{STUDY_COURSE}/{quiz.name}",
            attempt=f"/learn/{STUDY_COURSE}/{quiz.name}/attempts/{attempt.number}",
            preview=f"/coordinator/courses/{DRAFT_SLUG}/v/{draft.version.number}",
        )


def course_by_slug(slug: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    assert course is not None and course.published_version is not None, slug
    return course


def signed_in_phone(pages: Pages, nip: str, password: str | None = None) -> Page:
    page = pages.new(PHONE_800)
    if password is None:
        sign_in(page, nip)
    else:
        sign_in(page, nip, password)
    page.wait_for_load_state("load")  # measure with the stylesheet applied
    return page


def layout_problems(page: Page, url: str) -> list[str]:
    """What is wrong with ``url`` on this phone: sideways scrolling, targets under 24 px."""
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("load")  # measure with the stylesheet applied
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE_800["width"]:
        problems.append(f"{url}: {width}px wide")
    problems += [f"{url}: {small}" for small in page.evaluate(SMALL_TARGETS, MIN_TARGET)]
    # With the menu open, its links are targets too (test_the_menu_button… checks it is there).
    menu = page.locator("summary", has_text="Menu")
    if menu.is_visible():
        menu.click()
        problems += [f"{url} (menu open): {s}" for s in page.evaluate(SMALL_TARGETS, MIN_TARGET)]
    return problems


def test_learner_pages_fit_and_have_big_targets(pages: Pages, phone_state: PhoneState) -> None:
    page = signed_in_phone(pages, LEARNER_NIP, DEFAULT_PASSWORD)
    problems = []
    for url in (
        "/", "/me", "/courses/", "/courses/?category=kepemimpinan", f"/courses/{STUDY_COURSE}",
        phone_state.module, phone_state.quiz, phone_state.attempt, "/me/records",
    ):  # fmt: skip
        problems += layout_problems(page, url)
    assert not problems, "\n".join(problems)


def test_coordinator_pages_fit_and_have_big_targets(pages: Pages, phone_state: PhoneState) -> None:
    page = signed_in_phone(pages, COORDINATOR_NIP)
    problems = []
    for url in (
        "/coordinator/courses", f"/coordinator/courses/{DRAFT_SLUG}", phone_state.preview,
    ):  # fmt: skip
        problems += layout_problems(page, url)
    assert not problems, "\n".join(problems)


def test_admin_pages_fit_and_have_big_targets(pages: Pages, phone_state: PhoneState) -> None:
    page = signed_in_phone(pages, ADMIN_NIP)
    problems = []
    for url in ("/", "/admin/users", "/admin/users/new", "/admin/units", "/admin/users/import"):
        problems += layout_problems(page, url)
    assert not problems, "\n".join(problems)


def chart_problems(page: Page) -> list[str]:
    """What is wrong with the current page's charts at this width (see CHART_PROBLEMS)."""
    return [f"{page.url}: {p}" for p in page.evaluate(CHART_PROBLEMS, MIN_CHART_TEXT)]


@pytest.mark.parametrize("nip", [EVALUATOR_NIP, COORDINATOR_NIP, ADMIN_NIP])
def test_report_pages_fit_and_their_charts_read_on_a_phone(
    pages: Pages, phone_state: PhoneState, nip: str
) -> None:
    page = signed_in_phone(pages, nip)
    problems = []
    for url in ("/reports/", "/reports/jp-duty"):
        problems += layout_problems(page, url)
        page.goto(url)  # the menu is closed again
        page.wait_for_load_state("load")
        problems += chart_problems(page)
        if nip == EVALUATOR_NIP:
            screenshot(page, f"phone-{url.strip('/').replace('/', '-')}.png")
    # The drill-down from the first unit: a table of learners.
    page.get_by_role("table").get_by_role("link").nth(-1).click()
    page.wait_for_load_state("load")
    problems += layout_problems(page, page.url)
    assert not problems, "\n".join(problems)


def test_chart_check_finds_small_cut_and_ambiguous_labels(pages: Pages) -> None:
    page = pages.new(PHONE_800)
    page.set_content(
        '<svg class="chart" aria-label="lama" viewBox="0 0 560 100" style="width: 286px">'
        '<g><text x="184" y="15" text-anchor="end" class="label" font-size="12">'
        "Pemerintah Kota Palu › Badan Kepegawaian dan Pengembangan</text></g>"
        '<g><text x="184" y="45" text-anchor="end" class="label" font-size="12">'
        "Pemerintah Kota Palu › Badan …</text></g>"
        '<g><text x="184" y="75" text-anchor="end" class="label" font-size="12">'
        "Pemerintah Kota Palu › Badan …</text></g></svg>"
    )
    found = "\n".join(chart_problems(page))
    assert "px" in found and "is cut" in found, found
    assert "shortened with no title" in found and "two rows read" in found, found


@pytest.fixture
def touch_phone(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A phone that taps (Pages opens mouse-driven contexts)."""
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE_800, has_touch=True, locale="id-ID"
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_menu_button_opens_the_navigation_by_keyboard_and_by_tap(
    touch_phone: Page, pages: Pages
) -> None:
    page = touch_phone
    sign_in(page, ADMIN_NIP)
    page.wait_for_load_state("load")
    nav = page.get_by_role("navigation", name="Navigasi utama")
    users = nav.get_by_role("link", name="Pengguna", exact=True)
    menu = page.locator("summary", has_text="Menu")
    expect(menu).to_be_visible()
    expect(users).to_be_hidden()  # the admin's fourteen links are folded away

    # By keyboard: Tab reaches the button, Enter opens it, Space closes and opens it again.
    for _ in range(10):
        page.keyboard.press("Tab")
        if menu.evaluate("el => el === document.activeElement"):
            break
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    expect(users).to_be_visible()
    page.keyboard.press("Space")
    expect(users).to_be_hidden()
    page.keyboard.press("Space")
    expect(users).to_be_visible()
    page.keyboard.press("Tab")  # the first link of the open menu is next
    expect(nav.get_by_role("link", name="Beranda", exact=True)).to_be_focused()

    # By tap, and the link works.
    page.reload()
    expect(users).to_be_hidden()
    menu.tap()
    users.tap()
    expect(page.get_by_role("heading", level=1, name="Pengguna")).to_be_visible()

    # Above 600 px the links are in a row again and there is no button.
    wide = pages.new(DESKTOP)
    sign_in(wide, ADMIN_NIP)
    expect(wide.locator("summary", has_text="Menu")).to_be_hidden()
    expect(wide.get_by_role("link", name="Pengguna", exact=True)).to_be_visible()


def test_catalog_filters_are_behind_their_button_with_labels(
    pages: Pages, phone_state: PhoneState
) -> None:
    page = signed_in_phone(pages, LEARNER_NIP, DEFAULT_PASSWORD)
    page.goto("/courses/")
    category = page.get_by_label("Kategori")
    expect(page.get_by_label("Cari judul atau ringkasan")).to_be_visible()
    expect(category).to_be_hidden()
    page.locator("summary", has_text="Filter").click()
    expect(category).to_be_visible()
    labels = category.locator("option").all_inner_texts()
    assert "Manajemen proyek" in labels and "manajemen-proyek" not in labels, labels
    expect(page.locator("main")).not_to_contain_text("manajemen-proyek")

    # A filter that is on shows its fields at once.
    page.goto("/courses/?category=kepemimpinan")
    expect(category).to_be_visible()
    expect(category).to_have_value("kepemimpinan")


def test_outline_and_progress_are_above_the_module_text(
    pages: Pages, phone_state: PhoneState
) -> None:
    page = signed_in_phone(pages, LEARNER_NIP, DEFAULT_PASSWORD)
    page.goto(phone_state.module)
    outline = page.get_by_role("navigation", name="Isi kursus")
    progress = outline.get_by_role("progressbar")
    heading = page.get_by_role("heading", level=1)
    expect(progress).to_be_in_viewport()
    progress_box, heading_box = progress.bounding_box(), heading.bounding_box()
    assert progress_box is not None and heading_box is not None
    assert progress_box["y"] < heading_box["y"]
    # The list is folded so the text starts on the first screen; one tap unfolds it.
    expect(heading).to_be_in_viewport()
    first = outline.locator("ol a").first
    expect(first).to_be_hidden()
    outline.locator("summary").click()
    expect(first).to_be_visible()


def test_preview_publish_button_stays_in_reach(pages: Pages, phone_state: PhoneState) -> None:
    page = signed_in_phone(pages, COORDINATOR_NIP)
    page.goto(phone_state.preview)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > 10 * PHONE_800["height"], height  # a long course, as in the issue
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    expect(page.get_by_role("button", name="Terbitkan versi ini")).to_be_in_viewport()


def test_wide_tables_scroll_in_their_frame_with_a_cue(
    pages: Pages, phone_state: PhoneState
) -> None:
    page = signed_in_phone(pages, COORDINATOR_NIP)
    page.goto(f"/coordinator/courses/{DRAFT_SLUG}")  # six columns
    frame = page.locator(".table-wrap").first
    sizes = frame.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] > sizes[1], sizes  # wider than the screen …
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_800["width"]
    expect(frame.get_by_text("Geser ke samping")).to_be_visible()  # … and says so
    background = frame.evaluate("el => getComputedStyle(el).backgroundImage")
    assert background.count("gradient") == 4, background  # the edge shadows
