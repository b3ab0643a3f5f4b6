"""`jose` (Node) verifies our VC-JWT from the published key and reads the status list bit,
fetching both from a live server: valid before revocation, revoked after."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from elearn.models import Role
from elearn.settings import with_changes
from tests.certificates.helpers import complete_course
from tests.factories import make_user
from tests.interop.conftest import HERE


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app on a real HTTP port, its public address set to it (ids point there)."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    with_changes(app, public_base_url=base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    thread.join(timeout=10)


def jose_check(node: str, token_file: Path, base: str) -> tuple[int, dict[str, object]]:
    done = subprocess.run(
        [node, str(HERE / "verify-jose.mjs"), str(token_file), base],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip(), done.stderr
    return done.returncode, json.loads(done.stdout.strip().splitlines()[-1])


def test_jose_verifies_the_credential_and_reads_revocation_from_the_status_list(
    app: Flask, runner, tmp_path: Path, node: str, live_server: str
):
    learner, certificate = complete_course(app, tmp_path)
    token = learner.client.get(f"/certificates/{certificate.code}/credential").get_data(True)
    token_file = tmp_path / "open-badge.jwt"
    token_file.write_text(token)

    code, before = jose_check(node, token_file, live_server)
    assert (code, before["status"]) == (0, "valid"), before
    assert before["listBits"] == 131_072
    assert before["cacheControl"] == "public, max-age=300" and before["etag"]

    admin = make_user(Role.ADMIN, name="Admin Satu")
    revoked = runner.invoke(
        args=["certificates", "revoke", certificate.code, "--reason", "Keliru", "--by", admin.nip]
    )
    assert revoked.exit_code == 0, revoked.output
    code, after = jose_check(node, token_file, live_server)
    assert (code, after["status"]) == (0, "revoked"), after
    assert after["index"] == before["index"] and after["etag"] != before["etag"]

    # A claim changed after signing: jose refuses it.
    header, payload, signature = token.split(".")
    forged = tmp_path / "forged.jwt"
    forged.write_text(f"{header}.{payload[:-4]}AAAA.{signature}")
    code, refused = jose_check(node, forged, live_server)
    assert code == 1 and refused["status"] == "invalid"
    # A deployment we do not trust: its key is never fetched.
    code, refused = jose_check(node, token_file, "https://elearn.example.go.id")
    assert code == 1 and "not a key of" in str(refused["reason"])
