"""WCAG 2 A/AA checks with axe-core on every page each role visits, at phone and desktop widths.

axe-core is vendored in tests/browser/axe/ (see its NOTICE.md). The app's CSP allows only
'self' scripts, so these contexts bypass CSP to let axe in; nothing else here needs that.
Serious and critical violations fail the test; the others are printed as warnings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from elearn.certificates.issuance import find_certificate, issue_owed_certificates
from elearn.extensions import db
from elearn.learning.attempts import start_attempt, submit_attempt
from elearn.learning.enrollment import enroll
from elearn.learning.evaluation import submit_evaluation
from elearn.learning.progress import complete_module
from elearn.models import Course, CourseItem, Enrollment, ItemKind, Unit, User
from elearn.records.trainings import TrainingReport, add_training
from elearn.settings import current_settings
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    BrowserProblems,
    LiveServer,
    require_browser,
    sign_in,
    watched_context,
)

require_browser()
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize  # noqa: E402

from tests.browser.test_learner_journey import correct_fields  # noqa: E402

AXE = Path(__file__).resolve().parent / "axe" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING = {"serious", "critical"}
# Demo accounts that no other browser test signs in with, all in Mamuju.
LEARNER_NIP = "199203142019032002"  # Nur Aisyah
COORDINATOR_NIP = "198204172008012005"  # Muhammad Yusuf
EVALUATOR_NIP = "198307082009022007"  # Hasan Basri
ADMIN_NIP = "197605112000031008"  # Admin eLearn
COMPLETED_COURSE = "kepemimpinan"  # managed by Mamuju
OPEN_QUIZ_COURSE = "administrasi-digital"
# The smallest file that passes the PNG signature check for evidence uploads.
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def answer_form(item: CourseItem) -> dict[str, list[str]]:
    """Form fields answering every question of a quiz item right."""
    form: dict[str, list[str]] = {}
    for question in (item.quiz or {})["questions"]:
        form.update(correct_fields(question))
    return form


def pass_quiz(enrollment: Enrollment, item: CourseItem, form: Mapping[str, Any]) -> int:
    """Start an attempt at ``item``, submit ``form`` in it; return the attempt number."""
    attempt = start_attempt(enrollment, item, learning=current_settings().learning)
    submit_attempt(attempt, form, learning=current_settings().learning)
    return attempt.number


def complete_course(
    user: User, course: Course, answer: Callable[[CourseItem], Mapping[str, Any]] = answer_form
) -> Enrollment:
    """Enrol ``user``, read every module and pass every quiz (answered by ``answer``)."""
    enrollment = enroll(user, course)
    for item in enrollment.version.items:
        if item.kind == ItemKind.MODULE:
            complete_module(enrollment, item, learning=current_settings().learning)
        else:
            pass_quiz(enrollment, item, answer(item))
    assert enrollment.completed_at is not None, f"{course.slug} was not completed"
    db.session.commit()
    issue_owed_certificates(current_settings())
    return enrollment


def report_training(user: User, name: str, organiser: str) -> int:
    """Report an external training with a tiny PNG as evidence; return its id."""
    today = date.today()
    report = TrainingReport(
        name=name,
        organiser=organiser,
        route="pelatihan-teknis",
        competency="teknis",
        started_on=today,
        finished_on=today,
        jp=4,
        certificate_number="123/BKPSDM/2026",
        evidence_name="bukti.png",
        evidence=PNG,
    )
    return add_training(user, report, max_bytes=2**20).id


@dataclass(frozen=True)
class LearnerState:
    """URLs of what the learner has done, so every kind of page has something in it."""

    module: str
    quiz: str
    attempt: str
    review: str
    evaluation: str
    certificate: str
    learner_id: int
    unit_id: int
    preview: str


def by_nip(nip: str) -> User:
    """The account with this NIP (it must exist)."""
    user = db.session.scalar(select(User).where(User.nip == nip))
    assert user is not None, nip
    return user


def course_by_slug(slug: str) -> Course:
    """The published course with this slug (it must exist)."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    assert course is not None and course.published_version is not None, slug
    return course


@pytest.fixture(scope="module")
def learner_state(live_server: LiveServer) -> LearnerState:
    """Nur Aisyah completes one course (certificate, evaluation), opens a quiz, reports training."""
    with live_server.app.app_context():
        learner = by_nip(LEARNER_NIP)
        course = course_by_slug(COMPLETED_COURSE)
        enrollment = complete_course(learner, course)
        submit_evaluation(
            enrollment, relevance=5, clarity=4, applicability=4, comment="Contoh kasusnya nyata."
        )
        items = enrollment.version.items
        module = next(i for i in items if i.kind == ItemKind.MODULE)
        quiz = next(i for i in items if i.kind != ItemKind.MODULE)
        certificate = find_certificate(enrollment)
        assert certificate is not None
        report_training(learner, "Bimtek Penyusunan Anggaran", "BPSDM Provinsi Sulawesi Barat")

        other = enroll(learner, course_by_slug(OPEN_QUIZ_COURSE))
        open_quiz = next(i for i in other.version.items if i.kind != ItemKind.MODULE)
        attempt = start_attempt(other, open_quiz, learning=current_settings().learning)
        unit = db.session.scalar(select(Unit).where(Unit.code == "mamuju"))
        assert unit is not None
        state = LearnerState(
            module=f"/learn/{course.slug}/{module.name}",
            quiz=f"/learn/{course.slug}/{quiz.name}",
            attempt=f"/learn/{other.course.slug}/{open_quiz.name}/attempts/{attempt.number}",
            review=f"/learn/{course.slug}/{quiz.name}/attempts/1",
            evaluation=f"/learn/{course.slug}/evaluation",
            certificate=f"/certificates/{certificate.code}",
            learner_id=learner.id,
            unit_id=unit.id,
            preview=f"/coordinator/courses/{course.slug}/v/{enrollment.version.number}",
        )
        db.session.commit()
    return state


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on one page at one width, with the elements that break it."""

    url: str
    width: int
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        where = ", ".join(self.targets[:4]) + (" …" if len(self.targets) > 4 else "")
        return f"[{self.impact}] {self.rule} on {self.url} @{self.width}px: {self.help} — {where}"


class AxeAuditor:
    """Visits pages in CSP-bypassing contexts and collects axe violations."""

    def __init__(
        self,
        browser: Browser,
        base_url: str,
        problems: BrowserProblems,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        self._browser = browser
        self._capsys = capsys
        self._base_url = base_url
        self._problems = problems
        self._contexts: list[BrowserContext] = []
        self.violations: list[Violation] = []
        self.audited = 0

    def page(self, nip: str | None = None) -> Page:
        """A fresh page (own cookies), signed in as ``nip`` when given."""
        context = watched_context(
            self._browser, self._base_url, self._problems, viewport=DESKTOP, bypass_csp=True
        )
        self._contexts.append(context)
        page = context.new_page()
        if nip is not None:
            sign_in(page, nip)
        return page

    def audit(
        self, page: Page, url: str, widths: tuple[ViewportSize, ...] = (DESKTOP,), status: int = 200
    ) -> None:
        """Open ``url`` and run axe on it at each viewport in ``widths``."""
        seen = len(self._problems.messages)
        response = page.goto(url)
        assert response is not None and response.status == status, f"{url}: {response}"
        if status != 200:
            # Chromium logs every error status of the page itself; that one was asked for.
            expected = f"status of {status} "
            self._problems.messages[seen:] = [
                m for m in self._problems.messages[seen:] if expected not in m or url not in m
            ]
        self.check_current(page, widths)

    def check_current(self, page: Page, widths: tuple[ViewportSize, ...] = (DESKTOP,)) -> None:
        """Run axe on the page as it is now, at each viewport in ``widths``."""
        page.add_script_tag(path=AXE)
        path = re.sub(r"^https?://[^/]+", "", page.url)
        for viewport in widths:
            page.set_viewport_size(viewport)
            found = page.evaluate(
                """async tags => (await axe.run(document, {
                       runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']
                   })).violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                       targets: v.nodes.map(n => n.target.join(' '))}))""",
                WCAG_TAGS,
            )
            self.audited += 1
            self.violations += [
                Violation(
                    path,
                    viewport["width"],
                    v["id"],
                    v["impact"] or "?",
                    v["help"],
                    tuple(v["targets"]),
                )  # fmt: skip
                for v in found
            ]
        page.set_viewport_size(DESKTOP)

    def submit_empty(self, page: Page, button: str) -> None:
        """Submit the page's form with nothing filled in, past the browser's own checks."""
        page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
        page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_load_state()

    def assert_no_serious_violations(self) -> None:
        """Fail on serious or critical violations; print the others as warnings."""
        assert self.audited, "no page was audited"
        minor = [v for v in self.violations if v.impact not in FAILING]
        if minor:
            with self._capsys.disabled():
                print("\naxe warnings (moderate/minor):\n  " + "\n  ".join(map(str, minor)))
        serious = [v for v in self.violations if v.impact in FAILING]
        assert not serious, "axe found serious violations:\n" + "\n".join(map(str, serious))

    def close(self) -> None:
        """Close every context opened, and with it its pages."""
        for context in self._contexts:
            context.close()


@pytest.fixture
def axe(
    browser: Browser,
    live_server: LiveServer,
    browser_problems: BrowserProblems,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[AxeAuditor]:
    """An auditor whose contexts are closed after the test."""
    auditor = AxeAuditor(browser, live_server.url, browser_problems, capsys)
    try:
        yield auditor
    finally:
        auditor.close()


BOTH = (DESKTOP, PHONE)


def test_axe_reports_what_it_should(axe: AxeAuditor) -> None:
    page = axe.page()
    page.set_content('<html><body><main><img src="data:,"><p>Tanpa bahasa</p></main></body></html>')
    axe.check_current(page)
    assert {v.rule for v in axe.violations} >= {"image-alt", "html-has-lang"}


def test_public_pages(axe: AxeAuditor, learner_state: LearnerState) -> None:
    page = axe.page()
    for url in ("/", "/login", learner_state.certificate, "/certificates/tidak-ada"):
        axe.audit(page, url, BOTH, status=404 if url.endswith("tidak-ada") else 200)
    axe.audit(page, "/tidak-ada-halaman", BOTH, status=404)
    page.goto("/login")
    page.get_by_label("NIP atau e-mail").fill(LEARNER_NIP)
    page.get_by_label("Kata sandi").fill("kata-sandi-yang-salah")
    page.get_by_role("button", name="Masuk", exact=True).click()
    axe.check_current(page, BOTH)  # the form with its error message
    axe.assert_no_serious_violations()


def test_learner_pages(axe: AxeAuditor, learner_state: LearnerState) -> None:
    page = axe.page(LEARNER_NIP)
    state = learner_state
    for url in (
        "/", "/courses/", "/courses/?q=proyek", f"/courses/{COMPLETED_COURSE}",
        f"/courses/{OPEN_QUIZ_COURSE}", "/courses/manajemen-proyek", state.module, state.quiz,
        state.attempt, state.review, state.evaluation, "/me", "/me/records", "/me/records/new",
        state.certificate, "/account/password", "/me/notifications",
    ):  # fmt: skip
        axe.audit(page, url, BOTH)
    axe.audit(page, "/tidak-ada-halaman", BOTH, status=404)
    page.goto("/me/records/new")
    axe.submit_empty(page, "Simpan")
    axe.check_current(page, BOTH)  # the form with its error messages
    axe.assert_no_serious_violations()


def test_coordinator_pages(axe: AxeAuditor, learner_state: LearnerState) -> None:
    page = axe.page(COORDINATOR_NIP)
    state = learner_state
    for url in (
        "/coordinator/courses", f"/coordinator/courses/{COMPLETED_COURSE}", state.preview,
        "/records/review", "/records/learners", f"/records/learners/{state.learner_id}",
        "/reports/", "/reports/?unit=mamuju&status=completed", "/reports/evaluations",
        f"/reports/evaluations/{COMPLETED_COURSE}", "/reports/export/", "/reports/jp-duty",
        f"/reports/jp-duty/units/{state.unit_id}", "/coordinator/assignments/",
        "/coordinator/assignments/new",
    ):  # fmt: skip
        axe.audit(page, url, BOTH)
    axe.assert_no_serious_violations()


def test_evaluator_pages(axe: AxeAuditor, learner_state: LearnerState) -> None:
    page = axe.page(EVALUATOR_NIP)
    for url in (
        "/reports/", "/reports/evaluations", f"/reports/evaluations/{COMPLETED_COURSE}",
        "/reports/jp-duty",
    ):  # fmt: skip
        axe.audit(page, url, BOTH)
    axe.assert_no_serious_violations()


def test_admin_pages(axe: AxeAuditor, learner_state: LearnerState) -> None:
    page = axe.page(ADMIN_NIP)
    state = learner_state
    for url in (
        "/admin/users", f"/admin/users/{state.learner_id}", "/admin/users/new",
        "/admin/users/import", "/admin/units", f"/admin/units/{state.unit_id}",
        "/admin/units/new", "/reports/audit", "/reports/", "/account/password",
    ):  # fmt: skip
        axe.audit(page, url)
    page.goto("/admin/users/new")
    axe.submit_empty(page, "Simpan")
    axe.check_current(page)  # the form with its error messages
    axe.assert_no_serious_violations()
