"""Run a benchmark's SQL seed script on PostgreSQL and leave the tables ready to query."""

from __future__ import annotations

from collections.abc import Sequence

from elearn.extensions import db


def run_seed_sql(sql: str, tables: Sequence[str]) -> None:
    """Run ``sql`` (statements ending in ";\\n") in one transaction, then VACUUM ANALYZE.

    The id sequences of ``tables`` move past the seeded rows, so rows the app inserts
    later (reminders, jobs, audit entries) get ids of their own.
    """
    with db.engine.begin() as connection:
        for statement in sql.split(";\n"):
            if statement.strip():
                connection.exec_driver_sql(statement.replace("%", "%%"))
        for table in tables:
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"  # noqa: S608
            )
    # Fresh statistics: the benchmarks time the plans the data deserves.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
