"""Real-browser fixtures: the app with its demo data on a live server, driven by Chromium.

Uses Debian's /usr/bin/chromium through Playwright (``playwright install`` is never needed).
Without Chromium or the playwright package every test module here skips (see
require_browser); with REQUIRE_BROWSER=1 (set by .ci/run) that is a failure instead, so CI
cannot skip these tests silently. The server is shared by the session: tests use different
accounts or courses so that their order does not matter.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

from config import TestConfig
from elearn import create_app
from elearn.demo.cli import DEMO_PASSWORD
from elearn.extensions import db

if TYPE_CHECKING:  # playwright may be absent; require_browser() then skips every test
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Dialog,
        Error,
        Page,
        Playwright,
        ViewportSize,
    )

CHROMIUM = Path("/usr/bin/chromium")


def _missing_browser() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


def require_browser() -> None:
    """Skip the calling test module without a browser; fail instead under REQUIRE_BROWSER=1.

    Test modules call this before importing playwright, so a machine without it
    reports a skip with the reason rather than an import error.
    """
    missing = _missing_browser()
    if missing is None:
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {missing}", pytrace=False)
    pytest.skip(f"browser tests skipped: {missing}", allow_module_level=True)


LEARNER_NIP = "198609262015051001"  # Andi Pratama, Palu
SECOND_LEARNER_NIP = "199507222022212003"  # Rahmat Hidayat (PPPK), Palu
COORDINATOR_NIP = "198011052006041004"  # Siti Rahmawati, coordinator of Palu
PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
MENU_BELOW = 600  # px: narrower screens fold the navigation behind a menu button


@dataclass(frozen=True)
class LiveServer:
    """The running app: its base URL, and the app for reading the database in tests."""

    url: str
    app: Flask


@pytest.fixture(scope="package")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Serve the app with `flask demo` data on 127.0.0.1 (SQLite file, CSRF on)."""
    database = tmp_path_factory.mktemp("live-server") / "elearn.sqlite"

    class BrowserTestConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"
        WTF_CSRF_ENABLED = True
        RATELIMIT_ENABLED = False

    app = create_app(BrowserTestConfig)
    with app.app_context():  # the demo command expects one, as under `flask`
        db.create_all()
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """The Playwright driver, started once."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """Debian's headless Chromium."""
    chromium = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield chromium
    finally:
        chromium.close()


@dataclass
class BrowserProblems:
    """JavaScript dialogs, console errors and uncaught page errors seen during one test."""

    messages: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        """Record every problem ``page`` reports from now on."""
        page.on("dialog", self._on_dialog)
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_dialog(self, dialog: Dialog) -> None:
        # Any dialog means script ran that we never wrote (we ship no JavaScript).
        page = dialog.page.url if dialog.page else "?"
        self.messages.append(f"{dialog.type} dialog on {page}: {dialog.message!r}")
        dialog.dismiss()

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "")
        # Chromium asks for /favicon.ico on its own; the app has none (reported, not a test bug).
        if urlsplit(source).path == "/favicon.ico":
            return
        page = message.page.url if message.page else "?"
        self.messages.append(f"console error on {page} ({source}): {message.text}")

    def _on_page_error(self, error: Error) -> None:
        self.messages.append(f"page error: {error.message}")


@pytest.fixture
def browser_problems() -> BrowserProblems:
    """The problems recorder; a test that saw any fails (see pytest_runtest_call below)."""
    return BrowserProblems()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Fail a test whose pages opened a dialog or logged an error, even if it passed."""
    outcome = yield
    problems = getattr(item, "funcargs", {}).get("browser_problems")
    if isinstance(problems, BrowserProblems) and problems.messages:
        pytest.fail("the browser reported:\n" + "\n".join(problems.messages), pytrace=False)
    return outcome


def watched_context(
    browser: Browser,
    base_url: str,
    problems: BrowserProblems | None,
    *,
    viewport: ViewportSize,
    bypass_csp: bool = False,
) -> BrowserContext:
    """A fresh browser context (own cookies) on the live server, watched for problems."""
    context = browser.new_context(
        base_url=base_url, viewport=viewport, locale="id-ID", bypass_csp=bypass_csp
    )
    context.set_default_timeout(TIMEOUT_MS)
    # Chromium cancels its favicon fetch mid-response, and Werkzeug's dev server then
    # leaves the file unclosed (a ResourceWarning in a server thread): answer it here.
    context.route("**/favicon.svg", lambda route: route.fulfill(status=204, body=""))
    if problems is not None:
        context.on("page", problems.watch)  # tabs the page itself opens
    return context


class Pages:
    """Opens pages, each in its own browser context (its own cookies), and closes them all."""

    def __init__(self, browser: Browser, base_url: str, problems: BrowserProblems) -> None:
        self._browser = browser
        self._base_url = base_url
        self._problems = problems
        self._contexts: list[BrowserContext] = []

    def new(self, viewport: ViewportSize = DESKTOP) -> Page:
        """Open a page in a fresh context, watched for problems."""
        context = watched_context(self._browser, self._base_url, self._problems, viewport=viewport)
        self._contexts.append(context)
        return context.new_page()

    def close(self) -> None:
        """Close every context opened, and with it its pages."""
        for context in self._contexts:
            context.close()


@pytest.fixture
def pages(
    browser: Browser, live_server: LiveServer, browser_problems: BrowserProblems
) -> Iterator[Pages]:
    """A factory of fresh, watched pages on the live server."""
    opened = Pages(browser, live_server.url, browser_problems)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def page(pages: Pages) -> Page:
    """A fresh desktop-sized page."""
    return pages.new()


@pytest.fixture
def phone(pages: Pages) -> Page:
    """A fresh page with a 360×740 viewport, the common Android phone."""
    return pages.new(PHONE)


def sign_in(page: Page, nip: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form, as a person would."""
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("NIP atau e-mail").fill(nip)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()


def follow_nav(page: Page, name: str) -> None:
    """Follow a link of the main navigation, opening its menu first on a phone."""
    page.wait_for_load_state("load")  # both navigations show until the stylesheet applies
    viewport = page.viewport_size
    if viewport is not None and viewport["width"] < MENU_BELOW:
        page.locator("summary", has_text="Menu").click()
    page.get_by_role("navigation", name="Navigasi utama").get_by_role(
        "link", name=name, exact=True
    ).click()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Werkzeug's dev server may drop a file unclosed when Chromium cancels a request.

    That surfaces as an unraisable ResourceWarning in a server thread, attributed to
    whichever browser test is running; it says nothing about the app under test.
    """
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(
                pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
            )
