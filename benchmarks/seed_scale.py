"""Fill an empty database with N learners × M enrolments for the reporting benchmarks.

Run: .venv/bin/python benchmarks/seed_scale.py DATABASE_URL --learners 1000000 --per-learner 10

The schema is migrated first (``flask db upgrade``) when the database is empty; a database
that already has learners is refused. Units and courses go through the application's services
(the sample courses in courses/, copies under other slugs, a second version of one); learners,
enrolments (~60 % completed), quiz attempts (real papers and scores), certificates, evaluations
and verified external trainings are loaded in bulk: PostgreSQL COPY (one stream per table,
fed while the next rows are generated) with foreign-key triggers off and secondary indexes
built afterwards, SQLite executemany in large transactions. The rollups (elearn/models/rollup.py)
are counted while generating (benchmarks/seed_tally.py) and written with the rows; the score
rollups are summed from the paper templates each attempt was drawn from (expanding 15 M
attempts' JSON results in SQL took longer than the whole load). The SQL that computes them
from the rows (the migrations' backfills) stays here: the tests compare the two.
One certificate in 500 is revoked a day after issue.

Certificates: the first ``--signed`` payloads (default 20,000) are signed for real with the
deployment's key; Ed25519 costs ~0.1 ms here, so later certificates reuse the last signature
(their verification page reports them as not genuine). Row counts and the wall, Python CPU and
server CPU of each phase are printed last.
"""

# ruff: noqa: S608 - every statement is built from this file's constants, never from input

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import queue
import random
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
from benchmarks.seed_freeze import FAMILY, FrozenCopies, all_empty, referencing_closure  # noqa: E402
from benchmarks.seed_tally import TALLY_COLUMNS  # noqa: E402
from benchmarks.seed_timing import Clock, backend_cpu  # noqa: E402
from config import Config  # noqa: E402
from elearn import create_app  # noqa: E402
from elearn.certificates.keys import current_key_id, signing_key  # noqa: E402
from elearn.extensions import db  # noqa: E402
from elearn.models import Base, Unit, User  # noqa: E402
from elearn.reports.rollups import nodes_by_unit  # noqa: E402

SWITCH_INTERVAL = float(os.environ.get("SEED_SWITCH_INTERVAL", "0.0002"))
CHUNK = 1_000  # learners per batch: ~25 MB of COPY text, so the server starts early
ROLLUPS = (
    "enrollment_month_count",
    "learner_jp_year",
    "quiz_score_count",
    "question_score_count",
    *("enrollment_span_count", "score_span_count"),
    *("course_evaluation_count", "learner_jp_total", "unit_user_count", "jp_band_count"),
)

# The biggest heaps first, so the two index builders finish close together.
BUILD_ORDER = ("quiz_attempt", "enrollment", "certificate", "user_account", "course_evaluation",
               "external_training", "role_grant")  # fmt: skip

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

    The seed counts these while generating (seed_tally) and the score rollups from its paper
    templates (seed_data.score_rollups); these statements and score_rollup_statements compute
    the same from the rows, for the tests that check both agree and for a database seeded
    before the rollups existed.
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
    """enrollment_span_count by migration 0014's backfill; the seed counts it while
    generating (seed_tally), as it sums score_span_count (seed_data.span_score_rollups)."""
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


class Loader:
    """Writes batches of tuples per table through the driver connection, fast.

    PostgreSQL: the enrolments and the tables hanging off them by COPY … FREEZE on one
    connection (benchmarks/seed_freeze.py); the others one COPY per table, each on its own
    connection and open for the whole load, fed through psycopg's QueuedLibpqWriter (frozen
    too when nothing references the table). The server ingests one batch while this process
    generates and formats the next (2 cores: one each). The rows are formatted by
    benchmarks/copy_text.py. SQLite: executemany per batch.
    """

    def __init__(self, dialect: str, clock: Clock) -> None:
        self.dialect = dialect
        self.clock = clock
        self.engine = db.engine  # the index builders' threads have no app context
        self.raw = self._connect()
        self.conn: Any = self.raw.driver_connection
        self.pid = self._pid(self.conn)
        self.indexes = [
            index
            for table in Base.metadata.sorted_tables
            if table.name in COLUMNS
            for index in table.indexes
        ]
        self.streams: dict[str, Any] = {}
        self.stack = contextlib.ExitStack()
        self.frozen: FrozenCopies | None = None
        self.frozen_pid: int | None = None
        self.frozen_tried = False
        # Per table: main-thread CPU spent formatting its COPY text, and bytes sent.
        self.formatting: dict[str, float] = {}
        self.sent: dict[str, int] = {}

    def _pid(self, conn: Any) -> int | None:
        """The server process of a connection, for its CPU time."""
        if self.dialect != "postgresql":
            return None
        pid = conn.cursor().execute("SELECT pg_backend_pid()").fetchone()[0]
        conn.commit()
        return int(pid)

    def _connect(self) -> Any:
        raw = self.engine.raw_connection()
        conn: Any = raw.driver_connection
        cursor = conn.cursor()
        if self.dialect == "postgresql":
            cursor.execute("SET TIME ZONE 'UTC'")  # the timestamps are UTC text
            # The loading sessions only: every COPY and build commits once, and the last
            # transaction (the id sequences) commits synchronously, flushing all WAL before it.
            cursor.execute("SET synchronous_commit = off")
            # A third of the attempts' results exceed the 2 kB TOAST threshold; lz4
            # compresses them for a fraction of pglz's server CPU (read back the same).
            cursor.execute("SET default_toast_compression = 'lz4'")
            cursor.execute("SET session_replication_role = replica")  # no FK triggers
            cursor.execute("SET maintenance_work_mem = '1GB'")  # index sorts in memory
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

    def start_indexes(self, connections: int = 2) -> Callable[[], None]:
        """Start building the dropped indexes, ``connections`` at a time, the biggest tables
        first; return the function that waits for them.

        One build is a heap scan and a sort on one core; two at once keep both of this
        machine's cores busy while this process sums the rollups.
        """
        if self.dialect != "postgresql":
            for index in self.indexes:
                self.execute(str(CreateIndex(index).compile(dialect=self.engine.dialect)))
            return lambda: None
        pending = queue.SimpleQueue[Any]()
        for index in sorted(self.indexes, key=lambda i: BUILD_ORDER.index(i.table.name)):
            pending.put(index)

        def build() -> None:
            raw = self._connect()
            conn: Any = raw.driver_connection
            pid = self._pid(conn)
            try:
                while True:
                    try:
                        index = pending.get_nowait()
                    except queue.Empty:
                        return
                    with self.clock.phase(f"  index {index.name}", [pid]):
                        sql = str(CreateIndex(index).compile(dialect=self.engine.dialect))
                        conn.cursor().execute(sql)
                        conn.commit()
            finally:
                raw.close()

        pool = ThreadPoolExecutor(connections)
        futures = [pool.submit(build) for _ in range(connections)]

        def wait() -> None:
            for future in futures:
                future.result()
            pool.shutdown()

        return wait

    def _stream(self, table: str, names: list[str]) -> Any:
        if table not in self.streams:
            raw = self._connect()
            self.stack.callback(raw.close)
            conn: Any = raw.driver_connection
            pid = self._pid(conn)
            cursor = conn.cursor()
            sql = f"COPY {table} ({', '.join(names)}) FROM STDIN"
            if referencing_closure(conn, [table]) == [table] and all_empty(conn, [table]):
                conn.execute(f"TRUNCATE {table}")
                sql += " (FREEZE)"
            self.stack.callback(self._server_time, table, pid)  # after the commit below
            self.stack.callback(conn.commit)  # runs after the COPY below has ended
            self.streams[table] = self.stack.enter_context(
                cursor.copy(sql, writer=QueuedLibpqWriter(cursor))
            )
        return self.streams[table]

    def _server_time(self, table: str, pid: int | None) -> None:
        sent = f"{self.sent.get(table, 0) / 1e6:,.0f} MB"
        self.clock.add(f"  server: COPY {table} ({sent})", 0.0, 0.0, backend_cpu(pid))

    def write(self, rows: dict[str, list[tuple[Any, ...]]], columns: dict[str, str]) -> None:
        for table, batch in rows.items():
            if not batch:
                continue
            names = columns[table].split()
            if self.dialect == "postgresql":
                begun = time.thread_time()
                data = copy_text(table, batch)
                self.formatting[table] = self.formatting.get(table, 0.0) + (
                    time.thread_time() - begun
                )
                self.sent[table] = self.sent.get(table, 0) + len(data)
                frozen = self._frozen() if table in FAMILY else None
                if frozen is not None:
                    frozen.write(table, ", ".join(names), data)
                else:
                    self._stream(table, names).write(data)
            else:
                cursor = self.conn.cursor()
                marks = ", ".join("?" * len(names))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", batch
                )
        if self.dialect != "postgresql":
            self.conn.commit()

    def write_once(self, rows: dict[str, list[tuple[Any, ...]]], columns: dict[str, str]) -> None:
        """Small tables, written after the load on the loader's own connection."""
        if self.dialect != "postgresql":
            self.write(rows, columns)
            return
        cursor = self.conn.cursor()
        for table, batch in rows.items():
            if batch:
                sql = f"COPY {table} ({', '.join(columns[table].split())}) FROM STDIN"
                with cursor.copy(sql) as copy:
                    copy.write(copy_text(table, batch))
        self.conn.commit()

    def _frozen(self) -> FrozenCopies | None:
        """The enrolments' family's COPY … FREEZE connection; None if a table is not empty."""
        if not self.frozen_tried:
            self.frozen_tried = True
            raw = self._connect()
            self.stack.callback(raw.close)
            conn: Any = raw.driver_connection
            self.frozen_pid = self._pid(conn)
            tables = referencing_closure(conn, FAMILY)
            if all_empty(conn, tables):
                self.frozen = FrozenCopies(conn, tables)
        return self.frozen

    def finish_writes(self) -> None:
        """End every COPY (waiting for the server to take the queued data) and commit."""
        if self.frozen is not None:
            self.frozen.finish()
            sent = sum(self.sent.get(table, 0) for table in FAMILY) / 1e6
            self.clock.add(f"  server: COPY FREEZE, enrolments & co. ({sent:,.0f} MB)",
                           0.0, 0.0, backend_cpu(self.frozen_pid))  # fmt: skip
            self.frozen = None
        self.stack.close()
        self.streams.clear()

    def close(self) -> None:
        self.finish_writes()
        if self.dialect == "postgresql":
            self.execute("SET session_replication_role = DEFAULT")
        self.raw.close()


def seed(
    learners: int,
    per_learner: int,
    *,
    seed: int = 1,
    signed: int = 20_000,
    revoke_every: int = 500,
    clock: Clock | None = None,
) -> dict[str, int]:
    """Seed the app's database; return the row count of each table written."""
    clock = clock or Clock()
    dialect = db.engine.dialect.name
    if db.session.scalar(select(func.count()).select_from(User)):
        raise SystemExit("seed_scale: the database already has learners; use an empty one")
    with clock.phase("catalogue (ORM, paper templates)"):
        units = build_units()
        publish_catalogue(per_learner)
        versions = load_versions(random.Random(seed))
    if per_learner > len(versions):
        raise SystemExit(f"seed_scale: at most {len(versions)} enrolments per learner")
    names = {u.id: u for u in db.session.scalars(select(Unit))}
    instansi_of = {uid: names[uid].instansi.name for uid in units}
    config = current_app.config
    plan = Plan(
        revoke_every=revoke_every,
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
    loader = Loader(dialect, clock)
    with clock.phase("drop indexes", [loader.pid]):
        loader.drop_indexes()
        # Emptied and counted whole, as migration 0009's backfill does.
        for table in ("jp_band_count", "unit_user_count", "learner_jp_total",
                      "course_evaluation_count"):  # fmt: skip
            loader.execute(f"DELETE FROM {table}")
    columns = {**COLUMNS, **TALLY_COLUMNS}
    generating = 0.0
    # The COPY threads move 128 kB per turn of the GIL, which this thread (generating)
    # otherwise holds for the whole 5 ms switch interval: the server would wait on them.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    with clock.phase("generate + COPY (streamed)"):
        batches = chunks(plan, learners, ids, seed, CHUNK)
        while True:
            begun = time.thread_time()
            rows = next(batches, None)
            generating += time.thread_time() - begun
            if rows is None:
                break
            loader.write(rows, columns)
        with clock.phase("  end of COPY (waiting for the server)"):
            loader.finish_writes()
    sys.setswitchinterval(switch)
    clock.add("  Python: rows generated (main thread)", 0.0, generating)
    clock.add("  Python: of which real signatures", 0.0, plan.signer.seconds)
    for table, seconds in loader.formatting.items():
        clock.add(f"  Python: COPY text for {table}", 0.0, seconds)
    # The counters replace INSERT … SELECTs that scanned the loaded tables again (and an
    # UPDATE for the revocations); tests/reports/test_seed_scale.py checks they agree.
    building = "index builds (two connections)" if dialect == "postgresql" else "index builds"
    with clock.phase(f"{building} with the rollups"):
        built = loader.start_indexes()
        with clock.phase("  rollups from counters (Python, COPY)", [loader.pid]):
            loader.write_once(score_rollups(plan), ROLLUP_COLUMNS)
            loader.write_once(span_score_rollups(plan), ROLLUP_COLUMNS)
            loader.write_once(plan.tally.totals(ids.sequence), TALLY_COLUMNS)
        with clock.phase("  waiting for the index builds"):
            built()
    with clock.phase("VACUUM (ANALYZE)", [loader.pid]):
        loader.settle()
    if dialect == "postgresql":
        with clock.phase("id sequences", [loader.pid]):
            # Committed synchronously: its commit waits for the WAL of everything before it
            # (the loading sessions committed without waiting).
            loader.execute("SET synchronous_commit = on")
            for table in COLUMNS:
                if table != "role_grant":
                    loader.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
    loader.close()
    counted = {}
    with clock.phase("row counts"):
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
    clock = Clock()
    with app.app_context():
        if not inspect(db.engine).has_table("user_account"):
            with clock.phase("migrations"):
                upgrade(directory=str(ROOT / "migrations"))
        counted = seed(
            args.learners, args.per_learner, seed=args.seed, signed=args.signed, clock=clock
        )
    for table, count in counted.items():
        print(f"{table:24} {count:>12,}")
    print(clock.report())
    print(f"elapsed {time.perf_counter() - clock.started:,.1f} s")


if __name__ == "__main__":
    main()
