"""Page views and their transactions: on PostgreSQL reads run outside a block, writes inside
one; a page's write in place commits once or not at all; a rush of learners' visits comes out
exact on both databases."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from psycopg.pq import TransactionStatus
from sqlalchemy import event, insert, select, text
from sqlalchemy.exc import DBAPIError

from elearn.database import plain_read, write_in_place
from elearn.extensions import db
from elearn.models import (
    AuditEntry,
    CourseItem,
    Enrollment,
    ItemProgress,
    QuizAttempt,
    User,
)
from tests.conftest import FrozenClock
from tests.content.course_fixtures import QUIZ_MD
from tests.factories import make_user
from tests.learning.helpers import QUIZ_URL, Learner, engine_events, publish_course, sign_in

MODULE = "/learn/dasar-proyek/siklus"
IDLE = TransactionStatus.IDLE  # no transaction block open


@pytest.fixture
def postgresql(app: Flask) -> Flask:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's page views begin a deferred transaction (elearn/database.py)")
    return app


@pytest.fixture
def in_block() -> Iterator[list[tuple[str, bool]]]:
    """Each statement's first word, and whether it ran inside a transaction block."""
    seen: list[tuple[str, bool]] = []

    def note(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        status = connection.connection.dbapi_connection.info.transaction_status
        seen.append((statement.split()[0].upper(), status != IDLE))

    # Listens after the app's own hook, so it sees the block that hook opened.
    event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(db.engine, "before_cursor_execute", note)


def test_a_read_page_opens_no_transaction(postgresql: Flask, tmp_path: Path, in_block):
    publish_course(tmp_path)
    learner = sign_in(postgresql, name="Belajar")
    in_block.clear()

    for page in ("/courses/", "/me"):
        assert learner.client.get(page).status_code == 200
    assert in_block and not any(inside for _, inside in in_block), in_block


def test_a_page_notes_its_visit_in_one_statement_outside_a_block(
    postgresql: Flask, tmp_path: Path, in_block, clock: FrozenClock
):
    publish_course(tmp_path)
    learner = sign_in(postgresql, name="Belajar")
    learner.enroll()
    assert learner.client.get("/learn/dasar-proyek/kuis-siklus").status_code == 200
    clock.advance(minutes=2)
    in_block.clear()

    assert learner.client.get(MODULE).status_code == 200
    # The signed-in user, the study page, then the visit: the quiz landing's two minutes,
    # the module's first opening and the resume point, as one statement.
    assert [word for word, _ in in_block] == ["SELECT", "SELECT", "WITH"]
    assert not any(inside for _, inside in in_block)
    spent = db.session.scalars(select(ItemProgress.seconds_spent)).all()
    assert sorted(spent) == [0, 120]
    assert learner.client.get("/learn/dasar-proyek").headers["Location"] == MODULE


def test_only_a_visit_alone_commits_without_waiting_for_the_disk(
    postgresql: Flask, tmp_path: Path, clock: FrozenClock
):
    timed = QUIZ_MD.replace("max_attempts: 3\n", "max_attempts: 3\ntime_limit: 10\n")
    publish_course(tmp_path, **{"02-kuis-siklus.quiz.md": timed})
    learner = sign_in(postgresql, name="Belajar")
    learner.enroll()
    started = learner.post(f"{QUIZ_URL}/attempts", page=QUIZ_URL)
    assert started.status_code == 302
    clock.advance(hours=3)  # the attempt expired: the next view of the quiz submits it
    relaxed: list[bool] = []  # per statement asking for it: whether it ran alone
    at_commit: list[str] = []  # synchronous_commit as each transaction block commits

    def note(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "set_config" in statement:
            status = connection.connection.dbapi_connection.info.transaction_status
            relaxed.append(status == IDLE)

    def committed(connection: Any) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection.info.transaction_status != IDLE:
            row = dbapi_connection.execute("SHOW synchronous_commit").fetchone()
            at_commit.append(row[0])

    event.listen(db.engine, "before_cursor_execute", note)
    event.listen(db.engine, "commit", committed)
    try:
        for page in (QUIZ_URL, MODULE):
            assert learner.client.get(page).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
        event.remove(db.engine, "commit", committed)
    # The expired attempt's submission committed in a block, waiting for the disk; the
    # module's visit, alone, did not; the quiz's visit did whichever its place allowed.
    assert at_commit and set(at_commit) == {"on"}
    assert relaxed and all(relaxed)
    assert db.session.scalar(select(QuizAttempt.submitted_at)) is not None
    # Set for the visit's own transaction only: the connection is back to the default.
    assert db.session.execute(text("SHOW synchronous_commit")).scalar_one() == "on"


def test_a_rush_of_learners_each_get_their_own_visits_exactly(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    """Distinct learners open the quiz, then the module, all at once (both databases)."""
    publish_course(tmp_path)
    learners = [sign_in(app, name=f"Peserta {n}") for n in range(12)]
    for learner in learners:
        learner.enroll()
    db.session.commit()

    def rush(page: str) -> list[int]:
        barrier = threading.Barrier(len(learners))
        statuses: list[int] = []

        def view(learner: Learner) -> None:
            with app.app_context():  # each learner's browser is a client of its own
                barrier.wait()
                statuses.append(learner.client.get(page).status_code)

        threads = [threading.Thread(target=view, args=(one,)) for one in learners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return statuses

    assert rush(QUIZ_URL) == [200] * len(learners)
    clock.advance(minutes=2)
    assert rush(MODULE) == [200] * len(learners)

    db.session.expire_all()
    rows = db.session.execute(
        select(Enrollment.user_id, CourseItem.name, ItemProgress.seconds_spent)
        .join(ItemProgress, ItemProgress.enrollment_id == Enrollment.id)
        .join(CourseItem, CourseItem.id == ItemProgress.item_id)
    ).all()
    for learner in learners:
        mine = {name: spent for user_id, name, spent in rows if user_id == learner.user.id}
        assert mine == {"kuis-siklus": 120, "siklus": 0}, learner.user.full_name
    resume = db.session.scalars(select(CourseItem.name).join(
        Enrollment, Enrollment.last_item_id == CourseItem.id)).all()  # fmt: skip
    assert resume == ["siklus"] * len(learners)


def test_a_page_views_writes_roll_back_together(postgresql: Flask):
    with postgresql.test_request_context("/", method="GET"):
        assert db.session.execute(select(AuditEntry.id)).all() == []  # read in autocommit
        db.session.execute(insert(AuditEntry).values(action="test.first", filters={}))
        with pytest.raises(DBAPIError):  # the page's second write fails
            db.session.execute(text("UPDATE audit_entry SET row_count = 1 / 0"))
        db.session.rollback()
        db.session.remove()
    assert db.session.scalars(select(AuditEntry.action)).all() == []


@pytest.mark.parametrize(
    ("statement", "plain"),
    [
        ("SELECT user_account.id, enrollment.updated_at FROM enrollment", True),
        ("WITH RECURSIVE unit_root(unit_id) AS (SELECT unit.id FROM unit) SELECT 1", True),
        ("  SELECT count(*) FROM quiz_attempt", True),
        ("SELECT statement_outbox.id FROM statement_outbox FOR UPDATE SKIP LOCKED", False),
        ("SELECT job.id FROM job FOR NO KEY UPDATE", False),
        ("SELECT unit.id FROM unit FOR KEY SHARE", False),
        (
            "WITH y AS (INSERT INTO learner_jp_year (user_id) VALUES (1) RETURNING 1) SELECT 1",
            False,
        ),
        ("SELECT set_config('TimeZone', 'Asia/Makassar', true)", False),
        ("SELECT pg_advisory_xact_lock(42)", False),
        ("SELECT nextval('certificate_id_seq')", False),
        ("UPDATE enrollment SET last_seen_at = now()", False),
        ("SAVEPOINT sa_savepoint_1", False),
        ("COPY (SELECT 1) TO STDOUT", False),
    ],
)
def test_only_plain_reads_run_outside_a_transaction_block(statement: str, plain: bool):
    assert plain_read(statement) is plain


def _rename(user_id: int, name: str) -> Any:
    """Work for ``write_in_place``: rename a user (a write), as a page's visit writes."""

    def work(connection: Any) -> None:
        connection.execute(
            text("UPDATE user_account SET full_name = :name WHERE id = :id"),
            {"name": name, "id": user_id},
        )

    return work


def _name_seen_elsewhere(user_id: int) -> str:
    """The user's name as another connection reads it: what was committed."""
    with db.engine.connect() as other:
        query = text("SELECT full_name FROM user_account WHERE id = :id")
        return str(other.execute(query, {"id": user_id}).scalar_one())


def test_a_page_write_in_place_is_committed_once(app: Flask):
    """``write_in_place`` in a page view, after the page read: written and committed once."""
    user_id = make_user(name="Lama").id
    db.session.commit()  # and nothing read after it: outside a request that would hold the lock
    with app.test_request_context("/learn/x/y"), engine_events("commit") as commits:
        assert db.session.scalar(select(User.full_name).where(User.id == user_id)) == "Lama"
        write_in_place(_rename(user_id, "Baru"))
    assert _name_seen_elsewhere(user_id) == "Baru"
    assert len(commits) == 1


def test_a_page_write_in_place_that_fails_leaves_nothing(app: Flask):
    """Work that fails after its first statement is rolled back whole, and its error raised."""
    user_id = make_user(name="Lama").id
    db.session.commit()  # and nothing read after it: outside a request that would hold the lock

    def rename_then_fail(connection: Any) -> None:
        _rename(user_id, "Baru")(connection)
        raise RuntimeError("the second step failed")

    with app.test_request_context("/learn/x/y"):
        db.session.scalar(select(User.full_name).where(User.id == user_id))
        with pytest.raises(RuntimeError, match="second step"):
            write_in_place(rename_then_fail)
        db.session.commit()  # whatever the view commits later does not carry the failed work
    assert _name_seen_elsewhere(user_id) == "Lama"
