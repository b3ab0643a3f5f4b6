"""Reading offline on a 360 × 800 phone: save a course, read it offline, mark a module done
offline, and see the completion arrive exactly once when the phone is back online.

The service worker (elearn/static/js/sw.js) and the page script (elearn/static/js/offline.js)
run here under the app's own Content-Security-Policy; only the axe check bypasses it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from elearn.extensions import db
from elearn.learning.enrollment import enroll
from elearn.models import Course, Enrollment, ItemKind, ItemProgress, LearningEvent, Unit, Verb
from tests.browser.conftest import (
    BrowserProblems,
    LiveServer,
    require_browser,
    sign_in,
    watched_context,
)
from tests.factories import DEFAULT_PASSWORD, make_user

require_browser()
from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    expect,
)

from tests.browser.test_accessibility import AXE, WCAG_TAGS  # noqa: E402
from tests.browser.test_assignment_journey import IMAGES  # noqa: E402

PHONE_800: ViewportSize = {"width": 360, "height": 800}
SLUG = "manajemen-proyek"  # Palu's demo course
READER_NIP = "199703032021011066"  # made here; no other test signs in with it
AXE_NIP = "199704042021012055"  # made here, for the axe check in its own context
BANNER = "Anda sedang offline — menampilkan salinan tersimpan"
QUEUED = "Anda offline: tanda selesai disimpan dan dikirim saat kembali online."
PAGES_CACHE = "elearn-pages-v1"
QUEUE_LENGTH = "JSON.parse(localStorage.getItem('elearn-offline-queue') || '[]').length"


@dataclass(frozen=True)
class Course_:
    """The demo course's module and quiz URLs, in order, and the enrolment to check."""

    modules: list[str]
    quiz: str
    enrollment_id: int
    item_ids: dict[str, int]


@pytest.fixture(scope="module")
def course(live_server: LiveServer) -> Course_:
    """Two new Palu learners enrolled in the project management course."""
    with live_server.app.app_context():
        palu = db.session.scalar(select(Unit).where(Unit.code == "palu"))
        assert palu is not None
        found = db.session.scalar(select(Course).where(Course.slug == SLUG))
        assert found is not None
        reader = make_user(unit=palu, nip=READER_NIP, name="Wulan Sari")
        other = make_user(unit=palu, nip=AXE_NIP, name="Yohanes Lado")
        enrollment = enroll(reader, found)
        enroll(other, found)
        items = enrollment.version.items
        urls = {i.id: f"/learn/{SLUG}/{i.name}" for i in items}
        result = Course_(
            modules=[urls[i.id] for i in items if i.kind == ItemKind.MODULE],
            quiz=next(urls[i.id] for i in items if i.kind == ItemKind.QUIZ),
            enrollment_id=enrollment.id,
            item_ids={url: item_id for item_id, url in urls.items()},
        )
        db.session.commit()
    return result


@pytest.fixture
def phone_context(
    browser: Browser, live_server: LiveServer, browser_problems: BrowserProblems
) -> Iterator[BrowserContext]:
    """A 360 × 800 phone under the app's CSP, watched for console errors."""
    context = watched_context(browser, live_server.url, browser_problems, viewport=PHONE_800)
    try:
        yield context
    finally:
        context.close()


def controlled(page: Page) -> None:
    """Wait until the service worker controls the page.

    It claims open pages when it activates, but a page whose navigation was under way
    at that moment is left alone (as in Chromium): that one is reloaded.
    """
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("() => !!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function("() => !!navigator.serviceWorker.controller")


def saved_urls(page: Page) -> list[str]:
    """The paths of the pages the worker keeps."""
    return page.evaluate(
        """name => caches.open(name).then(c => c.keys())
               .then(keys => keys.map(r => new URL(r.url).pathname))""",
        PAGES_CACHE,
    )


def completions(live_server: LiveServer, enrollment_id: int, item_id: int) -> tuple[int, int]:
    """(completed progress rows, "module completed" events) for one module of an enrolment."""
    with live_server.app.app_context():
        rows = db.session.scalar(
            select(func.count())
            .select_from(ItemProgress)
            .where(
                ItemProgress.enrollment_id == enrollment_id,
                ItemProgress.item_id == item_id,
                ItemProgress.completed_at.is_not(None),
            )
        )
        events = db.session.scalar(
            select(func.count())
            .select_from(LearningEvent)
            .where(
                LearningEvent.enrollment_id == enrollment_id,
                LearningEvent.item_id == item_id,
                LearningEvent.verb == Verb.MODULE_COMPLETED,
            )
        )
        db.session.remove()
    return rows or 0, events or 0


def test_a_saved_course_is_read_offline_and_its_completion_arrives_once(
    phone_context: BrowserContext,
    live_server: LiveServer,
    course: Course_,
    browser_problems: BrowserProblems,
) -> None:
    page = phone_context.new_page()
    sign_in(page, READER_NIP, DEFAULT_PASSWORD)
    first, *rest = course.modules
    page.goto(first)
    controlled(page)
    # Saving fetches every module, yet none of them counts as a visit.
    page.get_by_role("button", name="Simpan untuk dibaca offline").click()
    expect(page.get_by_text("modul kursus ini tersimpan untuk dibaca offline")).to_be_visible()
    assert set(course.modules) <= set(saved_urls(page))
    with live_server.app.app_context():
        enrollment = db.session.get(Enrollment, course.enrollment_id)
        assert enrollment is not None
        assert enrollment.last_item_id == course.item_ids[first]
        opened = {p.item_id for p in enrollment.progress}
        db.session.remove()
    assert opened == {course.item_ids[first]}

    phone_context.set_offline(True)
    target = rest[1]  # never opened: it was saved
    page.goto(target)
    expect(page.locator("main[data-from-cache]")).to_have_count(1)
    expect(page.get_by_text(BANNER)).to_be_visible()
    expect(page.locator(".prose")).not_to_be_empty()
    if os.environ.get("SCREENSHOTS") == "1":  # for docs/course-format.md: the first screen
        page.screenshot(path=IMAGES / "phone-offline.png")

    # Marked done offline: kept on the phone, not sent.
    page.get_by_role("button", name="Tandai selesai").click()
    expect(page.get_by_text(QUEUED)).to_be_visible()
    assert completions(live_server, course.enrollment_id, course.item_ids[target]) == (0, 0)
    # The token it carries goes stale (say, after a night offline): a fresh one is fetched.
    page.evaluate(
        """() => { const q = JSON.parse(localStorage.getItem('elearn-offline-queue'));
                   q.forEach(e => { e.token = 'stale'; });
                   localStorage.setItem('elearn-offline-queue', JSON.stringify(q)); }"""
    )

    # A quiz is never served from the worker: offline it says that quizzes need the network.
    page.goto(course.quiz)
    expect(page.get_by_text("Kuis memerlukan koneksi internet.")).to_be_visible()
    assert course.quiz not in saved_urls(page)

    page.goto(target)
    seen = len(browser_problems.messages)
    phone_context.set_offline(False)
    title = page.get_by_role("heading", level=1).inner_text()
    expect(page.get_by_text(f"Tanda selesai terkirim: {title}").first).to_be_visible()
    expect(page.get_by_text(BANNER)).to_be_hidden()
    # The stale token's refusal (400) is logged by Chromium; it was expected.
    browser_problems.messages[seen:] = [
        m for m in browser_problems.messages[seen:] if "status of 400" not in m
    ]
    assert completions(live_server, course.enrollment_id, course.item_ids[target]) == (1, 1)

    # Nothing is sent twice: the queue is empty, and the page now says the module is done.
    page.goto(target)
    expect(page.get_by_text("Modul ini sudah selesai.")).to_be_visible()
    page.goto("/me")
    expect(page.get_by_text("Tanda selesai terkirim")).to_have_count(0)
    assert completions(live_server, course.enrollment_id, course.item_ids[target]) == (1, 1)
    assert page.evaluate("localStorage.getItem('elearn-offline-queue')") == "[]"

    # Signing out clears what was kept (Clear-Site-Data), the worker included.
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("button", name="Masuk", exact=True)).to_be_visible()
    assert page.evaluate("caches.keys()") == []
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    assert page.evaluate("localStorage.length") == 0


def test_signing_out_sends_the_queued_completions_first_or_asks_before_dropping_them(
    phone_context: BrowserContext,
    live_server: LiveServer,
    course: Course_,
    browser_problems: BrowserProblems,
) -> None:
    page = phone_context.new_page()
    sign_in(page, READER_NIP, DEFAULT_PASSWORD)
    *_, later, last = course.modules  # not the modules the test above marks done
    page.goto(last)
    controlled(page)
    phone_context.set_offline(True)
    page.get_by_role("button", name="Tandai selesai").click()
    expect(page.get_by_text(QUEUED)).to_be_visible()

    # Offline, signing out would wipe the queue with the rest of the site's storage:
    # the learner is asked first, and stays when they say no (the watcher says no).
    seen = len(browser_problems.messages)
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_timeout(500)  # the question comes after the queue was tried
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
    question = (
        "1 tanda selesai belum terkirim dan akan hilang bila Anda keluar sekarang. Tetap keluar?"
    )
    assert browser_problems.messages[seen:] == [f"confirm dialog on {page.url}: {question!r}"]
    del browser_problems.messages[seen:]  # expected, unlike any other dialog
    assert page.evaluate(QUEUE_LENGTH) == 1
    assert completions(live_server, course.enrollment_id, course.item_ids[last]) == (0, 0)

    # Back online the queue goes out by itself.
    phone_context.set_offline(False)
    expect(page.get_by_text("Tanda selesai terkirim").first).to_be_visible()
    assert completions(live_server, course.enrollment_id, course.item_ids[last]) == (1, 1)

    # A completion still queued when the learner signs out (say the network came back a
    # moment ago) is sent before the sign-out, without a question.
    page.evaluate(
        """later => {
             const user = document.querySelector("script[data-user]").dataset.user;
             const token = document.querySelector("[name=csrf_token]").value;
             localStorage.setItem("elearn-offline-queue", JSON.stringify([
               {url: location.origin + later + "/complete", token, user, title: "Modul"}]));
           }""",
        later,
    )
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("button", name="Masuk", exact=True)).to_be_visible()
    assert browser_problems.messages[seen:] == []  # no question this time
    assert completions(live_server, course.enrollment_id, course.item_ids[later]) == (1, 1)
    assert page.evaluate("localStorage.length") == 0


def test_the_offline_banner_passes_axe(
    browser: Browser, live_server: LiveServer, course: Course_, browser_problems: BrowserProblems
) -> None:
    context = watched_context(
        browser, live_server.url, browser_problems, viewport=PHONE_800, bypass_csp=True
    )
    try:
        page = context.new_page()
        sign_in(page, AXE_NIP, DEFAULT_PASSWORD)
        page.goto(course.modules[0])
        controlled(page)
        page.reload()  # now through the worker, which keeps it
        context.set_offline(True)
        page.reload()
        expect(page.get_by_text(BANNER)).to_be_visible()
        page.add_script_tag(path=AXE)
        violations = page.evaluate(
            """async tags => (await axe.run(document, {
                   runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']
               })).violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(', '))""",
            WCAG_TAGS,
        )
        assert violations == []
    finally:
        context.close()
