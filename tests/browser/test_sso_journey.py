"""A learner signs in with SSO ASN in Chromium, through a real OpenID provider's pages.

The provider (tests/oidc/provider.js, npm oidc-provider) runs on its own port with its
development sign-in and consent pages standing in for SSO ASN's; the app runs on a live
server of its own, configured to use it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from config import TestConfig
from elearn import create_app
from elearn.extensions import db
from tests.browser.conftest import DESKTOP, BrowserProblems, require_browser, watched_context
from tests.factories import make_user
from tests.oidc.provider import running_provider

require_browser()
from playwright.sync_api import Browser, Page, expect  # noqa: E402

NIP = "198609262015051001"
UNKNOWN_NIP = "198609262015052002"
ACCOUNTS = {
    "andi": {"preferred_username": NIP, "name": "Andi Pratama"},
    "stranger": {"preferred_username": UNKNOWN_NIP, "name": "Orang Asing"},
}


class LateApp:
    """A WSGI app set after the server is bound: the provider needs our port first."""

    app: Flask | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        assert self.app is not None
        return self.app(environ, start_response)


@dataclass(frozen=True)
class SsoServer:
    url: str
    issuer: str


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SsoServer]:
    """The app with SSO ASN configured, on 127.0.0.1, and the provider it trusts."""
    database = tmp_path_factory.mktemp("sso-server") / "elearn.sqlite"
    late = LateApp()
    server = make_server("127.0.0.1", 0, late, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    with running_provider([f"{url}/login/sso/callback"], ACCOUNTS) as provider:

        class SsoBrowserConfig(TestConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"
            WTF_CSRF_ENABLED = True
            RATELIMIT_ENABLED = False
            PUBLIC_BASE_URL = url

        for name, value in provider.sso_config().items():
            setattr(SsoBrowserConfig, name, value)
        app = create_app(SsoBrowserConfig)
        with app.app_context():
            db.create_all()
            make_user(nip=NIP, name="Andi Pratama")
        late.app = app
        thread = threading.Thread(target=server.serve_forever, name="sso-server", daemon=True)
        thread.start()
        try:
            yield SsoServer(url, provider.issuer)
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def sso_page(
    browser: Browser, sso_server: SsoServer, browser_problems: BrowserProblems
) -> Iterator[Page]:
    """A fresh desktop page on the SSO-enabled server, watched for problems."""
    context = watched_context(browser, sso_server.url, browser_problems, viewport=DESKTOP)
    # The provider's development pages import a web font; the test machine is offline.
    context.route(
        "https://fonts.googleapis.com/**",
        lambda route: route.fulfill(status=200, content_type="text/css", body=""),
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def sign_in_at_provider(page: Page, sso_server: SsoServer, login: str) -> None:
    """Press the SSO button, then sign in and consent on the provider's own pages."""
    page.goto("/login")
    page.get_by_role("button", name="Masuk dengan SSO ASN").click()
    page.wait_for_url(f"{sso_server.issuer}/**")
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("rahasia-di-sso")
    page.get_by_role("button", name="Sign-in").click()
    # A fresh browser has granted our client nothing yet: the provider asks for consent.
    expect(page.get_by_role("heading", name="Authorize")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{sso_server.url}/**")


def test_learner_signs_in_with_sso_asn(sso_page: Page, sso_server: SsoServer):
    sign_in_at_provider(sso_page, sso_server, "andi")

    expect(sso_page).to_have_url(f"{sso_server.url}/me")
    expect(sso_page.get_by_text("Selamat datang, Andi Pratama.")).to_be_visible()
    expect(sso_page.get_by_role("button", name="Keluar")).to_be_visible()


def test_unknown_nip_is_told_on_the_login_page(sso_page: Page, sso_server: SsoServer):
    sign_in_at_provider(sso_page, sso_server, "stranger")

    expect(sso_page).to_have_url(f"{sso_server.url}/login")
    expect(sso_page.get_by_text(f"NIP {UNKNOWN_NIP} belum terdaftar di eLearn ASN")).to_be_visible()
    expect(sso_page.get_by_role("button", name="Keluar")).to_have_count(0)
