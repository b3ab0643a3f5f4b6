"""Two delivery workers at once: every statement reaches the LRS once, each learner's in order."""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import StatementOutbox
from elearn.xapi.delivery import deliver_pending
from elearn.xapi.outbox import outbox_status
from tests.conftest import FrozenClock, run_in_parallel
from tests.factories import make_user
from tests.learning.helpers import publish_course
from tests.xapi.conftest import FakeLrs, configure_lrs, with_xapi
from tests.xapi.helpers import study, take_quiz

LEARNERS = 60  # five statements each: enrolled, module completed, attempted, completed, failed
DEADLINE_SECONDS = 60.0


def queue_statements(tmp_path: Path, clock: FrozenClock) -> list[StatementOutbox]:
    version = publish_course(tmp_path)
    for _ in range(LEARNERS):
        enrollment = study(make_user(), version, clock)
        take_quiz(enrollment, version, "kuis-siklus", clock, correct=False)
    return list(db.session.scalars(select(StatementOutbox).order_by(StatementOutbox.id)))


class OverlapCheck:
    """Hold the LRS's first answer until a second request arrives, proving two claims at once.

    On PostgreSQL the second worker must find statements the first is not sending while the
    first still holds its claim (a worker blocked on the first one's locks never arrives).
    """

    def __init__(self) -> None:
        self.barrier = threading.Barrier(2, timeout=30)
        self.calls = 0
        self.lock = threading.Lock()
        self.failed = False

    def __call__(self, statements: list[dict[str, Any]]) -> int:
        with self.lock:
            self.calls += 1
            first_two = self.calls <= 2
        if first_two:
            try:
                self.barrier.wait()
            except threading.BrokenBarrierError:
                self.failed = True
                return 503
        return 200


def test_two_workers_send_every_statement_once_in_order_per_learner(
    xapi_app: Flask, lrs: FakeLrs, tmp_path: Path, clock: FrozenClock
):
    configure_lrs(xapi_app, lrs.url)
    with_xapi(xapi_app, batch_size=8, timeout_seconds=60)
    queued = queue_statements(tmp_path, clock)
    assert len(queued) == LEARNERS * 5
    shared = db.engine.dialect.name == "postgresql"
    overlap = OverlapCheck()
    if shared:  # SQLite has one writer: its workers take turns by design
        lrs.answer = overlap
    stopped: list[str] = []

    def work() -> None:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            report = deliver_pending()
            if report.error:
                stopped.append(report.error)
                return
            pending = outbox_status().pending
            db.session.commit()
            if pending == 0:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{pending} statements still pending")

    assert run_in_parallel(xapi_app, 2, work) == []
    assert not overlap.failed, "the second worker never sent while the first held its claim"
    assert stopped == []

    received = lrs.statement_ids
    assert [id for id, n in Counter(received).items() if n > 1] == []  # nobody sent one twice
    assert sorted(received) == sorted(row.statement_id for row in queued)  # nothing missing
    position = {row.statement_id: index for index, row in enumerate(queued)}
    per_learner: dict[str, list[int]] = defaultdict(list)
    for request in lrs.received:
        for statement in request.statements:
            per_learner[statement["actor"]["account"]["name"]].append(position[statement["id"]])
    assert len(per_learner) == LEARNERS
    for learner, order in per_learner.items():
        assert order == sorted(order), f"{learner}'s statements arrived out of order"
    db.session.expire_all()
    assert outbox_status().delivered == len(queued)


class HeldLrs:
    """An LRS that keeps the first request waiting until released; stores in answer order."""

    def __init__(self) -> None:
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        self.stored: list[str] = []
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, statements: list[dict[str, Any]]) -> int:
        with self.lock:
            self.calls += 1
            first = self.calls == 1
        if first:
            self.first_arrived.set()
            if not self.release.wait(DEADLINE_SECONDS):
                return 503
        with self.lock:
            self.stored.extend(statement["id"] for statement in statements)
        return 200


def in_thread(app: Flask, work: Any) -> threading.Thread:
    def run() -> None:
        with app.app_context():
            work()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_learner_waits_while_another_worker_sends_their_earlier_statements(
    xapi_app: Flask, lrs: FakeLrs, tmp_path: Path, clock: FrozenClock
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("workers share the outbox on PostgreSQL; on SQLite they take turns")
    configure_lrs(xapi_app, lrs.url)
    with_xapi(xapi_app, batch_size=3, timeout_seconds=120)
    version = publish_course(tmp_path)
    for _ in range(2):
        enrollment = study(make_user(), version, clock)
        take_quiz(enrollment, version, "kuis-siklus", clock, correct=False)
    ids = [row.statement_id for row in queue_order()]
    first, second = ids[:5], ids[5:]
    held = HeldLrs()
    lrs.answer = held
    db.session.commit()

    # Worker A claims the first learner's three oldest statements; the LRS holds its request.
    worker_a = in_thread(xapi_app, lambda: deliver_pending(limit=3))
    assert held.first_arrived.wait(DEADLINE_SECONDS)
    # Worker B sends the second learner's, but none of the first learner's later ones.
    worker_b = in_thread(xapi_app, deliver_pending)
    worker_b.join(DEADLINE_SECONDS)
    assert not worker_b.is_alive(), "worker B waited for worker A's locks"
    assert held.stored == second

    held.release.set()
    worker_a.join(DEADLINE_SECONDS)
    assert deliver_pending().delivered == 2
    assert held.stored == second + first  # the first learner's in order: 3, then 2


def queue_order() -> list[StatementOutbox]:
    return list(db.session.scalars(select(StatementOutbox).order_by(StatementOutbox.id)))
