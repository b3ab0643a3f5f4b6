"""Shared fixtures: an app per test on SQLite and, when configured, PostgreSQL.

Set TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)
to run every database test on PostgreSQL too; without it those runs skip.
REQUIRE_POSTGRES=1 (set by .ci/run) turns that skip into a failure. TEST_REDIS_URL
(e.g. redis://127.0.0.1:6379/3) enables the job worker tests; REQUIRE_REDIS=1 likewise.

Under pytest-xdist (``-n 2``, see the Makefile) each worker gets its own of both, since
tests empty them: worker ``gwN`` uses the database ``<name>_gwN`` on the same server
(created on first use) and the Redis database number ``<n> + N``. See tests/xdist_isolation.py.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from werkzeug.test import TestResponse

from config import TestConfig
from elearn import create_app
from elearn.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.testdata import SHARED_TESTDATA
from tests.xdist_isolation import worker_database_url, worker_redis_url


@functools.cache
def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is empty")
        pytest.skip("PostgreSQL run skipped: TEST_DATABASE_URL is not set")
    try:
        url = worker_database_url(url)
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL not reachable at TEST_DATABASE_URL: {exc}")
        pytest.skip(f"PostgreSQL run skipped: not reachable ({type(exc).__name__})")
    return url


def redis_url() -> str:
    """TEST_REDIS_URL (its database is emptied by the tests that use it), or skip.

    REQUIRE_REDIS=1 turns the skip into a failure, as REQUIRE_POSTGRES does. Under
    xdist, the worker's own database number (see tests/xdist_isolation.py).
    """
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail("REQUIRE_REDIS is set but TEST_REDIS_URL is empty")
        pytest.skip("Redis run skipped: TEST_REDIS_URL is not set")
    url = worker_redis_url(url)
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"Redis not reachable at TEST_REDIS_URL: {exc}")
        pytest.skip(f"Redis run skipped: not reachable ({type(exc).__name__})")
    finally:
        client.close()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database URL for one run of a test: a fresh SQLite file, or PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    return _postgres_url()


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context.

    Tests run inside an app context (for factories); without this, requests
    would share it, and with it ``g``, the signed-in user and the DB session.
    """

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        # End the test's own transaction, as a separate process would have.
        db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """An application with an empty schema, inside an app context."""
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url})
    application = create_app(config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        if db.engine.dialect.name == "sqlite":  # a new file per test
            db.create_all()
        else:
            _empty_shared_schema()
        yield application
        db.session.remove()
        db.engine.dispose()


# What the schema is made of (columns, indexes, constraints, enum labels), as one hash:
# equal to the one taken after our own create_all means nobody changed the schema since.
_SCHEMA_FINGERPRINT = text(
    """
    SELECT md5(coalesce(string_agg(part, ',' ORDER BY part), '')) FROM (
      SELECT concat_ws(':', table_name, column_name, data_type, is_nullable, column_default)
        AS part FROM information_schema.columns WHERE table_schema = current_schema()
      UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()
      UNION ALL SELECT concat_ws(':', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = current_schema()
      UNION ALL SELECT concat_ws(':', t.typname, e.enumlabel, e.enumsortorder)
        FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
        JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = current_schema()
    ) AS parts
    """
)
_RESTART_SEQUENCES = text(
    "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
)
_built_schema: dict[str, str] = {}  # database URL -> fingerprint right after create_all


def _empty_shared_schema() -> None:
    """Leave the shared PostgreSQL database with our schema and no rows, ids from 1.

    Dropping and creating every table costs ~0.35 s a test (~6 minutes of CI); when the
    schema is still the one we built, deleting the rows does the same in ~25 ms. A test
    that changed the schema (the migration tests) makes the fingerprint differ, and the
    next test rebuilds from scratch.
    """
    url = db.engine.url.render_as_string(hide_password=False)
    with db.engine.begin() as connection:
        if _built_schema.get(url) == connection.execute(_SCHEMA_FINGERPRINT).scalar_one():
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
            connection.execute(_RESTART_SEQUENCES)
            return
    db.drop_all()
    with db.engine.begin() as connection:
        # Left by a migration test; not in the models' metadata.
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    db.create_all()
    with db.engine.connect() as connection:
        _built_schema[url] = connection.execute(_SCHEMA_FINGERPRINT).scalar_one()


def sqlite_app(path: Path, **settings: object) -> Iterator[Flask]:
    """Yield an app on a fresh SQLite file with ``settings`` over TestConfig, in its context."""
    config = type(
        "Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", **settings}
    )
    application = create_app(config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def limited_app(tmp_path: Path) -> Iterator[Flask]:
    """An app (SQLite) with rate limiting switched on, as in production."""
    yield from sqlite_app(tmp_path / "limited.sqlite", RATELIMIT_ENABLED=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for ``app``'s flask commands."""
    return app.test_cli_runner()


CSRF_FIELD = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def without_csrf_tokens(page: str) -> str:
    """``page`` with every CSRF field's token blanked: a token carries the second it was
    signed in, so two GETs of one page a second apart differ there."""
    return CSRF_FIELD.sub('name="csrf_token" value=""', page)


def csrf_token(client: FlaskClient, url: str = "/login") -> str:
    """Fetch ``url`` and return the CSRF token its form carries."""
    page = client.get(url).get_data(as_text=True)
    match = CSRF_FIELD.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


class FrozenClock:
    """A clock tests move by hand; patched into elearn.clock.now."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    """Freeze elearn's notion of now at 2026-03-02 08:00 UTC."""
    frozen = FrozenClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    monkeypatch.setattr("elearn.clock.now", frozen)
    return frozen


def run_in_parallel(app: Flask, count: int, work: Callable[[], object]) -> list[BaseException]:
    """Run ``work`` in ``count`` threads released together, each in its own app context."""
    db.session.commit()  # the test's own transaction would hold SQLite's write lock
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run() -> None:
        with app.app_context():
            try:
                barrier.wait()
                work()
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported to the test
                errors.append(exc)
                db.session.rollback()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


class AuthActions:
    """Sign in and out through the real login form."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, login: str, password: str = DEFAULT_PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
        token = csrf_token(self._client, "/login")
        data = {"login": login, "password": password, "csrf_token": token, **extra}
        return self._client.post("/login", data=data)

    def logout(self):  # type: ignore[no-untyped-def]
        token = csrf_token(self._client, "/")
        return self._client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    """Sign-in helpers bound to ``client``."""
    return AuthActions(client)


__all__ = ["SHARED_TESTDATA", "csrf_token", "make_user"]
