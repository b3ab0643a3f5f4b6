"""Time a reminders pass over many learners on PostgreSQL; print seconds, statements, RSS per phase.

Rebuilds a schema (``--schema``, default ``reminders_bench``) in ``--database-url`` and seeds
it with SQL (``generate_series``): 6 instansi × 10 perangkat daerah, half in Asia/Makassar and
half in Asia/Jakarta; ``--learners`` active PNS learners; two published courses; one
assignment of the first course to every learner, due in 3 days (so each is owed a
``due_in_3`` reminder), with its assignee rows and enrolments; and for every fifth learner an
enrolment in the second course idle for 20 days (so an ``inactive_14`` nudge is due).
Since the badges, pace lines and digests: one coordinator per instansi; a third course, owned
by the first instansi, assigned to every tenth learner and overdue since 25 February (an
``overdue_week_1`` reminder each, and the first coordinator's weekly digest); and 20 JP this
year for every tenth learner (a Pembelajar ASN badge each). Everyone else has no JP, so is
behind the pace to 20 JP (≈ 3.3 JP expected on 2 March) and owed a ``jp_pace`` line.

With the clock frozen at 03:00 UTC (11:00 WITA, 10:00 WIB: daytime in both zones) it times
1. a pass with the in-app channel only (creates every reminder),
2. a pass delivering them by e-mail through the ``mail.send`` job with a ``MemoryMailer``
   bound (the reminders are marked undelivered again first: pass 1 marked them delivered),
3. a second pass at the same instant (creates and sends nothing),
4. with ``--cli``, ``flask reminders run`` through the CLI runner, after emptying
   ``reminder`` and ``job`` (it creates and e-mails everything again).
Figures come last.

Run: .venv/bin/python benchmarks/reminders.py
     --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_reminders
     [--learners 100000] [--mail-sample 2000] [--cli] [--schema reminders_bench]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import event, func, select, update  # noqa: E402

from benchmarks.sql_seed import run_seed_sql  # noqa: E402
from config import TestConfig  # noqa: E402
from elearn import clock, create_app  # noqa: E402
from elearn.extensions import db  # noqa: E402
from elearn.jobs.binding import current_jobs  # noqa: E402
from elearn.mail.binding import bind_mailer  # noqa: E402
from elearn.mail.memory import MemoryMailer  # noqa: E402
from elearn.models import Job, Reminder  # noqa: E402
from elearn.reminders.channels import Channel, MailChannel  # noqa: E402
from elearn.reminders.service import Summary, run_reminders  # noqa: E402
from elearn.settings import current_settings  # noqa: E402

INSTANSI, OPD = 6, 10
# 11:00 WITA and 10:00 WIB: inside 07:00–20:00 in both zones.
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)

# Timestamps are written as literals relative to NOW so the windows line up exactly:
# due on 2026-03-05 (3 days after the local 2026-03-02), due_at the WITA midnight after it.
SEED_SQL = """
INSERT INTO unit (id, code, name, kind, parent_id, timezone, created_at)
SELECT i + 1, 'i' || i, 'Pemerintah Daerah ' || i, 'instansi', NULL,
    CASE WHEN i % 2 = 0 THEN 'Asia/Makassar' ELSE 'Asia/Jakarta' END, now()
FROM generate_series(0, {instansi} - 1) AS i;
INSERT INTO unit (id, code, name, kind, parent_id, created_at)
SELECT 1000 + i * {opd} + j, 'i' || i || '-' || j, 'Dinas ' || j, 'perangkat_daerah', i + 1,
    now()
FROM generate_series(0, {instansi} - 1) AS i, generate_series(0, {opd} - 1) AS j;
INSERT INTO course (id, slug, created_at) VALUES
    (1, 'kursus-wajib', now()), (2, 'kursus-pilihan', now());
INSERT INTO course_version (id, course_id, number, content_hash, status, title, summary,
    category, competency, jp, level, language, prerequisites, certificate, overview_html,
    created_at, published_at)
SELECT c, c, 1, lpad(to_hex(c), 64, '0'), 'published', 'Kursus ' || c, '', 'digital',
    'teknis', 4, 'dasar', 'id', '[]', true, '', now(), now()
FROM generate_series(1, 2) AS c;
INSERT INTO user_account (id, nip, full_name, email, employee_type, unit_id, password_hash,
    must_change_password, session_token, is_active, nudges_opt_out, created_at)
SELECT u, '19' || lpad(u::text, 16, '0'), 'Peserta ' || u, 'peserta' || u || '@example.go.id',
    'PNS', 1000 + u % ({instansi} * {opd}), '-', false, 'bench-' || u, true, false, now()
FROM generate_series(1, {learners}) AS u;
INSERT INTO assignment (id, course_id, reason, starts_on, due_on, due_at, timezone, created_at)
VALUES (1, 1, 'Benchmark', date '2026-02-20', date '2026-03-05',
    timestamptz '2026-03-05 16:00:00+00', 'Asia/Makassar', now());
INSERT INTO assignment_target (id, assignment_id, kind, unit_id, include_subunits)
SELECT i + 1, 1, 'unit', i + 1, true FROM generate_series(0, {instansi} - 1) AS i;
INSERT INTO assignee (assignment_id, user_id, course_id, state, assigned_at)
SELECT 1, u, 1, 'assigned', timestamptz '2026-02-20 01:00:00+00'
FROM generate_series(1, {learners}) AS u;
INSERT INTO enrollment (user_id, unit_id, course_id, version_id, enrolled_at, last_seen_at,
    updated_at)
SELECT u, 1000 + u % ({instansi} * {opd}), 1, 1, timestamptz '2026-02-21 02:00:00+00',
    timestamptz '2026-03-01 02:00:00+00',
    timestamptz '2026-03-01 02:00:00+00'
FROM generate_series(1, {learners}) AS u;
INSERT INTO enrollment (user_id, unit_id, course_id, version_id, enrolled_at, last_seen_at,
    updated_at)
SELECT u, 1000 + u % ({instansi} * {opd}), 2, 2, timestamptz '2026-02-01 02:00:00+00',
    timestamptz '2026-02-10 03:00:00+00',
    timestamptz '2026-02-10 03:00:00+00'
FROM generate_series(5, {learners}, 5) AS u;
INSERT INTO user_account (id, nip, full_name, email, employee_type, unit_id, password_hash,
    must_change_password, session_token, is_active, nudges_opt_out, created_at)
SELECT {learners} + i, '18' || lpad(i::text, 16, '0'), 'Koordinator ' || i,
    'koordinator' || i || '@example.go.id', 'PNS', i, '-', false, 'bench-k' || i, true, false,
    now()
FROM generate_series(1, {instansi}) AS i;
INSERT INTO role_grant (user_id, role)
SELECT {learners} + i, 'coordinator' FROM generate_series(1, {instansi}) AS i;
INSERT INTO role_scope (id, user_id, role, unit_id)
SELECT i, {learners} + i, 'coordinator', i FROM generate_series(1, {instansi}) AS i;
INSERT INTO course (id, slug, unit_id, created_at) VALUES (3, 'kursus-instansi', 1, now());
INSERT INTO course_version (id, course_id, number, content_hash, status, title, summary,
    category, competency, jp, level, language, prerequisites, certificate, overview_html,
    created_at, published_at)
VALUES (3, 3, 1, lpad(to_hex(3), 64, '0'), 'published', 'Kursus 3', '', 'digital', 'teknis',
    4, 'dasar', 'id', '[]', true, '', now(), now());
INSERT INTO assignment (id, course_id, reason, starts_on, due_on, due_at, timezone, created_at)
VALUES (2, 3, 'Benchmark lewat tenggat', date '2026-02-01', date '2026-02-25',
    timestamptz '2026-02-25 16:00:00+00', 'Asia/Makassar', now());
INSERT INTO assignee (assignment_id, user_id, course_id, state, assigned_at)
SELECT 2, u, 3, 'assigned', timestamptz '2026-02-01 01:00:00+00'
FROM generate_series(10, {learners}, 10) AS u;
INSERT INTO enrollment (user_id, unit_id, course_id, version_id, enrolled_at, last_seen_at,
    updated_at)
SELECT u, 1000 + u % ({instansi} * {opd}), 3, 3, timestamptz '2026-02-01 02:00:00+00',
    timestamptz '2026-02-01 02:00:00+00',
    timestamptz '2026-02-01 02:00:00+00'
FROM generate_series(10, {learners}, 10) AS u;
INSERT INTO learner_jp_total (user_id, year, jp)
SELECT u, 2026, 20 FROM generate_series(7, {learners}, 10) AS u
"""


@dataclass
class Phase:
    """What one timed phase did."""

    name: str
    seconds: float = 0.0
    created: Counter[str] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)
    mails: int = 0
    statements: int = 0
    rss_growth_mb: float = 0.0
    output: str = ""
    badges: int = 0


class StatementCounter:
    """Count every statement the engine sends, including the mail jobs' own."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args: Any) -> None:
        self.count += 1


def config_for(url: str, schema: str) -> type:
    settings: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
    }
    return type("Bench", (TestConfig,), settings)


def rebuild(schema: str, learners: int) -> float:
    """Drop and recreate ``schema``, create the tables, seed; return the seconds it took."""
    started = time.perf_counter()
    with db.engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    db.create_all()
    sql = SEED_SQL.format(instansi=INSTANSI, opd=OPD, learners=learners)
    tables = ("unit", "course", "course_version", "user_account", "enrollment", "role_scope")
    run_seed_sql(sql, tables)
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed(name: str, counter: StatementCounter, work: Callable[[Phase], None]) -> Phase:
    """Run ``work`` once, recording seconds, statements and peak RSS growth around it."""
    phase = Phase(name)
    rss, statements = peak_rss_mb(), counter.count
    started = time.perf_counter()
    work(phase)
    phase.seconds = time.perf_counter() - started
    phase.statements = counter.count - statements
    phase.rss_growth_mb = peak_rss_mb() - rss
    print(f"{name}: {phase.seconds:.1f} s, {phase.statements:,} statements", flush=True)
    return phase


def a_pass(channels: Sequence[Channel], mailer: MemoryMailer) -> Callable[[Phase], None]:
    def work(phase: Phase) -> None:
        before = len(mailer.sent)
        summary: Summary = run_reminders(NOW, current_settings(), channels)
        phase.created, phase.sent = summary.created, summary.sent
        phase.badges = summary.badges
        phase.mails = len(mailer.sent) - before

    return work


def cli_pass(app: Flask, mailer: MemoryMailer) -> Callable[[Phase], None]:
    def work(phase: Phase) -> None:
        before = len(mailer.sent)
        result = app.test_cli_runner().invoke(args=["reminders", "run"])
        assert result.exit_code == 0, result.output
        phase.output = result.output.strip().replace("\n", "; ")
        phase.mails = len(mailer.sent) - before

    return work


def undeliver(sample: int | None) -> None:
    """Mark reminders undelivered again (the first ``sample``, else all): pass 1 handed them on.

    Each e-mail is a job submitted and, without a broker, run inline, so a sample keeps
    the run short at scale; the per-message cost is what scales.
    """
    chosen = select(Reminder.id).order_by(Reminder.id).limit(sample)
    db.session.execute(update(Reminder).where(Reminder.id.in_(chosen)).values(delivered_at=None))
    db.session.commit()


def forget_reminders() -> None:
    """Empty ``reminder`` and ``job`` so the CLI pass starts from the seeded state."""
    db.session.commit()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("TRUNCATE reminder, job RESTART IDENTITY")
        connection.exec_driver_sql("ANALYZE reminder")


def print_figures(phases: list[Phase], learners: int, nudged: int, seed_seconds: float) -> None:
    print()
    print(
        f"Reminders pass, {learners:,} learners (2 zones, 60 units), 1 assignment due in 3 days,"
        f" {nudged:,} idle enrolments, {learners // 10:,} overdue, {learners // 10:,} at 20 JP,"
        f" {INSTANSI} coordinators; PostgreSQL, in-process, clock {NOW:%Y-%m-%d %H:%M} UTC;"
        f" seeded in {seed_seconds:.0f} s"
    )
    header = f"{'phase':<34} {'seconds':>8} {'statements':>10} {'mails':>7} {'RSS+ MB':>8}"
    print(header)
    for phase in phases:
        print(
            f"{phase.name:<34} {phase.seconds:>8.1f} {phase.statements:>10,} "
            f"{phase.mails:>7,} {phase.rss_growth_mb:>8.1f}"
        )
        created = ", ".join(f"{k} {v:,}" for k, v in sorted(phase.created.items())) or "-"
        sent = ", ".join(f"{k} {v:,}" for k, v in sorted(phase.sent.items())) or "-"
        print(f"    created: {created}; handed to channels: {sent}; badges: {phase.badges:,}")
        if phase.output:
            print(f"    cli: {phase.output}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--schema", default="reminders_bench")
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--mail-sample", type=int, help="e-mail only this many in phase 2")
    # Phase 4 e-mails every reminder again, one inline job each (~50 ms here): 1.7 h at 100,000.
    parser.add_argument("--cli", action="store_true", help="add phase 4, the CLI end to end")
    args = parser.parse_args()

    app = create_app(config_for(args.database_url, args.schema))
    mailer = MemoryMailer()
    bind_mailer(app, mailer)
    # The CLI command and the jobs read the wall clock through elearn.clock.now.
    clock.now = lambda: NOW
    with app.app_context():
        print(f"seeding {args.learners:,} learners …", flush=True)
        seed_seconds = rebuild(args.schema, args.learners)
        nudged = args.learners // 5  # every fifth learner, as seeded
        counter = StatementCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        mail = MailChannel(current_jobs(), current_settings().public_base_url)
        phases = [timed("1 create, in-app only", counter, a_pass([], mailer))]
        undeliver(args.mail_sample)
        phases.append(timed("2 deliver by e-mail (job each)", counter, a_pass([mail], mailer)))
        phases.append(timed("3 same instant again", counter, a_pass([mail], mailer)))
        if args.cli:
            forget_reminders()
            phases.append(timed("4 flask reminders run (CLI)", counter, cli_pass(app, mailer)))
        jobs = db.session.scalar(select(func.count()).select_from(Job))
        print(f"mail.send jobs in the table at the end: {jobs:,}")
        print_figures(phases, args.learners, nudged, seed_seconds)


if __name__ == "__main__":
    main()
