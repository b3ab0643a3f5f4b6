"""Time /api/v1/enrollments page by page on PostgreSQL at scale; print p50/p99 per filter.

Seeds a kept schema (``--schema``, default ``api_bench``) once with SQL
(``generate_series``): ``--learners`` learners in 30 instansi × 20 perangkat
daerah, ``--per-learner`` enrolments each over 200 courses, 60 % completed with
a certificate. Then, for each filter combination, walks ``--pages`` pages of
100 rows through the Flask test client with an admin's token (and an evaluator
of one instansi for the scoped rows), and prints EXPLAIN ANALYZE of a page
from the middle with ``--explain``. Figures come last.

Run: .venv/bin/python benchmarks/api_pages.py
     --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_exports
     [--learners 1000000] [--per-learner 10] [--pages 30] [--explain]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402

from benchmarks.sql_seed import run_seed_sql  # noqa: E402
from config import TestConfig  # noqa: E402
from elearn import create_app  # noqa: E402
from elearn.api.tokens import create_token  # noqa: E402
from elearn.extensions import db  # noqa: E402
from elearn.models import Enrollment, Role, RoleGrant, RoleScope, Unit, User  # noqa: E402

INSTANSI, OPD, COURSES = 30, 20, 200
# (label, query, scoped to one instansi)
COMBINATIONS: tuple[tuple[str, str, bool], ...] = (
    ("everything (admin)", "", False),
    ("one instansi (its evaluator)", "", True),
    ("unit = one perangkat daerah", "unit=i7-3", False),
    ("course", "course=kursus-017", False),
    ("category", "category=keuangan", False),
    ("competency", "competency=manajerial", False),
    ("status completed", "status=completed", False),
    ("status in_progress", "status=in_progress", False),
    ("one month", "since=2025-06-01&until=2025-06-30", False),
    ("one day", "since=2025-06-10&until=2025-06-10", False),
    ("updated_since last week", "updated_since=2026-12-24T00:00:00Z", False),
    # A course the unit's learners take (the seed gives the learners of perangkat daerah
    # i-n the courses numbered n mod 20): kursus-017 matched nothing, one empty page timed.
    ("unit + course + completed", "unit=i7-3&course=kursus-003&status=completed", False),
    ("scoped + one month", "since=2025-06-01&until=2025-06-30", True),
    ("scoped + one day", "since=2025-06-10&until=2025-06-10", True),
    ("a filter matching nothing", "category=tidak-ada", False),
)

SEED_SQL = """
ALTER TABLE unit ALTER COLUMN created_at SET DEFAULT now();
ALTER TABLE course ALTER COLUMN created_at SET DEFAULT now();
ALTER TABLE course_version ALTER COLUMN created_at SET DEFAULT now(),
    ALTER COLUMN prerequisites SET DEFAULT '[]', ALTER COLUMN certificate SET DEFAULT true;
ALTER TABLE user_account ALTER COLUMN created_at SET DEFAULT now(),
    ALTER COLUMN must_change_password SET DEFAULT false;
INSERT INTO unit (id, code, name, kind, parent_id, timezone)
SELECT i + 1, 'i' || i, 'Pemerintah Daerah ' || i, 'instansi', NULL, 'Asia/Makassar'
FROM generate_series(0, {instansi} - 1) AS i;
INSERT INTO unit (id, code, name, kind, parent_id)
SELECT 1000 + i * {opd} + j, 'i' || i || '-' || j, 'Dinas ' || j, 'perangkat_daerah', i + 1
FROM generate_series(0, {instansi} - 1) AS i, generate_series(0, {opd} - 1) AS j;
INSERT INTO course (id, slug) SELECT c + 1, 'kursus-' || lpad(c::text, 3, '0')
FROM generate_series(0, {courses} - 1) AS c;
INSERT INTO course_version (id, course_id, number, content_hash, status, title, summary,
    category, competency, jp, level, language, overview_html)
SELECT c + 1, c + 1, 1, lpad(to_hex(c), 64, '0'), 'published', 'Kursus ' || c, '',
    (ARRAY['manajemen','kepemimpinan','digital','pelayanan','keuangan','etika'])[c % 6 + 1],
    (ARRAY['teknis','manajerial','sosial-kultural'])[c % 3 + 1], 2 + c % 19, 'dasar', 'id', ''
FROM generate_series(0, {courses} - 1) AS c;
INSERT INTO user_account (id, nip, full_name, unit_id, password_hash, session_token,
    employee_type, is_active)
SELECT u, '19' || lpad(u::text, 16, '0'), 'Peserta ' || u, 1000 + u % ({instansi} * {opd}), '-',
    'bench-' || u, 'PNS', true
FROM generate_series(1, {learners}) AS u;
INSERT INTO enrollment (user_id, unit_id, course_id, version_id, enrolled_at, completed_at,
    updated_at)
SELECT u, 1000 + u % ({instansi} * {opd}), c, c, t,
    CASE WHEN (u + k) % 5 < 3 THEN t + interval '10 days' END,
    t + CASE WHEN (u + k) % 5 < 3 THEN interval '10 days' ELSE interval '0' END
FROM generate_series(1, {learners}) AS u, generate_series(0, {per} - 1) AS k,
    LATERAL (SELECT (k * 20 + u) % {courses} + 1 AS c,
        timestamptz '2025-01-01'
            + ((u::bigint * 7919 + k * 104729) % 63072000) * interval '1 second' AS t
    ) AS x
ORDER BY u, k;
INSERT INTO certificate (code, number, year, sequence, user_id, enrollment_id, version_id,
    issued_at, payload, signature, key_id)
SELECT 'c' || id, '800/' || id || '/BKPSDM/2026', 2026, id, user_id, id, version_id,
    completed_at, '{{}}', '-', 'bench'
FROM enrollment WHERE completed_at IS NOT NULL;
"""


def config_for(url: str, schema: str) -> type:
    settings: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
    }
    return type("Bench", (TestConfig,), settings)


def seed(args: argparse.Namespace) -> float:
    started = time.perf_counter()
    sql = SEED_SQL.format(
        instansi=INSTANSI, opd=OPD, courses=COURSES, learners=args.learners, per=args.per_learner
    )
    run_seed_sql(sql, ("unit", "course", "course_version", "user_account", "enrollment"))
    return time.perf_counter() - started


def tokens() -> tuple[str, str]:
    """An admin's token and the token of an evaluator of instansi i7."""
    secrets = []
    for role, code in ((Role.ADMIN, None), (Role.EVALUATOR, "i7")):
        known = db.session.scalar(select(User).where(User.session_token == f"bench-token-{role}"))
        if known is not None:  # a run before this one made them
            secrets.append(create_token(known, "bench").secret)
            continue
        user = User(
            nip=f"9{len(secrets)}".ljust(18, "0"),
            full_name=f"Bench {role}",
            unit_id=1,
            password_hash="-",  # noqa: S106 - nobody signs in with it
            session_token=f"bench-token-{role}",
        )
        db.session.add(user)
        db.session.flush()
        db.session.add(RoleGrant(user_id=user.id, role=role))
        if code:
            unit_id = db.session.scalar(select(Unit.id).where(Unit.code == code))
            db.session.add(RoleScope(user_id=user.id, role=role, unit_id=unit_id))
        db.session.flush()
        db.session.refresh(user)
        secrets.append(create_token(user, "bench").secret)
    db.session.commit()
    return secrets[0], secrets[1]


CPU: list[float] = []  # this process's CPU ms per page of the last walk


def walk(client: Any, token: str, query: str, pages: int) -> tuple[list[float], int]:
    """Time ``pages`` consecutive pages; return the times (ms) and the rows seen."""
    times, rows, cursor = [], 0, ""
    CPU.clear()
    for _ in range(pages):
        url = f"/api/v1/enrollments?limit=100&{query}" + (f"&cursor={cursor}" if cursor else "")
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
        times.append((time.perf_counter() - started) * 1000)
        CPU.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        body = response.get_json()
        rows += len(body["data"])
        cursor = body["next_cursor"]
        if not cursor:
            break
    return times, rows


def explain(query: str, scoped_units: set[int] | None) -> list[str]:
    """EXPLAIN ANALYZE of the page after the middle enrolment id, as enrollment_page builds it."""
    from zoneinfo import ZoneInfo

    from werkzeug.datastructures import MultiDict

    from elearn.api.pagination import PageRequest
    from elearn.api.params import ENROLLMENT_FILTERS, read_filter, read_updated_since
    from elearn.api.resources import Viewer, enrollment_page_statement
    from elearn.reports.rows import UnitNames

    args = MultiDict([pair.split("=", 1) for pair in query.split("&") if pair])
    report_filter = read_filter(args, ENROLLMENT_FILTERS, "enrollments")
    middle = db.session.scalar(select(db.func.max(Enrollment.id))) // 2
    viewer = Viewer(units=scoped_units, zone=ZoneInfo("Asia/Makassar"))
    page = PageRequest(limit=100, after_id=middle)
    statement = enrollment_page_statement(
        report_filter, viewer, page, read_updated_since(args), UnitNames()
    )
    if statement is None:
        return ["(answered without a query: nothing can match)"]
    compiled = statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    rows = db.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS OFF) {compiled}")).scalars()
    return list(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--schema", default="api_bench")
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--per-learner", type=int, default=10)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", default="", help="just the filters whose label has this")
    args = parser.parse_args()

    app = create_app(config_for(args.database_url, args.schema))
    app.config["RATELIMIT_ENABLED"] = False
    with app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {args.schema}")
        db.create_all()
        seeded = db.session.scalar(select(Enrollment.id).limit(1)) is not None
        # End the session's transaction: its snapshot, older than the seed's rows, kept the
        # seed's VACUUM from marking any page all-visible, so every index-only scan of the
        # runs after it read the table too.
        db.session.commit()
        if not seeded:
            print(f"seeding {args.learners * args.per_learner:,} enrolments …", flush=True)
            print(f"seeded in {seed(args):.0f} s", flush=True)
        total = db.session.scalar(select(db.func.count()).select_from(Enrollment))
        admin, evaluator = tokens()
        i7 = {
            unit_id
            for unit_id, code in db.session.execute(select(Unit.id, Unit.code))
            if code == "i7" or code.startswith("i7-")
        }
        db.session.commit()
        client = app.test_client()
        results = []
        for label, query, scoped in COMBINATIONS:
            if args.only not in label:
                continue
            walk(client, evaluator if scoped else admin, query, 2)  # warm the cache
            times, rows = walk(client, evaluator if scoped else admin, query, args.pages)
            results.append((label, query, scoped, times, rows, statistics.median(CPU)))
            print(f"{label}: p50 {statistics.median(times):.1f} ms", flush=True)
            if args.explain:
                for line in explain(query, i7 if scoped else None):
                    print("    " + line)
        print()
        print(f"/api/v1/enrollments, limit=100, {total:,} enrolments, PostgreSQL, in-process")
        print(f"load average {os.getloadavg()[0]:.1f}; CPU ms: this process's, median per page")
        header = f"{'filter':<32} {'pages':>5} {'rows':>6} {'p50 ms':>7} {'p99 ms':>7}"
        header += f" {'max ms':>7}"
        print(f"{header} {'CPU ms':>7}")
        for label, _query, _scoped, times, rows, cpu in results:
            ordered = sorted(times)
            p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
            print(
                f"{label:<32} {len(times):>5} {rows:>6} {statistics.median(times):>7.1f} "
                f"{p99:>7.1f} {ordered[-1]:>7.1f} {cpu:>7.1f}"
            )


if __name__ == "__main__":
    main()
