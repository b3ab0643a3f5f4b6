"""Prometheus metrics: who may read them, what they hold, and sums over worker processes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from elearn.settings import with_changes
from tests.conftest import AuthActions
from tests.factories import make_user

REMOTE = {"REMOTE_ADDR": "203.0.113.9"}
TOKEN = "metrics-token-for-tests-7f3a"
REPO = Path(__file__).resolve().parents[2]


def sample(body: str, name: str, **labels: str) -> float:
    """The value of one sample in the text exposition format (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    pattern = re.escape(f"{name}{{{wanted}}}" if labels else name) + r" ([0-9.e+-]+)$"
    match = re.search(pattern, body, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_local_clients_read_latency_by_endpoint_and_status(client: FlaskClient):
    before = client.get("/metrics").get_data(as_text=True)
    client.get("/login")
    client.get("/tidak-ada")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    body = response.get_data(as_text=True)
    count = "elearn_request_duration_seconds_count"
    for labels in ({"endpoint": "auth.login", "status": "200"},
                   {"endpoint": "unmatched", "status": "404"}):  # fmt: skip
        assert sample(body, count, **labels) == sample(before, count, **labels) + 1
    assert "/tidak-ada" not in body  # routes, never raw paths
    assert sample(body, "elearn_requests_in_flight") >= 1  # this very request


def test_others_get_a_404_unless_they_bring_the_token(app: Flask, client: FlaskClient):
    assert client.get("/metrics", environ_base=REMOTE).status_code == 404
    # Through a proxy (even one on this host), a request is not local.
    proxied = {"X-Forwarded-For": "203.0.113.9"}
    assert client.get("/metrics", headers=proxied).status_code == 404

    with_changes(app, metrics_token=TOKEN)
    for wrong in ("Bearer nope", f"Bearer {TOKEN}x", TOKEN, f"Basic {TOKEN}"):
        sent = {"Authorization": wrong}
        assert client.get("/metrics", environ_base=REMOTE, headers=sent).status_code == 404
    good = {"Authorization": f"Bearer {TOKEN}"}
    response = client.get("/metrics", environ_base=REMOTE, headers=good)
    assert response.status_code == 200
    assert "elearn_request_duration_seconds" in response.get_data(as_text=True)


def test_signed_in_users_get_no_more_than_anyone(app: Flask, client: FlaskClient):
    AuthActions(client).login(make_user().nip)
    assert client.get("/metrics", environ_base=REMOTE).status_code == 404


WORKER = """
import sys
from config import TestConfig
from elearn import create_app

app = create_app(TestConfig)
client = app.test_client()
for _ in range(int(sys.argv[1])):
    assert client.get("/healthz").status_code == 200
if len(sys.argv) > 2:
    sys.stdout.write(client.get("/metrics").get_data(as_text=True))
"""


def test_worker_processes_are_summed_with_a_multiprocess_directory(tmp_path: Path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}

    def worker(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", WORKER, *args],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        return done.stdout

    worker("2")
    worker("3")
    body = worker("1", "report")  # a third worker answers /metrics for all three
    labels = {"endpoint": "monitoring.healthz", "status": "200"}
    assert sample(body, "elearn_request_duration_seconds_count", **labels) == 6
