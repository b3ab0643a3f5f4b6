"""Reads that may lag go to the streaming replica; everything else stays on the primary.

With ``DATABASE_REPLICA_URL`` set, the replica gets a second engine. A blueprint whose
requests may read slightly old data (dashboards, exports, API pulls, the xAPI export)
registers ``read_from_replica`` as its last ``before_request``; in those requests the session
sends plain SELECTs to the replica. Writes (an audit entry, a token's last use), locking reads
(``FOR UPDATE``), anything inside ``database.writes()`` and the signed-in user's own row
(loaded earlier, by the app-level hooks) stay on the primary, and so does every other request:
a learner who just enrolled sees the enrolment on their own pages at once (read-your-writes).
Without the setting there is one engine and nothing here does anything.
"""

from __future__ import annotations

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

    The replica connection is opened here (pre-pinged by the pool), before the view reads
    anything, so a replica that is down or unreachable is noticed while the whole request
    can still fall back to the primary, with a warning instead of a 500.
    """
    database = current_app.extensions["sqlalchemy"]
    replica = replica_engine(current_app)
    if replica is None:
        return
    try:
        database.session.connection(bind_arguments={"bind": replica})
    except DBAPIError as exc:
        database.session.rollback()
        current_app.logger.warning(
            "read replica unavailable, reading from the primary: %s", str(exc.orig).strip()
        )
        return
    setattr(g, _FLAG, True)


def reads_from_replica() -> bool:
    """True while serving a request marked by ``read_from_replica`` outside ``writes()``."""
    return has_request_context() and g.get(_FLAG, False) and not g.get("db_writes", False)


def _plain_read(clause: Any) -> bool:
    # SELECT (also UNION and text().columns()), without FOR UPDATE; INSERT, UPDATE,
    # DELETE and bare text() may write and go to the primary.
    return bool(getattr(clause, "is_select", False)) and (
        getattr(clause, "_for_update_arg", None) is None
    )


class RoutingSession(Session):
    """The session of ``db``: plain reads of marked requests use the replica bind."""

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
