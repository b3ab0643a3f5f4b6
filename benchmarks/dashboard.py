"""Time the evaluators' dashboard for every filter kind, cold and warm, on an existing database.

Cold is the first build in a fresh process (empty caches on the app side); warm is the best of
three builds after it. Timings are printed last, one line per filter.

Run: .venv/bin/python benchmarks/dashboard.py DATABASE_URL

With ``--cpu N`` it prints instead the CPU time of this process per build (statement building,
compiling, the driver, result handling; on SQLite the queries too), the median of ``--rounds``
rounds of N builds per filter, after two warm-up builds. To compare two trees, run the script
from each in turn (``--tree`` loads the application from another checkout).
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
if "--tree" in sys.argv:  # before the application is imported
    ROOT = Path(sys.argv[sys.argv.index("--tree") + 1]).resolve()
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from config import Config  # noqa: E402
from elearn import create_app  # noqa: E402
from elearn.extensions import db  # noqa: E402
from elearn.models import Course, CourseVersion, Unit  # noqa: E402
from elearn.reports.dashboard import build_dashboard  # noqa: E402
from elearn.reports.filters import ReportFilter  # noqa: E402


def filters() -> list[tuple[str, ReportFilter]]:
    """One filter of each kind (see elearn/reports/filters.py), and all of them together."""
    unit = db.session.scalar(select(Unit.code).where(Unit.parent_id.is_(None)).order_by(Unit.id))
    course = db.session.scalar(select(Course.slug).order_by(Course.id))
    category = db.session.scalar(select(CourseVersion.category).order_by(CourseVersion.id))
    office = db.session.scalar(
        select(Unit.code)
        .where(Unit.parent_id.in_(select(Unit.id).where(Unit.parent_id.is_(None))))
        .order_by(Unit.id)
    )
    unit_kerja = db.session.scalar(
        select(Unit.code).where(Unit.parent_id.in_(select(Unit.id).where(Unit.code == office)))
    )
    today = date.today()
    this_month = today.replace(day=1)
    return [
        ("none", ReportFilter()),
        ("unit", ReportFilter(unit_code=unit or "")),
        ("course", ReportFilter(course=course or "")),
        ("category", ReportFilter(category=category or "")),
        ("competency", ReportFilter(competency="teknis")),
        ("status", ReportFilter(status="completed")),
        # The dashboard counts whole UTC months: the last 30 days are widened to two months.
        ("since/until (1 month)", ReportFilter(since=today - timedelta(days=30), until=today)),
        ("this month", ReportFilter(since=this_month, until=today)),
        # A perangkat daerah: its own span score rows (before 0030s: its attempts in SQL).
        ("this month, one office", ReportFilter(since=this_month, unit_code=office or "")),
        (
            "2 months, one office",
            ReportFilter(since=today - timedelta(days=30), until=today, unit_code=office or ""),
        ),
        # Below a perangkat daerah: the item analysis counts that scope's attempts in SQL.
        ("this month, one unit kerja", ReportFilter(since=this_month, unit_code=unit_kerja or "")),
        (
            "everything",
            ReportFilter(
                since=today - timedelta(days=30),
                until=today,
                unit_code=unit or "",
                course=course or "",
                status="completed",
            ),
        ),
    ]


def cpu_per_build(zone: ZoneInfo, builds: int, rounds: int) -> list[str]:
    """Median CPU ms per build for each filter; the filters take turns in every round."""
    chosen = filters()
    times: dict[str, list[float]] = {name: [] for name, _ in chosen}
    for _, report_filter in chosen:
        for _ in range(2):
            build_dashboard(report_filter, None, zone, date.today())
            db.session.rollback()
    for _ in range(rounds):
        for name, report_filter in chosen:
            began = time.process_time()
            for _ in range(builds):
                build_dashboard(report_filter, None, zone, date.today())
                db.session.rollback()
            times[name].append((time.process_time() - began) / builds * 1000)
    return [
        f"{name:28} cpu {statistics.median(t):7.2f} ms  (rounds: "
        + ", ".join(f"{x:.2f}" for x in t)
        + ")"
        for name, t in times.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", help="a seeded database (benchmarks/seed_scale.py)")
    parser.add_argument("--cpu", type=int, default=0, help="CPU per build, N builds a round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --cpu")
    parser.add_argument("--tree", default=str(ROOT), help="checkout to load the app from")
    args = parser.parse_args()
    config = type(
        "Bench",
        (Config,),
        {
            "SQLALCHEMY_DATABASE_URI": args.database_url,
            "SECRET_KEY": "benchmark-secret-key",  # noqa: S106 - a throw-away app
        },
    )
    app = create_app(config)
    zone = ZoneInfo("Asia/Makassar")
    lines = []
    with app.app_context():
        if args.cpu:
            print(f"tree {ROOT}")
            print("\n".join(cpu_per_build(zone, args.cpu, args.rounds)))
            return
        for name, report_filter in filters():
            db.session.remove()
            db.engine.dispose()  # cold: a new connection, nothing prepared
            start = time.perf_counter()
            build_dashboard(report_filter, None, zone, date.today())
            cold = time.perf_counter() - start
            warm = []
            for _ in range(3):
                start = time.perf_counter()
                build_dashboard(report_filter, None, zone, date.today())
                warm.append(time.perf_counter() - start)
                db.session.rollback()
            lines.append(f"{name:24} cold {cold * 1000:8.0f} ms   warm {min(warm) * 1000:8.0f} ms")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
