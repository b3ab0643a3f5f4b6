"""The benchmark seeder's bulk rows and SQL-computed rollups agree with a naive count."""

from __future__ import annotations

import json
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select, text

from elearn.certificates.keys import signing_key
from elearn.certificates.signing import verify_payload
from elearn.extensions import db
from elearn.models import Certificate, Unit
from elearn.reports.dashboard import build_dashboard
from elearn.reports.filters import ReportFilter, whole_months
from tests.reports.reference import figures, reference

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.seed_scale import (  # noqa: E402
    people_rollup_statements,
    rollup_statements,
    score_rollup_statements,
    seed,
    span_rollup_statements,
)


def test_seeded_database_matches_a_naive_count(app: Flask):
    counted = seed(40, 5, seed=7, signed=3, revoke_every=7)
    assert counted["enrollment"] == 200 and counted["quiz_score_count"] > 0
    assert counted["score_span_count"] > 0 and counted["enrollment_span_count"] > 0
    today = date.today()
    office = db.session.scalar(select(Unit.code).where(Unit.code == "palu-bkpsdm"))
    filters = [
        ReportFilter(),
        ReportFilter(unit_code="palu"),
        ReportFilter(unit_code=office or ""),
        ReportFilter(course="manajemen-proyek"),
        ReportFilter(status="completed"),
        ReportFilter(status="in_progress"),
        ReportFilter(competency="manajerial"),
        ReportFilter(since=today - timedelta(days=90), until=today),
        # The span rollups (enrolments by SQL, scores from the paper templates).
        ReportFilter(since=today - timedelta(days=400), until=today - timedelta(days=200)),
        ReportFilter(since=today - timedelta(days=60), unit_code="palu", status="completed"),
        ReportFilter(until=today - timedelta(days=300), course="manajemen-proyek"),
        # A perangkat daerah's own span score rows (its learners and its unit kerja's).
        ReportFilter(since=today - timedelta(days=400), unit_code="sulteng-bkpsdm"),
    ]
    utc = ZoneInfo("UTC")
    for zone in (ZoneInfo("Asia/Makassar"), ZoneInfo("America/Sao_Paulo")):
        for report_filter in filters:
            got = figures(build_dashboard(report_filter, None, zone, today))
            # The dashboard's date filter is whole UTC months.
            months = whole_months(report_filter)
            want = reference(months, None, zone, today, date_zone=utc)
            assert got == want, (report_filter, zone)
    # The first certificates carry real signatures over their stored payloads.
    first = db.session.scalars(select(Certificate).order_by(Certificate.id).limit(3)).all()
    key = signing_key().public_key()
    assert all(verify_payload(key, c.payload, c.signature) for c in first)


def _inserted(statement: str) -> tuple[str, str, str]:
    """The table, column list and query of an ``[WITH …] INSERT INTO t (…) SELECT …``."""
    found = re.match(
        r"\s*(WITH .*?)?\s*INSERT INTO (\w+)\s*\(([^)]*)\)\s*(SELECT.*)", statement, re.DOTALL
    )
    assert found, statement
    return found[2], found[3], f"{found[1] or ''} {found[4]}"


def test_counted_rollups_equal_the_sql_aggregation(app: Flask):
    """Every rollup counted while generating equals its SQL backfill over the loaded rows."""
    seed(40, 5, seed=7, signed=3, revoke_every=7)
    dialect = db.engine.dialect.name
    statements = [
        *rollup_statements(dialect),
        *people_rollup_statements(dialect),
        *span_rollup_statements(dialect),
        *score_rollup_statements(dialect),
    ]
    checked = set()
    for statement in statements:
        if statement.startswith("DELETE"):
            continue
        table, columns, aggregate = _inserted(statement)
        stored = db.session.execute(text(f"SELECT {columns} FROM {table}")).all()  # noqa: S608
        computed = db.session.execute(text(aggregate)).all()
        assert stored and sorted(stored) == sorted(computed), table
        checked.add(table)
    # score_span_count (instansi and perangkat daerah rows since 0030s) is checked through
    # the dashboard's month filters in test_seeded_database_matches_a_naive_count.
    assert len(checked) == 10
    revoked = db.session.scalars(
        select(Certificate.id).where(Certificate.revoked_at.is_not(None))
    ).all()
    assert revoked and all(id_ % 7 == 0 for id_ in revoked)
    # The payloads are cut from cached parts: the text is still json.dumps's.
    cast = "::text" if dialect == "postgresql" else ""
    payloads = db.session.scalars(text(f"SELECT payload{cast} FROM certificate")).all()  # noqa: S608
    assert payloads and all(json.dumps(json.loads(p)) == p for p in payloads)
