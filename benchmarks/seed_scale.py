"""Fill an empty database with N learners × M enrolments for the reporting benchmarks.

Run: .venv/bin/python benchmarks/seed_scale.py DATABASE_URL --learners 1000000 --per-learner 10

The schema is migrated first (``flask db upgrade``) when the database is empty; a database
that already has learners is refused. Units and courses go through the application's services
(the sample courses in courses/, copies under other slugs, a second version of one); learners,
enrolments (~60 % completed), quiz attempts (real papers and scores), certificates, evaluations
and verified external trainings are loaded in bulk: PostgreSQL COPY (one stream per table,
fed while the next rows are generated) with foreign-key triggers off and secondary indexes
built afterwards, SQLite executemany in large transactions. The rollups (elearn/models/rollup.py)
are then computed by SQL aggregation over the loaded rows, except the two score rollups: those
are summed from the paper templates each attempt was drawn from (expanding 15 M attempts' JSON
results in SQL took longer than the whole load).

Certificates: the first ``--signed`` payloads (default 20,000) are signed for real with the
deployment's key; Ed25519 costs ~0.1 ms here, so later certificates reuse the last signature
(their verification page reports them as not genuine). Row counts and the time are printed last.
"""

# ruff: noqa: S608 - every statement is built from this file's constants, never from input

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import current_app  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from psycopg.copy import QueuedLibpqWriter  # noqa: E402
from sqlalchemy import func, inspect, select, text  # noqa: E402
from sqlalchemy.schema import CreateIndex  # noqa: E402

from benchmarks.copy_text import copy_text  # noqa: E402
from benchmarks.seed_data import (  # noqa: E402
    COLUMNS,
    ROLLUP_COLUMNS,
    Counters,
    Plan,
    Signer,
    build_units,
    chunks,
    load_versions,
    publish_catalogue,
    score_rollups,
    span_score_rollups,
)
from config import Config  # noqa: E402
from elearn import create_app  # noqa: E402
from elearn.certificates.keys import current_key_id, signing_key  # noqa: E402
from elearn.extensions import db  # noqa: E402
from elearn.models import Base, Unit, User  # noqa: E402
from elearn.reports.rollups import nodes_by_unit  # noqa: E402

CHUNK = 1_000  # learners per batch: ~25 MB of COPY text, so the server starts early
ROLLUPS = (
    "enrollment_month_count",
    "learner_jp_year",
    "quiz_score_count",
    "question_score_count",
    *("enrollment_span_count", "score_span_count"),
    *("course_evaluation_count", "learner_jp_total", "unit_user_count", "jp_band_count"),
)

# Per dialect: the UTC month and year of a timestamp, and the elements of a JSON array.
SQL = {
    "postgresql": {
        "month": "date_trunc('month', {} AT TIME ZONE 'UTC')::date",
        "year": "extract(year FROM {} AT TIME ZONE 'UTC')::int",
        "elements": "CROSS JOIN LATERAL json_array_elements(a.results) AS r(value)",
        "field": "(r.value ->> '{}')::boolean",
        "key": "r.value ->> 'key'",
        "true": "true",
    },
    "sqlite": {
        "month": "date({}, 'start of month')",
        "year": "CAST(strftime('%Y', {}) AS INTEGER)",
        "elements": "CROSS JOIN json_each(a.results) AS r",
        "field": "json_extract(r.value, '$.{}')",
        "key": "json_extract(r.value, '$.key')",
        "true": "1",
    },
}


def rollup_statements(dialect: str) -> list[str]:
    """INSERT … SELECT statements for the enrolment, JP and certificate-number rollups.

    The score rollups come from seed_data.score_rollups (counted while generating); the
    statements of score_rollup_statements compute the same from the rows, for a database
    seeded before they existed.
    """
    d = SQL[dialect]
    month_e, month_c = d["month"].format("e.enrolled_at"), d["month"].format("e.completed_at")
    done = "CASE WHEN e.completed_at IS NULL THEN 0 ELSE 1 END"
    learner = "JOIN user_account u ON u.id = e.user_id"
    return [
        f"""INSERT INTO enrollment_month_count
              (unit_id, version_id, month, enrolled, enrolled_completed, completed)
            SELECT unit_id, version_id, month, sum(n), sum(nc), sum(c) FROM (
              SELECT u.unit_id, e.version_id, {month_e} AS month, 1 AS n, {done} AS nc, 0 AS c
              FROM enrollment e {learner}
              UNION ALL
              SELECT u.unit_id, e.version_id, {month_c}, 0, 0, 1
              FROM enrollment e {learner} WHERE e.completed_at IS NOT NULL
            ) AS t GROUP BY unit_id, version_id, month""",
        # Revoked certificates take their JP off again (rollups.certificate_revoked).
        f"""INSERT INTO learner_jp_year (user_id, year, jp)
            SELECT e.user_id, {d["year"].format("e.completed_at")}, sum(v.jp)
            FROM enrollment e JOIN course_version v ON v.id = e.version_id
            LEFT JOIN certificate c ON c.enrollment_id = e.id AND c.revoked_at IS NOT NULL
            WHERE e.completed_at IS NOT NULL AND c.id IS NULL
            GROUP BY e.user_id, {d["year"].format("e.completed_at")}""",
        """INSERT INTO certificate_counter (year, last_sequence)
            SELECT year, max(sequence) FROM certificate GROUP BY year""",
    ]


def people_rollup_statements(dialect: str) -> list[str]:
    """The survey, account and JP band rollups, by the SQL their migration backfills with.

    The accounts and surveys created through the ORM before the bulk load were already
    counted by elearn.reports.learner_rollups; the tables are emptied and counted whole.
    """
    path = ROOT / "migrations" / "versions" / "0009_people_rollups.py"
    spec = importlib.util.spec_from_file_location("people_rollups_migration", path)
    assert spec is not None and spec.loader is not None  # noqa: S101 - a file of this repository
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    tables = ("jp_band_count", "unit_user_count", "learner_jp_total", "course_evaluation_count")
    return [*(f"DELETE FROM {table}" for table in tables), *migration.backfill(dialect)]


def _migration(name: str) -> Any:
    path = ROOT / "migrations" / "versions" / name
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None  # noqa: S101 - a file of this repository
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


def span_rollup_statements(dialect: str) -> list[str]:
    """enrollment_span_count by its migration's backfill (the score spans are summed from
    the paper templates, seed_data.span_score_rollups)."""
    backfill = _migration("0014_span_rollups.py").backfill
    return ["DELETE FROM enrollment_span_count", *backfill(dialect, scores=False)]


def score_rollup_statements(dialect: str) -> list[str]:
    """INSERT … SELECT statements filling quiz_score_count and question_score_count."""
    d = SQL[dialect]
    scored = f"COALESCE({d['field'].format('scored')}, {d['true']})"
    correct = f"CASE WHEN {d['field'].format('correct')} THEN 1 ELSE 0 END"
    learner = "JOIN user_account u ON u.id = e.user_id"
    done = "e.completed_at IS NOT NULL"
    return [
        f"""INSERT INTO quiz_score_count (unit_id, version_id, quiz, completed, score, attempts)
            SELECT u.unit_id, e.version_id, i.title, {done}, COALESCE(a.score, 0), count(*)
            FROM quiz_attempt a JOIN enrollment e ON e.id = a.enrollment_id {learner}
            JOIN course_item i ON i.id = a.item_id
            WHERE a.submitted_at IS NOT NULL
            GROUP BY u.unit_id, e.version_id, i.title, {done}, COALESCE(a.score, 0)""",
        f"""INSERT INTO question_score_count
              (unit_id, version_id, quiz, question_key, completed, score, answered, correct)
            SELECT u.unit_id, e.version_id, i.title, {d["key"]}, {done}, COALESCE(a.score, 0),
                   count(*), sum({correct})
            FROM quiz_attempt a {d["elements"]}
            JOIN enrollment e ON e.id = a.enrollment_id {learner}
            JOIN course_item i ON i.id = a.item_id
            WHERE a.submitted_at IS NOT NULL AND {scored}
            GROUP BY u.unit_id, e.version_id, i.title, {d["key"]}, {done}, COALESCE(a.score, 0)""",
    ]


def revocations(dialect: str, every: int) -> str:
    """One certificate in ``every`` revoked a day after issue."""
    later = "issued_at + interval '1 day'" if dialect == "postgresql" else "issued_at"
    return (
        f"UPDATE certificate SET revoked_at = {later}, revoked_reason = 'Salah peserta' "
        f"WHERE id % {int(every)} = 0"
    )


class Loader:
    """Writes batches of tuples per table through the driver connection, fast.

    PostgreSQL: one COPY per table, each on its own connection and open for the whole load,
    fed through psycopg's QueuedLibpqWriter, so the server ingests one batch while this
    process generates and formats the next (2 cores: one each). The rows are formatted by
    benchmarks/copy_text.py. SQLite: executemany per batch.
    """

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.raw = self._connect()
        self.conn: Any = self.raw.driver_connection
        self.indexes = [
            index
            for table in Base.metadata.sorted_tables
            if table.name in COLUMNS
            for index in table.indexes
        ]
        self.streams: dict[str, Any] = {}
        self.stack = contextlib.ExitStack()

    def _connect(self) -> Any:
        raw = db.engine.raw_connection()
        conn: Any = raw.driver_connection
        cursor = conn.cursor()
        if self.dialect == "postgresql":
            cursor.execute("SET TIME ZONE 'UTC'")  # the timestamps are UTC text
            cursor.execute("SET session_replication_role = replica")  # no FK triggers
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET work_mem = '256MB'")  # the rollups' aggregates in memory
        else:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -500000")
        conn.commit()
        return raw

    def execute(self, sql: str) -> None:
        cursor = self.conn.cursor()
        cursor.execute(sql)
        self.conn.commit()

    def settle(self) -> None:
        """Statistics for the planner and, on PostgreSQL, the visibility map.

        A running deployment's autovacuum sets the visibility map within minutes of a bulk
        load; until then index-only counts visit the heap (the dashboard's month edges:
        696 ms at 1,000,000 × 10 right after the load, 37 ms once vacuumed), so the
        benchmarks would measure the minutes after a restore, not the steady state.
        """
        if self.dialect != "postgresql":
            self.execute("ANALYZE")
            return
        self.conn.autocommit = True  # VACUUM cannot run inside a transaction
        self.conn.cursor().execute("VACUUM (ANALYZE)")
        self.conn.autocommit = False

    def drop_indexes(self) -> None:
        for index in self.indexes:
            self.execute(f"DROP INDEX {index.name}")

    def create_indexes(self) -> None:
        for index in self.indexes:
            self.execute(str(CreateIndex(index).compile(dialect=db.engine.dialect)))

    def _stream(self, table: str, names: list[str]) -> Any:
        if table not in self.streams:
            raw = self._connect()
            self.stack.callback(raw.close)
            conn: Any = raw.driver_connection
            cursor = conn.cursor()
            sql = f"COPY {table} ({', '.join(names)}) FROM STDIN"
            self.stack.callback(conn.commit)  # runs after the COPY below has ended
            self.streams[table] = self.stack.enter_context(
                cursor.copy(sql, writer=QueuedLibpqWriter(cursor))
            )
        return self.streams[table]

    def write(self, rows: dict[str, list[tuple[Any, ...]]], columns: dict[str, str]) -> None:
        for table, batch in rows.items():
            if not batch:
                continue
            names = columns[table].split()
            if self.dialect == "postgresql":
                self._stream(table, names).write(copy_text(table, batch))
            else:
                cursor = self.conn.cursor()
                marks = ", ".join("?" * len(names))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", batch
                )
        if self.dialect != "postgresql":
            self.conn.commit()

    def finish_writes(self) -> None:
        """End every COPY (waiting for the server to take the queued data) and commit."""
        self.stack.close()
        self.streams.clear()

    def close(self) -> None:
        self.finish_writes()
        if self.dialect == "postgresql":
            self.execute("SET session_replication_role = DEFAULT")
        self.raw.close()


def seed(
    learners: int, per_learner: int, *, seed: int = 1, signed: int = 20_000, revoke_every: int = 500
) -> dict[str, int]:
    """Seed the app's database; return the row count of each table written."""
    dialect = db.engine.dialect.name
    if db.session.scalar(select(func.count()).select_from(User)):
        raise SystemExit("seed_scale: the database already has learners; use an empty one")
    units = build_units()
    publish_catalogue(per_learner)
    versions = load_versions(random.Random(seed))
    if per_learner > len(versions):
        raise SystemExit(f"seed_scale: at most {len(versions)} enrolments per learner")
    names = {u.id: u for u in db.session.scalars(select(Unit))}
    instansi_of = {uid: names[uid].instansi.name for uid in units}
    config = current_app.config
    plan = Plan(
        now=time.time(),
        units=units,
        instansi_of=instansi_of,
        nodes_of=nodes_by_unit(),
        versions=versions,
        per_learner=per_learner,
        signer=Signer(signing_key(), current_key_id(), signed),
        settings={
            "pattern": config["CERTIFICATE_NUMBER_PATTERN"],
            "prefix": config["CERTIFICATE_NUMBER_PREFIX"],
            "issuer": config["CERTIFICATE_ISSUER_NAME"],
            "signatory_name": config["CERTIFICATE_SIGNATORY_NAME"],
            "signatory_position": config["CERTIFICATE_SIGNATORY_POSITION"],
            "signatory_nip": config["CERTIFICATE_SIGNATORY_NIP"],
        },
    )
    ids = Counters(user=db.session.scalar(select(func.max(User.id))) or 0)
    db.session.commit()
    loader = Loader(dialect)
    loader.drop_indexes()
    for rows in chunks(plan, learners, ids, seed, CHUNK):
        loader.write(rows, COLUMNS)
    loader.write(score_rollups(plan), ROLLUP_COLUMNS)
    loader.write(span_score_rollups(plan), ROLLUP_COLUMNS)
    loader.finish_writes()
    loader.create_indexes()
    loader.execute(revocations(dialect, revoke_every))
    statements = [
        *rollup_statements(dialect),
        *people_rollup_statements(dialect),
        *span_rollup_statements(dialect),
    ]
    for statement in statements:
        loader.execute(statement)
    if dialect == "postgresql":
        for table in COLUMNS:
            if table != "role_grant":
                loader.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
    loader.settle()
    loader.close()
    counted = {}
    for table in [*COLUMNS, *ROLLUPS]:
        counted[table] = db.session.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
    db.session.commit()
    return counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--learners", type=int, required=True)
    parser.add_argument("--per-learner", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--signed", type=int, default=20_000, help="certificates signed for real")
    args = parser.parse_args()
    # A throw-away key unless one is set: the seeded data holds no sessions worth protecting.
    secret = os.environ.get("SECRET_KEY") or "seed-scale-" + "0" * 32
    config = type(
        "Seed", (Config,), {"SQLALCHEMY_DATABASE_URI": args.database_url, "SECRET_KEY": secret}
    )
    app = create_app(config)
    started = time.perf_counter()
    with app.app_context():
        if not inspect(db.engine).has_table("user_account"):
            upgrade(directory=str(ROOT / "migrations"))
        counted = seed(args.learners, args.per_learner, seed=args.seed, signed=args.signed)
    for table, count in counted.items():
        print(f"{table:24} {count:>12,}")
    print(f"elapsed {time.perf_counter() - started:,.1f} s")


if __name__ == "__main__":
    main()
