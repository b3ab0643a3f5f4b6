"""The CSV export's query alone, run by PostgreSQL into /dev/null: the backend's CPU seconds.

For this tree and, with --base, another checkout: each tree's ``EnrollmentCsv``
builds its ``COPY`` statement (caught before it runs), and so does the raw join
that ``benchmarks/export.py``'s ``copy`` phase sends (the baseline). Then, in
interleaved rounds on one connection with parallel workers off (so the work is
one process's), each statement runs as ``COPY (…) TO '/dev/null'`` and the
backend's user + system CPU (from /proc, so the server must run on this
machine) is measured. The client does nothing meanwhile: these are the
server's costs alone, which a shared machine's load disturbs less than wall time.

Run after benchmarks/export.py has seeded and kept a schema:
    .venv/bin/python benchmarks/export_backend_cpu.py
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_csv --schema csv1m
        [--base ../wt-main] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def statements(url: str, schema: str) -> dict[str, str]:
    """This tree's export COPY and the baseline, with their parameters filled in."""
    tree = Path(os.environ.get("EXPORT_TREE", ROOT))
    sys.path[:0] = [str(tree), str(tree / "benchmarks")]
    import psycopg
    from export import ZONE, config_for

    from elearn import create_app
    from elearn.extensions import db
    from elearn.reports.csv_stream import EnrollmentCsv
    from elearn.reports.filters import ReportFilter
    from elearn.reports.rows import UnitNames, enrollment_statement

    caught: list[tuple[str, Any]] = []

    class Caught(Exception):
        pass

    def catch(self: Any, query: str, params: Any = None, **_: Any) -> Any:
        caught.append((query, params))
        raise Caught

    psycopg.Cursor.copy = catch  # type: ignore[method-assign]
    app = create_app(config_for(url, schema))
    with app.app_context():
        names = UnitNames()
        export = EnrollmentCsv(enrollment_statement(ReportFilter(), None, names, ZONE), names, ZONE)
        try:
            for _ in export:
                pass
        except Caught:
            pass
        raw = db.session.connection().connection.driver_connection
        cursor = psycopg.ClientCursor(raw)
        query, params = caught[0]
        sql = {"export": cursor.mogrify(query, params)}
        inner = export._columns().order_by(None)
        compiled = inner.compile(
            dialect=db.engine.dialect, compile_kwargs={"render_postcompile": True}
        )
        baseline = f"COPY ({compiled} ORDER BY 1) TO STDOUT (FORMAT csv)"
        sql["baseline"] = cursor.mogrify(baseline, compiled.params)
        db.session.rollback()
    return {k: v.replace("TO STDOUT", "TO '/dev/null'") for k, v in sql.items()}


def backend_seconds(connection: Any, pid: int, sql: str) -> float:
    def used() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    before = used()
    connection.execute(sql)
    return used() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--base", default="", help="another checkout, measured as base:export")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--statements", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.statements:
        print(json.dumps(statements(args.database_url, args.schema)))
        return

    import psycopg

    def built(tree: Path) -> dict[str, str]:
        # This script, importing the tree's code (the tree may predate the script).
        command = [sys.executable, str(Path(__file__)), "--statements"]
        found = subprocess.run(  # noqa: S603 - our own script, fixed arguments
            [*command, "--database-url", args.database_url, "--schema", args.schema],
            check=True, capture_output=True, text=True, cwd=tree,
            env={**os.environ, "EXPORT_TREE": str(tree)},
        ).stdout  # fmt: skip
        return json.loads(found)

    here = built(ROOT)
    queries = {"copy (baseline)": here["baseline"], "export": here["export"]}
    if args.base:
        queries["base:export"] = built(Path(args.base).resolve())["export"]
    dsn = args.database_url.replace("postgresql+psycopg", "postgresql")
    results: dict[str, list[float]] = {label: [] for label in queries}
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"SET search_path = {args.schema}")
        connection.execute("SET max_parallel_workers_per_gather = 0")
        connection.execute("SET TimeZone = 'Asia/Makassar'")
        pid = connection.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        for round_number in range(args.rounds):
            for label, sql in queries.items():
                seconds = backend_seconds(connection, pid, sql)
                results[label].append(seconds)
                load = os.getloadavg()[0]
                print(f"round {round_number + 1} {label}: {seconds:.2f} s (load {load:.1f})")
    baseline = statistics.median(results["copy (baseline)"])
    for label, runs in results.items():
        median = statistics.median(runs)
        print(f"{label:<16} {median:6.2f} s backend CPU, share of COPY {baseline / median:.2f}")


if __name__ == "__main__":
    main()
