"""Time the dashboard's score figures under a month filter: span rollup against attempts in SQL.

For one perangkat daerah (and all of them together), the item analysis counts are taken both
ways, alternately in the same minutes: from ``score_span_count`` (what the dashboard reads
since migration 0030s) and from the scope's attempts in SQL (what it read before, and still
reads below a perangkat daerah). The two must agree; the script stops if they do not. The
medians are printed last with their ratio.

Run: .venv/bin/python benchmarks/span_scores.py DATABASE_URL [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from config import Config  # noqa: E402
from elearn import create_app  # noqa: E402
from elearn.extensions import db  # noqa: E402
from elearn.models import Enrollment, Unit  # noqa: E402
from elearn.reports import dashboard  # noqa: E402
from elearn.reports.filters import ReportFilter, base_statement, narrow_units, whole_months  # noqa: E402
from elearn.reports.paper_counts import count_in_sql  # noqa: E402
from elearn.reports.rows import UnitNames  # noqa: E402


def scopes() -> list[tuple[str, ReportFilter, set[int] | None]]:
    """(name, month filter, evaluator scope): one perangkat daerah, and every one of them."""
    today = date.today()
    this_month = today.replace(day=1)
    roots = select(Unit.id).where(Unit.parent_id.is_(None))
    offices = db.session.scalars(select(Unit.id).where(Unit.parent_id.in_(roots))).all()
    office = db.session.scalar(select(Unit.code).where(Unit.id == min(offices)))
    below = set(db.session.scalars(select(Unit.id).where(Unit.parent_id.in_(offices))))
    two_months = today - timedelta(days=30)
    return [
        ("this month, one office", ReportFilter(since=this_month, unit_code=office or ""), None),
        ("2 months, one office", ReportFilter(since=two_months, unit_code=office or ""), None),
        ("2 months, every office", ReportFilter(since=two_months), {*offices, *below}),
    ]


def timed(build) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    found = build()
    took = time.perf_counter() - start
    db.session.rollback()
    return took, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    config = type("Bench", (Config,), {"SQLALCHEMY_DATABASE_URI": args.database_url})
    app = create_app(config)
    lines = []
    with app.app_context():
        names = UnitNames()
        for name, report_filter, allowed in scopes():
            months = whole_months(report_filter)
            units = narrow_units(months, allowed, names.by_code)
            scope = dashboard._Scope(months, units, ZoneInfo("UTC"), names, allowed)
            nodes = scope.span_nodes()
            assert nodes is not False, name  # noqa: S101 - whole perangkat daerah
            enrolments = scope.enrolments(base_statement(), unit_column=Enrollment.unit_id)
            rollup, in_sql = [], []
            for _ in range(args.rounds):
                took, from_rollup = timed(lambda: dashboard._span_scores(scope, nodes))  # noqa: B023
                rollup.append(took)
                took, from_attempts = timed(lambda: count_in_sql(enrolments))  # noqa: B023
                in_sql.append(took)
                if from_rollup != from_attempts:
                    raise SystemExit(f"{name}: the span rollup and the attempts disagree")
            a, b = statistics.median(in_sql), statistics.median(rollup)
            lines.append(
                f"{name:24} attempts in SQL {a * 1000:7.1f} ms   span rollup {b * 1000:7.1f} ms"
                f"   ratio {b / a:.3f}   ({len(from_attempts[0])} score rows)"
            )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
