"""Reads that may lag go to the streaming replica; everything else stays on the primary.

With ``DATABASE_REPLICA_URL`` set, the replica gets a second engine. A blueprint whose
requests may read slightly old data (dashboards, exports, API pulls, the xAPI export)
registers ``read_from_replica`` as its last ``before_request``; in those requests the session
sends plain SELECTs to the replica. Writes (an audit entry, a token's last use), locking reads
(``FOR UPDATE``), anything inside ``database.writes()`` and the signed-in user's own row
(loaded earlier, by the app-level hooks) stay on the primary, and so does every other request:
a learner who just enrolled sees the enrolment on their own pages at once (read-your-writes).
Commands and jobs that export wrap their reading in ``with replica_reads():``.
Without the setting there is one engine and nothing here does anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import Flask, current_app, g, has_request_context
from flask_sqlalchemy.session import Session
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

_EXTENSION_KEY = "elearn.replica"
# An unreachable replica host must cost a dashboard seconds, not the system's TCP timeout.
CONNECT_TIMEOUT_SECONDS = 3
_FLAG = "db_reads_replica"
_READS: ContextVar[bool] = ContextVar("elearn_replica_reads", default=False)


def init_replica(app: Flask) -> None:
    """Open the replica's engine when DATABASE_REPLICA_URL is set.

    A plain second engine rather than a Flask-SQLAlchemy bind: binds belong to models'
    metadata (``create_all`` would try to build tables on a read-only standby), and the
    replica holds the same tables as the primary, only read at other times.
    """
    url = str(app.config.get("DATABASE_REPLICA_URL") or "").strip()
    if not url:
        return
    connect_args = (
        {"connect_timeout": CONNECT_TIMEOUT_SECONDS} if url.startswith("postgres") else {}
    )
    app.extensions[_EXTENSION_KEY] = create_engine(
        url, pool_pre_ping=True, connect_args=connect_args
    )


def replica_engine(app: Flask) -> Engine | None:
    """The replica's engine of ``app``, or None without DATABASE_REPLICA_URL."""
    engine: Engine | None = app.extensions.get(_EXTENSION_KEY)
    return engine


def read_from_replica() -> None:
    """Send this request's plain reads to the replica; when it is down, stay on the primary.

    For a blueprint's ``before_request``. Outside requests (commands, jobs) use ``replica_reads``.
    """
    if _replica_reachable():
        setattr(g, _FLAG, True)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Send the plain reads inside the block to the replica (exports run as commands or jobs)."""
    token = _READS.set(_replica_reachable())
    try:
        yield
    finally:
        _READS.reset(token)


def _replica_reachable() -> bool:
    # The replica connection is opened here (pre-pinged by the pool), before anything is
    # read, so a replica that is down or unreachable is noticed while the whole request or
    # block can still fall back to the primary, with a warning instead of a 500.
    replica = replica_engine(current_app)
    if replica is None:
        return False
    session = current_app.extensions["sqlalchemy"].session
    try:
        session.connection(bind_arguments={"bind": replica})
    except DBAPIError as exc:
        session.rollback()
        current_app.logger.warning(
            "read replica unavailable, reading from the primary: %s", str(exc.orig).strip()
        )
        return False
    return True


def reads_from_replica() -> bool:
    """Tell whether plain reads go to the replica here (never inside ``database.writes()``)."""
    if not has_request_context():
        return _READS.get()
    if g.get("db_writes", False):
        return False
    return _READS.get() or bool(g.get(_FLAG, False))


def _plain_read(clause: Any) -> bool:
    # SELECT (also UNION and text().columns()), without FOR UPDATE; INSERT, UPDATE,
    # DELETE and bare text() may write and go to the primary.
    return bool(getattr(clause, "is_select", False)) and (
        getattr(clause, "_for_update_arg", None) is None
    )


class RoutingSession(Session):
    """The session of ``db``: plain reads of marked requests and blocks use the replica."""

    def get_bind(
        self,
        mapper: Any | None = None,
        clause: Any | None = None,
        bind: Engine | Connection | None = None,
        **kwargs: Any,
    ) -> Engine | Connection:
        if bind is None and not self._flushing and _plain_read(clause) and reads_from_replica():
            replica = replica_engine(current_app)
            if replica is not None:
                return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
