"""A real OpenID Connect provider (npm oidc-provider, tests/oidc/provider.js) for the SSO tests.

``running_provider`` installs the pinned packages with ``npm ci`` when node_modules is
missing, starts the provider on a free port and stops it afterwards. Without node or
npm the calling test skips with the reason; REQUIRE_NODE=1 (for .ci/run) turns that
skip into a failure, as REQUIRE_POSTGRES does for PostgreSQL.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from tests.node_packages import node_with_packages

HERE = Path(__file__).resolve().parent
CHECK = "OpenID provider tests"
CLIENT_ID = "elearn-asn-test"
CLIENT_SECRET = "test-only-client-secret"  # noqa: S105 - the local test provider's client
START_SECONDS = 30
FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>.*?name="prompt" value="(\w+)"', re.S)


@dataclass(frozen=True)
class OidcProvider:
    """A running provider and the one client registered on it."""

    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def sso_config(self, **overrides: object) -> dict[str, object]:
        """The SSO_ASN_* settings that point the app at this provider."""
        return {
            "SSO_ASN_ISSUER": self.issuer,
            "SSO_ASN_CLIENT_ID": self.client_id,
            "SSO_ASN_CLIENT_SECRET": self.client_secret,
            **overrides,
        }


@contextmanager
def running_provider(
    redirect_uris: list[str], accounts: Mapping[str, Mapping[str, str]]
) -> Iterator[OidcProvider]:
    """Run the provider with one client (these redirect URIs) and these test accounts.

    ``accounts`` maps the login typed on the provider's sign-in page to its claims.
    """
    node = node_with_packages(HERE, "oidc-provider", CHECK)
    env = {
        **os.environ,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URIS": ",".join(redirect_uris),
        "OIDC_ACCOUNTS": json.dumps(accounts),
        "NODE_ENV": "test",
    }
    process = subprocess.Popen(  # noqa: S603 - our own script
        [node, str(HERE / "provider.js")],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr: list[str] = []
    # Drain stderr (the provider's development-mode warnings) so the pipe never fills.
    drain = threading.Thread(target=lambda: stderr.extend(process.stderr or []), daemon=True)
    drain.start()
    try:
        first: list[str] = []
        reader = threading.Thread(target=lambda: first.append((process.stdout or [""]).readline()))
        reader.start()
        reader.join(START_SECONDS)
        if not first or not first[0]:
            process.kill()
            drain.join(5)
            pytest.fail(f"the test OpenID provider did not start:\n{''.join(stderr)}")
        yield OidcProvider(issuer=json.loads(first[0])["issuer"])
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        drain.join(5)


def sign_in_at_provider(authorization_url: str, login: str, redirect_uri: str) -> str:
    """Sign in at the provider as ``login`` and consent, as a browser would; return the
    URL the provider sends the browser back to (our callback, with code and state)."""
    browser = requests.Session()
    browser.trust_env = False  # never through a proxy: the provider is on 127.0.0.1
    url = authorization_url
    try:
        for _ in range(12):
            response = browser.get(url, allow_redirects=False, timeout=10)
            while response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                if url.startswith(redirect_uri):
                    return url
                response = browser.get(url, allow_redirects=False, timeout=10)
            form = FORM.search(response.text)
            assert form, f"no sign-in or consent form at {url}:\n{response.text[:500]}"
            action, prompt = urljoin(url, form.group(1)), form.group(2)
            data = {"prompt": prompt}
            if prompt == "login":
                data |= {"login": login, "password": "any"}
            response = browser.post(action, data=data, allow_redirects=False, timeout=10)
            assert response.is_redirect, f"{prompt} form refused: {response.text[:500]}"
            url = urljoin(action, response.headers["Location"])
            if url.startswith(redirect_uri):
                return url
        raise AssertionError("the provider never sent the browser back")
    finally:
        browser.close()
