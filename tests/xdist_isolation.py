"""What each pytest-xdist worker has of its own: a PostgreSQL database and a Redis number.

Tests empty the database and the Redis database they are given (tests/conftest.py), so two
workers on one of either would delete each other's rows and queues mid-test. Worker ``gwN``
(PYTEST_XDIST_WORKER) gets ``<database>_gwN`` on TEST_DATABASE_URL's server, created on
first use, and Redis database ``<n> + N`` of TEST_REDIS_URL. Every worker, gw0 included,
takes a suffix: a parallel run never touches the database a serial run (or a developer's
shell) uses, and a database left by a run says which worker made it. Without xdist the
URLs are used as given.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REDIS_DATABASES = 16  # Redis's default `databases`; numbers run 0..15


def xdist_worker() -> str | None:
    """The xdist worker id (``gw0``, ``gw1``…), or None outside xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER") or None


def worker_index() -> int:
    """This worker's number (0 outside xdist)."""
    worker = xdist_worker()
    return int(worker.removeprefix("gw")) if worker else 0


def worker_database_url(url: str) -> str:
    """``url`` itself, or under xdist the worker's own database beside it (created if missing)."""
    worker = xdist_worker()
    if worker is None:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                quoted = connection.dialect.identifier_preparer.quote(name)
                connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
    finally:
        server.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def worker_redis_url(url: str) -> str:
    """``url`` itself, or under xdist the same server with database number ``<n> + index``."""
    if xdist_worker() is None:
        return url
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) + worker_index()
    if number >= REDIS_DATABASES:
        raise ValueError(
            f"xdist worker {xdist_worker()} would use Redis database {number} of {url}; "
            f"give TEST_REDIS_URL a number that leaves one per worker below {REDIS_DATABASES}"
        )
    return urlunsplit(parts._replace(path=f"/{number}"))
