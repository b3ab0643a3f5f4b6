"""Parallel test workers never share the PostgreSQL database or Redis number they empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import _postgres_url
from tests.xdist_isolation import worker_database_url, worker_redis_url


def test_outside_xdist_the_urls_are_used_as_given(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert worker_redis_url("redis://127.0.0.1:6379/3") == "redis://127.0.0.1:6379/3"
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    assert worker_database_url(url) == url


def test_each_worker_has_its_own_redis_number(monkeypatch: pytest.MonkeyPatch):
    numbers = []
    for worker in ("gw0", "gw1", "gw2"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        numbers.append(worker_redis_url("redis://127.0.0.1:6379/3"))
    assert numbers == [
        "redis://127.0.0.1:6379/3",
        "redis://127.0.0.1:6379/4",
        "redis://127.0.0.1:6379/5",
    ]
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    assert worker_redis_url("redis://127.0.0.1:6379") == "redis://127.0.0.1:6379/1"
    with pytest.raises(ValueError, match="Redis database 16"):
        worker_redis_url("redis://127.0.0.1:6379/15")


@pytest.fixture
def scratch_base() -> Iterator[str]:
    """A database name on the test server no one uses; its gw1 copy is dropped after."""
    server = make_url(_postgres_url())
    base = server.set(database=f"{server.database}_xdist_check")
    yield base.render_as_string(hide_password=False)
    engine = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{base.database}_gw1"')
    engine.dispose()


def test_each_worker_gets_its_own_postgresql_database(
    scratch_base: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    names = []
    for _ in range(2):  # the second time, the database is there already
        url = worker_database_url(scratch_base)
        engine = create_engine(url)
        with engine.connect() as connection:
            names.append(connection.scalar(text("SELECT current_database()")))
        engine.dispose()
    base = make_url(scratch_base).database
    assert names == [f"{base}_gw1", f"{base}_gw1"]
