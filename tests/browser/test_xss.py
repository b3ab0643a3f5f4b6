"""Hostile text in every field, then every page opened by every role: nothing may run.

The setup publishes a course whose texts are XSS payloads (our own list, plus about 200 lines
of the shared corpus when present) and creates units, users, answers, trainings, comments and
a revocation made of payloads. Chromium then opens the pages with CSP bypassed, so that only
escaping and the sanitiser stand between a payload and execution. A tripwire records any
dialog, any call of a wrapped alert/confirm/prompt/print, page errors and console errors, and
each page's DOM is searched for what could still run on a click or a hover.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from elearn.accounts.services import UserData, create_user
from elearn.accounts.units import UnitData, save_unit
from elearn.certificates.issuance import find_certificate, revoke
from elearn.content.parse import parse_course
from elearn.content.publish import store_version
from elearn.demo.cli import DEMO_PASSWORD
from elearn.extensions import db
from elearn.learning.attempts import save_answers, start_attempt
from elearn.learning.enrollment import enroll
from elearn.learning.evaluation import submit_evaluation
from elearn.models import CourseItem, ItemKind, Role, UnitKind, User
from elearn.records.trainings import TrainingReport, add_training
from elearn.settings import current_settings
from tests.browser.conftest import (
    DESKTOP,
    LiveServer,
    require_browser,
    sign_in,
    watched_context,
)
from tests.browser.hostile_course import (
    ACCEPTED,
    CODE,
    CORPUS,
    REFLECTED,
    SLUG,
    WRONG,
    corpus_payloads,
    write_course,
)
from tests.testdata import require_shared

require_browser()
from playwright.sync_api import Browser, BrowserContext, Page, Route  # noqa: E402

from tests.browser.test_accessibility import PNG, answer_form, complete_course  # noqa: E402

NAMES = {
    "learner": "<img src=x onerror=alert('nama1')>",
    "learner2": '"><script>alert("nama2")</script>',
    "template": "{{7*7}} ${7*7} <%= 7*7 %>",
    "formula": '=HYPERLINK("http://contoh.invalid","klik")',
    "textarea": "</textarea><svg onload=alert('nama3')>",
    "coordinator": "<svg/onload=alert('koordinator')>",
    "evaluator": "'\"><iframe srcdoc=\"<script>alert('evaluator')</script>\">",
    "admin": "<details open ontoggle=alert('admin')>Admin",
}
FINISHERS = ("learner", "template", "formula", "textarea")
TRAINING = "<script>alert('pelatihan')</script>"
ORGANISER = '=HYPERLINK("http://contoh.invalid","<img src=x onerror=alert(\'penyelenggara\')>")'
EVIDENCE = "\"><svg onload=alert('bukti')>.png"
COMMENT = "</textarea><script>alert('komentar')</script> {{7*7}} <b onmouseover=alert(1)>x</b>"
UNITS = ("<b onmouseover=alert('unit')>Pemkot Uji</b>", "\"><svg/onload=alert('unit2')>")
TRIPWIRE = """(() => {
  const report = (kind, detail) => {
    window.__xssFired = true;
    try { window.__xssTripwire(kind, String(detail)); } catch (e) {}
  };
  for (const name of ['alert', 'confirm', 'prompt', 'print'])
    window[name] = (...args) => report(name, args.join(' '));
  document.addEventListener('securitypolicyviolation',
    e => report('csp', e.violatedDirective + ' ' + e.blockedURI));
})();"""
# What could still run later (on a click, a hover, a focus) although nothing ran yet.
DOM_AUDIT = r"""() => {
  const found = [];
  const urls = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'srcset',
                'background', 'ping', 'codebase', 'cite'];
  const risky = /^(javascript|vbscript|livescript|data:(?!image\/(png|jpe?g|gif|webp)[;,]))/;
  const tags = ['script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base',
                'style', 'portal', 'foreignobject', 'animate', 'set', 'use', 'handler', 'math'];
  // Our own scripts: from /static/ on this origin, nothing inline.
  const ours = el => el.localName === 'script' && !el.textContent.trim() && el.src
    && new URL(el.src).origin === location.origin
    && new URL(el.src).pathname.startsWith('/static/js/');
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName.toLowerCase();
    if ((tags.includes(tag) && !ours(el)) || (tag === 'meta' && el.hasAttribute('http-equiv'))
        || (tag === 'svg' && !el.classList.contains('chart'))
        || (tag === 'link' && !['stylesheet', 'icon', 'manifest'].includes(el.rel))
        || (el.closest('.prose')
            && ['form', 'input', 'button', 'select', 'textarea'].includes(tag)))
      found.push('<' + tag + '>');
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
      if (name.startsWith('on') || name === 'style' || name === 'srcdoc'
          || (urls.includes(name) && risky.test(value)))
        found.push(tag + '[' + name + '="' + attr.value.slice(0, 60) + '"]');
    }
  }
  return found;
}"""


def hostile_answers(item: CourseItem) -> dict[str, Any]:
    """Right answers, except that every short answer after the first is a wrong payload."""
    form: dict[str, Any] = answer_form(item)
    shorts = [q for q in (item.quiz or {})["questions"] if q["kind"] == "short"]
    for question in shorts[1:]:
        form[f"q-{question['key']}"] = [WRONG]
    return form


@dataclass(frozen=True)
class World:
    """What the setup made: accounts by role, and the URLs worth opening."""

    nips: dict[str, str]
    user_ids: dict[str, int]
    unit_id: int
    modules: list[str]
    quizzes: list[str]
    reviews: list[str]
    attempts: list[str]
    certificates: list[str]
    preview: str
    corpus: int


def _account(key: str, number: int, unit_id: int, scope_id: int) -> User:
    role = {"coordinator": Role.COORDINATOR, "evaluator": Role.EVALUATOR, "admin": Role.ADMIN}
    extra = role.get(key)
    data = UserData(
        nip=f"19910203201601{1 + number % 2}{101 + number:03d}",
        full_name=NAMES[key],
        unit_id=unit_id,
        position=NAMES[key],
        rank="III/a <u>",
        roles={Role.LEARNER, extra} if extra else {Role.LEARNER},
        scope_unit_ids={scope_id} if extra in (Role.COORDINATOR, Role.EVALUATOR) else set(),
    )
    return create_user(data, DEMO_PASSWORD)


def _training() -> TrainingReport:
    today = date.today()
    return TrainingReport(TRAINING, ORGANISER, "workshop", "teknis", today, today, 3,
                          COMMENT, EVIDENCE, PNG)  # fmt: skip


@pytest.fixture(scope="module")
def world(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> World:
    """Publish the hostile course and let the hostile users use it, through the services."""
    corpus = corpus_payloads() if CORPUS.is_dir() else []
    folder = tmp_path_factory.mktemp("xss") / SLUG
    write_course(folder, corpus)
    with live_server.app.app_context():
        root = save_unit(UnitData("uji-xss", UNITS[0], UnitKind.INSTANSI, None, "Asia/Makassar"))
        unit = save_unit(UnitData("uji-xss-bkpsdm", UNITS[1], UnitKind.PERANGKAT_DAERAH, root.id))
        version = store_version(parse_course(folder), unit=root, actor=None, publish=True).version
        users = {key: _account(key, n, unit.id, root.id) for n, key in enumerate(NAMES)}
        certificates = []
        for key in FINISHERS:
            enrollment = complete_course(users[key], version.course, hostile_answers)
            submit_evaluation(enrollment, relevance=4, clarity=3, applicability=5, comment=COMMENT)
            add_training(users[key], _training(), max_bytes=2**20)
            certificates.append(find_certificate(enrollment))
        assert None not in certificates
        issued = [c for c in certificates if c is not None]
        revoke(issued[-1], users["coordinator"], COMMENT)  # its page shows the reason
        quizzes = [i for i in version.items if i.kind != ItemKind.MODULE]
        attempts = []
        waiting = enroll(users["learner2"], version.course)
        for item in quizzes:  # left open, hostile text in the answer fields
            attempt = start_attempt(waiting, item, learning=current_settings().learning)
            save_answers(attempt, hostile_answers(item), learning=current_settings().learning)
            attempts.append(f"/learn/{SLUG}/{item.name}/attempts/{attempt.number}")
        world = World(
            nips={key: user.nip for key, user in users.items()},
            user_ids={key: user.id for key, user in users.items()},
            unit_id=root.id,
            modules=[f"/learn/{SLUG}/{i.name}" for i in version.items if i not in quizzes],
            quizzes=[f"/learn/{SLUG}/{i.name}" for i in quizzes],
            reviews=[f"/learn/{SLUG}/{i.name}/attempts/1" for i in quizzes],
            attempts=attempts,
            certificates=[f"/certificates/{c.code}" for c in issued],
            preview=f"/coordinator/courses/{SLUG}/v/{version.number}",
            corpus=len(corpus),
        )
        db.session.commit()
    return world


@dataclass
class Visitor:
    """Opens pages with the tripwire armed and CSP bypassed; collects what ran or could run."""

    browser: Browser
    base_url: str
    fired: list[str] = field(default_factory=list)
    visited: int = 0
    contexts: list[BrowserContext] = field(default_factory=list)

    def page(self, nip: str | None = None) -> Page:
        """A fresh page (own cookies), signed in as ``nip`` when given."""
        context = watched_context(
            self.browser, self.base_url, None, viewport=DESKTOP, bypass_csp=True
        )
        context.expose_binding(
            "__xssTripwire", lambda source, kind, detail: self.fired.append(
                f"{kind}({detail!r}) on {source['page'].url}")
        )  # fmt: skip
        context.add_init_script(TRIPWIRE)
        context.route("**/*", self._local_only)
        context.on("page", self._watch)
        self.contexts.append(context)
        page = context.new_page()
        if nip is not None:
            sign_in(page, nip)
        return page

    def _local_only(self, route: Route) -> None:
        # No network here anyway; failing at once keeps pages with external images fast.
        if route.request.url.startswith(self.base_url):
            route.continue_()
        else:
            route.abort()

    def _watch(self, page: Page) -> None:
        def dialog(d: Any) -> None:
            self.fired.append(f"{d.type} dialog on {page.url}: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)
        page.on("pageerror", lambda e: self.fired.append(f"page error on {page.url}: {e}"))
        page.on("console", lambda m: self._console(page, m.type, m.text))

    def _console(self, page: Page, kind: str, text: str) -> None:
        # Images the sanitiser rightly keeps (src=x, other hosts) fail to load: nothing ran.
        if kind == "error" and not text.startswith("Failed to load resource"):
            self.fired.append(f"console error on {page.url}: {text}")

    def visit(self, page: Page, url: str, status: int = 200) -> Page:
        """Open ``url``, let it settle, and search its DOM for anything that could run."""
        response = page.goto(url)
        assert response is not None and response.status == status, f"{url}: {response}"
        page.wait_for_load_state("load")
        self.visited += 1
        self.fired += [f"{found} in {url}" for found in page.evaluate(DOM_AUDIT)]
        return page

    def download(self, page: Page, url: str) -> tuple[str, bytes]:
        """Fetch ``url`` with the page's cookies; return its content type and body."""
        response = page.request.get(url)
        assert response.ok, f"{url}: {response.status}"
        return response.headers.get("content-type", ""), response.body()

    def assert_nothing_ran(self) -> None:
        """Fail listing everything that ran, or could run, on the pages visited."""
        assert self.visited, "no page was visited"
        assert not self.fired, "hostile input ran or could run:\n" + "\n".join(self.fired)


@pytest.fixture
def visitor(browser: Browser, live_server: LiveServer) -> Iterator[Visitor]:
    """A visitor whose contexts are closed after the test."""
    opened = Visitor(browser, live_server.url)
    try:
        yield opened
    finally:
        for context in opened.contexts:
            context.close()


def shows(page: Page, text: str) -> None:
    """Expect ``text`` on the page as text: escaped, neither run nor dropped."""
    assert text in page.locator("body").inner_text(), f"{text!r} is not shown on {page.url}"


def field_values(page: Page) -> list[str]:
    """The values of every text field on the page, as the browser holds them."""
    values = page.locator("input, textarea").evaluate_all("els => els.map(e => e.value)")
    return [str(value) for value in values]


def test_tripwire_catches_what_it_should(visitor: Visitor) -> None:
    page = visitor.page()
    page.set_content("<img src=x onerror=alert('uji')><a href=' javascript:void(0)'>a</a>")
    visitor.visited += 1
    visitor.fired += page.evaluate(DOM_AUDIT)
    page.wait_for_function("() => window.__xssFired")
    assert any(f.startswith("alert('uji')") for f in visitor.fired), visitor.fired
    assert any("a[href=" in f for f in visitor.fired) and any(
        "img[onerror=" in f for f in visitor.fired
    )


def test_anonymous_pages(visitor: Visitor, world: World) -> None:
    page = visitor.page()
    visitor.visit(page, "/")
    visitor.visit(page, f"/login?next={quote(REFLECTED)}")
    for url in world.certificates:
        visitor.visit(page, url)
        shows(page, NAMES[FINISHERS[world.certificates.index(url)]])
    shows(page, COMMENT)  # the revocation reason
    visitor.visit(page, f"/{quote(REFLECTED)}", status=404)
    visitor.visit(page, f"/certificates/{quote(REFLECTED)}", status=404)
    visitor.assert_nothing_ran()


def test_learner_pages(visitor: Visitor, world: World) -> None:
    page = visitor.page(world.nips["learner"])
    shows(page, NAMES["learner"])  # in the header of every page from now on
    for url in (
        "/",
        "/courses/",
        f"/courses/{SLUG}",
        "/me",
        "/me/records/new",
        "/account/password",
    ):
        visitor.visit(page, url)
    visitor.visit(page, f"/courses/?q={quote(REFLECTED)}")
    assert REFLECTED in field_values(page)
    for url in world.modules + world.quizzes:
        visitor.visit(page, url)
    visitor.visit(page, world.modules[0])
    code = page.locator(".prose pre").inner_text()
    assert all(line in code for line in CODE), code
    for url in world.reviews:
        visitor.visit(page, url)
    shows(page, ACCEPTED)
    visitor.visit(page, world.reviews[0])
    shows(page, WRONG)
    visitor.visit(page, f"/learn/{SLUG}/evaluation")
    visitor.visit(page, "/me/records")
    shows(page, TRAINING)
    shows(page, ORGANISER)
    visitor.visit(page, world.certificates[0])

    kind, body = visitor.download(page, "/me/records.csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert kind.startswith("text/csv")
    assert [TRAINING, "'" + ORGANISER] in [row[1:3] for row in rows], rows
    kind, body = visitor.download(page, "/me/data.json")
    assert kind.startswith("application/json")
    assert NAMES["learner"] in json.dumps(json.loads(body), ensure_ascii=False)
    visitor.assert_nothing_ran()


def test_open_attempts_keep_hostile_answers_as_values(visitor: Visitor, world: World) -> None:
    page = visitor.page(world.nips["learner2"])
    for url in world.attempts:
        visitor.visit(page, url)
        assert ACCEPTED in field_values(page)
    visitor.assert_nothing_ran()


def test_coordinator_pages(visitor: Visitor, world: World) -> None:
    page = visitor.page(world.nips["coordinator"])
    for url in (
        "/coordinator/courses", f"/coordinator/courses/{SLUG}", "/records/learners",
        f"/records/learners/{world.user_ids['formula']}", "/reports/", "/reports/evaluations",
        f"/reports/?unit=uji-xss&category={quote(REFLECTED)}",
        f"/reports/export/?category={quote(REFLECTED)}",
    ):  # fmt: skip
        visitor.visit(page, url)
    visitor.visit(page, world.preview)
    shows(page, ACCEPTED)
    visitor.visit(page, "/records/review")
    for text in (TRAINING, ORGANISER, EVIDENCE, NAMES["learner"], NAMES["template"], UNITS[1]):
        shows(page, text)
    visitor.visit(page, f"/records/learners?q={quote(REFLECTED)}")
    assert REFLECTED in field_values(page)
    visitor.visit(page, f"/reports/evaluations/{SLUG}")
    shows(page, COMMENT)

    kind, body = visitor.download(page, "/reports/export/enrollments.csv?unit=uji-xss")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    names = {row[2] for row in rows[1:]}
    assert names >= {NAMES["learner"], NAMES["template"], "'" + NAMES["formula"]}, names
    kind, body = visitor.download(page, "/reports/export/enrollments.xlsx?unit=uji-xss")
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert "'" + NAMES["formula"] in {cell.value for cell in cells}
    assert not [cell.value for cell in cells if cell.data_type == "f"]
    visitor.assert_nothing_ran()


def test_evaluator_pages(visitor: Visitor, world: World) -> None:
    page = visitor.page(world.nips["evaluator"])
    for url in ("/reports/", "/reports/evaluations", f"/reports/evaluations/{SLUG}"):
        visitor.visit(page, url)
    shows(page, COMMENT)
    visitor.assert_nothing_ran()


def test_admin_pages(visitor: Visitor, world: World) -> None:
    page = visitor.page(world.nips["admin"])
    visitor.download(page, f"/reports/export/enrollments.csv?category={quote(REFLECTED)}")
    for url in ("/admin/units", f"/admin/units/{world.unit_id}", "/admin/users/import"):
        visitor.visit(page, url)
    visitor.visit(page, f"/admin/users?q={quote(REFLECTED)}")
    assert REFLECTED in field_values(page)
    visitor.visit(page, "/admin/users")
    for name in NAMES.values():
        shows(page, name)
    for key, user_id in world.user_ids.items():
        visitor.visit(page, f"/admin/users/{user_id}")
        assert NAMES[key] in field_values(page)
    visitor.visit(page, "/reports/audit")
    shows(page, f"category={REFLECTED}")
    visitor.assert_nothing_ran()


def test_shared_corpus_was_published(world: World) -> None:
    require_shared(CORPUS)
    assert world.corpus >= 150
