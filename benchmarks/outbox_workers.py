"""Deliver the xAPI outbox with 1, 2 and 4 workers (threads) and print statements per second.

Run: .venv/bin/python benchmarks/outbox_workers.py DATABASE_URL [--learners N] [--lrs-ms MS]
(PostgreSQL: several workers share the outbox only there; a throw-away database, its tables
are dropped and created.)

Queues two statements per learner (enrolled, module completed) in two layouts: "clustered"
(each learner's two one after the other) and "interleaved" (everybody enrols, then everybody
completes, as in a busy hour). A local LRS on 127.0.0.1 answers each POST after --lrs-ms
milliseconds (default 20, a nearby LRS). Each run starts from the same undelivered outbox and
checks that every statement arrived exactly once; the figure to compare is the ratio to one
worker in the same run (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import update  # noqa: E402

from config import TestConfig  # noqa: E402
from elearn import create_app  # noqa: E402
from elearn.extensions import db  # noqa: E402
from elearn.learning.enrollment import enroll  # noqa: E402
from elearn.learning.progress import complete_module, open_item  # noqa: E402
from elearn.models import StatementOutbox  # noqa: E402
from elearn.settings import current_settings  # noqa: E402
from elearn.xapi.delivery import deliver_pending  # noqa: E402
from elearn.xapi.outbox import outbox_status  # noqa: E402
from tests.factories import make_user  # noqa: E402
from tests.learning.helpers import publish_course  # noqa: E402


def start_lrs(delay: float, received: list[str]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            statements = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            time.sleep(delay)  # the LRS's own work and the network, modelled
            received.extend(statement["id"] for statement in statements)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"[]")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/xapi"


def nip(index: int) -> str:
    """A valid NIP per index: appointed in a later year every 999 learners."""
    return f"19860926{2010 + index // 999}011{index % 999 + 1:03d}"


def queue(folder: Path, learners: int, interleaved: bool) -> None:
    db.session.execute(StatementOutbox.__table__.delete())
    version = publish_course(folder, slug="bench-i" if interleaved else "bench-c")
    module = next(item for item in version.items if item.name == "siklus")
    first = learners if interleaved else 0  # NIPs unique across both layouts
    users = [make_user(nip=nip(first + index)) for index in range(learners)]
    enrollments = []
    for user in users:
        enrollments.append(enroll(user, version.course))
        if not interleaved:
            open_item(enrollments[-1], module, learning=current_settings().learning)
            complete_module(enrollments[-1], module, learning=current_settings().learning)
        db.session.commit()
    if interleaved:
        for enrollment in enrollments:
            open_item(enrollment, module, learning=current_settings().learning)
            complete_module(enrollment, module, learning=current_settings().learning)
            db.session.commit()


def deliver_with(app: Flask, workers: int) -> float:
    db.session.execute(update(StatementOutbox).values(delivered_at=None, attempts=0))
    db.session.commit()

    def work() -> None:
        with app.app_context():
            while True:
                deliver_pending()
                pending = outbox_status().pending
                db.session.commit()
                if pending == 0:
                    return

    threads = [threading.Thread(target=work) for _ in range(workers)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--lrs-ms", type=float, default=20.0)
    args = parser.parse_args()
    received: list[str] = []
    server, url = start_lrs(args.lrs_ms / 1000, received)
    settings = {
        "SQLALCHEMY_DATABASE_URI": args.database_url,
        "XAPI_LRS_URL": url,
        "XAPI_HOME_PAGE": "https://elearn.example.go.id",
    }
    app = create_app(type("Bench", (TestConfig,), settings))
    folder = Path(tempfile.mkdtemp())
    with app.app_context():
        db.drop_all()
        db.create_all()
        print(f"{db.engine.dialect.name}, LRS answers after {args.lrs_ms:.0f} ms, batch 50")
        for interleaved in (False, True):
            queue(folder, args.learners, interleaved)
            total = db.session.query(StatementOutbox).count()
            base = None
            deliver_with(app, 4)  # warm-up: connections, compiled statements
            for workers in (1, 2, 4):
                received.clear()
                seconds = deliver_with(app, workers)
                counts = Counter(received)
                assert len(counts) == total and max(counts.values()) == 1, "not exactly once"
                base = base or seconds
                layout = "interleaved" if interleaved else "clustered"
                print(
                    f"{layout:11} {total} statements, {workers} worker(s): {seconds:6.2f} s, "
                    f"{total / seconds:7.0f}/s, {base / seconds:4.2f}× one worker"
                )
        db.session.remove()
        db.drop_all()
    server.shutdown()


if __name__ == "__main__":
    main()
