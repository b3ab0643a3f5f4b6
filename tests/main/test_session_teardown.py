"""A connection the database dropped during a request does not turn the answer into a 500.

Found by benchmarks/cluster.py: with PostgreSQL stopping, the end-of-request rollback of a
page's read transaction raised from the session teardown, after every error handler, and
gunicorn answered its bare "Internal Server Error" in place of the page already built.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from elearn.extensions import db


@pytest.mark.parametrize(
    ("statement", "open_block"),
    [
        # A page that only read: it reads in autocommit, so no transaction is left to end.
        ("SELECT pg_backend_pid()", False),
        # A page that wrote opened a transaction block; ending it meets the dead connection.
        ("UPDATE unit SET name = name WHERE false RETURNING 1", True),
    ],
)
def test_a_connection_terminated_mid_request_still_gets_the_built_answer(
    app: Flask, caplog: pytest.LogCaptureFixture, statement: str, open_block: bool
) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server that can terminate a connection")

    @app.get("/_test/terminated")
    def terminated() -> str:
        db.session.execute(text(statement))
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        # What a fast shutdown of PostgreSQL does to every backend: end it under the request.
        killer = create_engine(db.engine.url)
        with killer.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killer.dispose()
        return "halaman sudah jadi"

    response = app.test_client().get("/_test/terminated")

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "halaman sudah jadi"
    noticed = "database connection lost at the end of a request" in caplog.text
    assert noticed is open_block
    # The next checkout gets a fresh connection from the pool (its pre-ping finds the dead
    # one when no rollback did).
    assert db.session.execute(text("SELECT 1")).scalar_one() == 1
