"""Database binding: SQLite gets WAL, foreign keys, a busy timeout and two kinds of BEGIN;
PostgreSQL page views read in autocommit and open a transaction at their first write."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, g, has_request_context, request
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from elearn.extensions import db
from elearn.replica import init_replica

logger = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 15000
# A statement a page may run outside a transaction block: a SELECT (or WITH … SELECT) that
# writes nothing, locks nothing and sets nothing for "the rest of the transaction". The
# keywords are SQLAlchemy's, which it writes in capitals; a false match only costs a BEGIN.
_PLAIN_READ = re.compile(r"\s*(SELECT|WITH)\b")
_NOT_PLAIN = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|SHARE)\b|set_config|advisory|nextval")
# The execution option of a write that is the whole of its transaction (one statement is
# atomic by itself): a page view that runs it alone needs no transaction block for it.
_WHOLE = "elearn_whole_transaction"
WHOLE_TRANSACTION = {_WHOLE: True}


def init_database(app: Flask) -> None:
    """Bind SQLAlchemy (and the read replica, if any) and tune SQLite connections as they open."""
    init_replica(app)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        options.setdefault("connect_args", {"timeout": 15})
        options.pop("pool_pre_ping", None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    # Registered after Flask-SQLAlchemy's, so it runs first (teardowns run in reverse).
    app.teardown_appcontext(_remove_session)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _tune_sqlite)
            event.listen(db.engine, "begin", _begin_sqlite)
        elif db.engine.dialect.name == "postgresql":
            event.listen(db.engine, "engine_connect", _autocommit_page_reads)
            event.listen(db.engine, "before_cursor_execute", _begin_before_writing)


def _remove_session(_error: BaseException | None) -> None:
    """End the session; a connection the database has dropped is discarded, not rolled back.

    When PostgreSQL stops, the rollback of a request's open transaction raises. Raised from
    Flask-SQLAlchemy's teardown, which runs after every error handler, it would make the server
    answer its bare 500 instead of the response already built (benchmarks/cluster.py).
    """
    from elearn.main.errors import database_unavailable, one_line

    try:
        db.session.remove()
    except DBAPIError as error:
        if not database_unavailable(error):
            raise
        logger.warning("database connection lost at the end of a request: %s", one_line(error))
        try:
            db.session().invalidate()  # drops the connection without the rollback that failed
        finally:
            db.session.registry.clear()


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module's own transaction handling breaks SAVEPOINT; we let
    # SQLAlchemy emit BEGIN itself (the recipe from SQLAlchemy's SQLite docs).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # WAL lets readers go on while one writer commits; in-memory DBs ignore it.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def reads_only() -> bool:
    """True while serving a GET/HEAD that has not asked to write (see ``writes``)."""
    return (
        has_request_context() and request.method in READ_METHODS and not g.get("db_writes", False)
    )


def _begin_sqlite(connection: Any) -> None:
    # A deferred transaction that reads, then writes after another request
    # committed, fails at once with "database is locked" (a stale WAL snapshot).
    # So everything that may write (POST and friends, the CLI, services called
    # outside a request) takes the write lock up front with IMMEDIATE and waits
    # its turn; page views begin deferred and never queue behind writers.
    if reads_only():
        # Straight to the DBAPI connection: a full SQLAlchemy execution of BEGIN cost ~5 %
        # of a signed-in page. A deferred BEGIN takes no lock, so it neither waits nor fails
        # for another writer; the events and error wrapping of exec_driver_sql buy nothing.
        connection.connection.dbapi_connection.execute("BEGIN")
        return
    wait_ms = g.get("db_write_wait_ms") if has_request_context() else None
    _set_busy_timeout(connection, BUSY_TIMEOUT_MS if wait_ms is None else int(wait_ms))
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _set_busy_timeout(connection: Any, milliseconds: int) -> None:
    # The pooled connection remembers its setting, so a run of page views (or
    # of form posts) sends no PRAGMA at all.
    if connection.info.get("busy_timeout", BUSY_TIMEOUT_MS) != milliseconds:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={milliseconds}")
        connection.info["busy_timeout"] = milliseconds


def _autocommit_page_reads(connection: Connection) -> None:
    # A page view's reads need no transaction block on PostgreSQL: under READ COMMITTED each
    # statement takes its own snapshot inside one anyway. Without it the page saves the BEGIN
    # and the ROLLBACK that ends it, two of its four or five round trips. The first statement
    # that is not a plain read opens the block (_begin_before_writing), so a page's writes
    # stay one transaction. The pool puts the connection back in its usual mode on return.
    if reads_only():
        connection.execution_options(isolation_level="AUTOCOMMIT")


def _begin_before_writing(
    connection: Connection, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
) -> None:
    # Runs before every statement on PostgreSQL: POSTs, jobs and a block already open leave
    # at the first check, before the statement's text is looked at.
    if not runs_alone(connection):
        return
    options = context.execution_options if context is not None else {}
    if options.get(_WHOLE):
        return
    # A server-side cursor (yield_per) lives in a transaction block too.
    if options.get("stream_results") or not plain_read(statement):
        _begin(connection)


def plain_read(statement: str) -> bool:
    """Whether ``statement`` may run outside a transaction block without changing its effect."""
    return bool(_PLAIN_READ.match(statement)) and not _NOT_PLAIN.search(statement)


def runs_alone(connection: Connection) -> bool:
    """Whether a statement run now on ``connection`` is a transaction of its own.

    True on a page view's autocommit connection while no write has opened a block; then a
    write may choose its own durability without touching anyone else's.
    """
    dbapi_connection: Any = connection.connection.dbapi_connection
    return bool(getattr(dbapi_connection, "autocommit", False)) and (
        dbapi_connection.info.transaction_status == TransactionStatus.IDLE
    )


def ensure_transaction(connection: Connection) -> None:
    """Open a transaction block on a page's autocommit connection, if none is open.

    For work that must share one transaction whatever runs it: the writes of a page view
    (done for every statement SQLAlchemy runs), or a DBAPI cursor used directly, as the CSV
    export's COPY with its transaction-local time zone. Elsewhere it does nothing.
    """
    if runs_alone(connection):
        _begin(connection)


def _begin(connection: Connection) -> None:
    # SQLAlchemy's commit and rollback reach psycopg's, which end the block it finds open
    # whatever the mode (they look at the server's transaction status).
    dbapi_connection: Any = connection.connection.dbapi_connection
    dbapi_connection.execute("BEGIN")


@contextmanager
def writes(wait_ms: int | None = None) -> Iterator[None]:
    """Run the block in a transaction that may write, committed at the end.

    On SQLite this ends the page's read transaction first, so the write begins
    IMMEDIATE (waiting for the lock) instead of upgrading a stale read snapshot.
    ``wait_ms`` bounds that wait (SQLite only): past it the block raises
    OperationalError, for writes a page may skip. PostgreSQL has no such snapshot
    to go stale (rows are locked as they are written), so there the block joins
    the page's connection: its first write opens the transaction
    (``_begin_before_writing``), a commit and a BEGIN fewer, two round trips a visit.
    """
    if db.engine.dialect.name == "sqlite":
        db.session.commit()
    else:
        # What the commit did besides ending the transaction: the block reads fresh rows.
        db.session.expire_all()
    request_bound = has_request_context()
    had = (g.get("db_writes", False), g.get("db_write_wait_ms")) if request_bound else None
    if request_bound:
        g.db_writes, g.db_write_wait_ms = True, wait_ms
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        if had is not None:
            g.db_writes, g.db_write_wait_ms = had


def write_in_place(work: Callable[[Connection], None], wait_ms: int | None = None) -> None:
    """Run ``work`` on the session's connection and commit, in the page's own transaction if it can.

    A page view on SQLite reads in a deferred transaction. When no other write has
    committed since its first read, SQLite lets that transaction take the write lock
    itself; when it cannot, it says so at once, without waiting ("database is locked",
    the transaction left as it was). Taken in place, the write needs neither the commit
    that ends the reads nor a BEGIN IMMEDIATE of its own, and it writes from exactly what
    the page read. Refused, the transaction is rolled back (the session's objects expire)
    and ``work`` runs again as ``writes`` runs it, so it must hold statements only.
    Elsewhere (PostgreSQL, a request that already writes) it is ``writes``.
    """
    if db.engine.dialect.name == "sqlite" and reads_only():
        try:
            work(db.session.connection())
            db.session.commit()
            return
        except BaseException as exc:
            # Whatever failed, nothing of ``work`` stays: also when a later statement was
            # refused after the first took the lock (never seen), so nothing is written twice.
            db.session.rollback()
            if not (isinstance(exc, OperationalError) and _stale_snapshot(exc)):
                raise
    with writes(wait_ms):
        work(db.session.connection())


def _stale_snapshot(exc: OperationalError) -> bool:
    return "database is locked" in str(exc.orig) or "database is busy" in str(exc.orig)


def retry_as_writer(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run a page view again with IMMEDIATE when its deferred transaction could not write.

    Some page views write now and then (an expired quiz attempt is submitted, an
    API token's last use is noted); when such a write meets a stale snapshot the
    view is retried once, this time holding the write lock from the start.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except OperationalError as exc:
            if not reads_only() or not _stale_snapshot(exc):
                raise
            db.session.rollback()
            g.db_writes = True
            return view(*args, **kwargs)

    return wrapper


def retry_page_views(app: Flask) -> None:
    """Wrap every view so a GET that writes survives SQLite's stale-snapshot error."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    for endpoint, view in list(app.view_functions.items()):
        app.view_functions[endpoint] = retry_as_writer(view)
