"""CSV and XLSX exports against PostgreSQL's own COPY of the same rows: rows/s and peak memory.

Seeds a temporary database (SQLite, or a throw-away schema in PostgreSQL with
--database-url), then runs the phases in interleaved rounds, each in a fresh
Python process so its peak RSS is its own:

- ``copy``: ``COPY (the export's query) TO STDOUT (FORMAT csv)`` written to a
  file, raw columns: the ceiling (PostgreSQL only);
- ``csv``: the export as the view streams it (``EnrollmentCsv``);
- ``rowcsv``: the previous row-by-row writer (``paged_rows`` → ``csv_chunks``);
- ``scoped``: ``csv`` for an evaluator of one instansi (a third of the rows);
- ``xlsx``: the XLSX file;
- ``job``: ``csv`` as a background job (inline): the file built with progress
  reports, stored in the database's blob chunks, then read back as a download.

With ``--base`` (another checkout, e.g. a worktree of main) each phase but
``copy`` also runs from that tree's script in the same rounds, as ``base:PHASE``,
and the report says whether both trees wrote the same bytes.

The figures (median of the rounds) come last; "first row" is the time from the
start to the first chunk of rows (CSV phases only).

Run: .venv/bin/python benchmarks/export.py [--rows 1000000] [--users 20000] [--rounds 3]
     [--phases copy,csv,rowcsv,scoped,xlsx]
     [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_exports]
     [--keep SCHEMA] [--base ../wt-main]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import String, insert, literal, select, text  # noqa: E402

from config import TestConfig  # noqa: E402
from elearn import create_app  # noqa: E402
from elearn.extensions import db  # noqa: E402
from elearn.models import (  # noqa: E402
    Certificate,
    Course,
    CourseVersion,
    Enrollment,
    Unit,
    User,
)

BATCH = 20_000
PHASES = ("copy", "csv", "rowcsv", "scoped", "xlsx", "job")
BENCH_ADMIN_NIP = "197001012000011999"
ZONE = ZoneInfo("Asia/Makassar")
INSTANSI = ("Pemerintah Kota Palu", "Pemerintah Kabupaten Mamuju", "Pemerintah Kota Palangka Raya")
OPD = (
    "Sekretariat Daerah",
    "Dinas Kesehatan",
    "Dinas Pendidikan dan Kebudayaan",
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    "Badan Perencanaan Pembangunan Daerah",
    "Inspektorat",
    "Kecamatan Palu Barat",
)
FIRST = ("Andi", "Rina", "Budi", "Sari", "Muhammad", "Nur", "Dewi", "Agus", "Fitri", "Ahmad")
LAST = (
    "Pratama",
    "Lestari",
    "Saputra",
    "Wahyuni",
    "Hidayat",
    "Rahmawati",
    "Lamaluta",
    "Tandiabang",
)
TOPICS = (
    "Manajemen Proyek",
    "Kepemimpinan",
    "Administrasi Digital",
    "Pelayanan Publik",
    "Penyusunan SKP",
    "Pengadaan Barang/Jasa",
    "Etika ASN",
    "Analisis Kebijakan",
    "Keuangan Daerah",
    "Arsip Elektronik",
)
LEVELS = ("Dasar", "Menengah", "Lanjutan", "Praktik", "Studi Kasus")
CATEGORIES = ("manajemen", "kepemimpinan", "digital", "pelayanan", "keuangan", "etika")
COMPETENCIES = ("teknis", "manajerial", "sosial-kultural")


def config_for(url: str, schema: str | None) -> type:
    """An app config on ``url``; with ``schema``, every connection uses that PostgreSQL schema."""
    settings: dict[str, Any] = {"SQLALCHEMY_DATABASE_URI": url}
    if schema:
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"options": f"-csearch_path={schema}"}
        }
    return type("Bench", (TestConfig,), settings)


def batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def nip(i: int) -> str:
    """A well-formed, unique PNS NIP: birth date, TMT CPNS, gender, sequence."""
    born = datetime(1970, 1, 1) + timedelta(days=i % 9000)
    return f"{born:%Y%m%d}20{10 + i % 15:02d}{1 + i % 12:02d}{1 + i % 2}{i // 9000 + 1:03d}"


def seed(total: int, users: int) -> dict[str, float]:
    """Insert units, ``users`` learners, enough courses, ``total`` enrolments and certificates."""
    started = time.perf_counter()
    leaves = []
    for code, name in enumerate(INSTANSI):
        root = Unit(code=f"i{code}", name=name, kind="instansi", timezone="Asia/Makassar")
        db.session.add(root)
        for index, opd in enumerate(OPD):
            leaves.append(Unit(code=f"i{code}-{index}", name=opd, kind="perangkat_daerah"))
            leaves[-1].parent = root
            db.session.add(leaves[-1])
    db.session.flush()
    leaf_ids = [unit.id for unit in leaves]
    courses = -(-total // users)
    for number in range(courses):
        course = Course(slug=f"kursus-{number:03d}")
        topic, level = TOPICS[number % len(TOPICS)], LEVELS[number // len(TOPICS) % len(LEVELS)]
        db.session.add(
            CourseVersion(
                course=course,
                number=1,
                content_hash=f"{number:064x}",
                status="published",
                title=f"{topic} — {level}",
                summary="",
                category=CATEGORIES[number % 6],
                competency=COMPETENCIES[number % 3],
                jp=2 + number % 19,
                level="dasar",
                language="id",
                overview_html="",
            )
        )
    db.session.commit()
    versions = db.session.execute(select(CourseVersion.course_id, CourseVersion.id)).all()
    for batch in batches(
        {
            "nip": nip(i),
            "full_name": f"{FIRST[i % 10]} {LAST[i // 10 % 8]} {i}",
            "unit_id": leaf_ids[i % len(leaf_ids)],
            "password_hash": "-",
            "session_token": f"bench-{i}",
        }
        for i in range(users)
    ):
        db.session.execute(insert(User), batch)
    user_ids = db.session.scalars(select(User.id).order_by(User.id)).all()
    start = datetime(2025, 1, 1, tzinfo=UTC)

    def enrolments() -> Iterator[dict[str, Any]]:
        for n in range(total):
            course_id, version_id = versions[n // users]
            enrolled = start + timedelta(minutes=(n * 37) % 700_000)
            done = enrolled + timedelta(days=3 + n % 40) if n % 5 < 3 else None
            yield {
                "user_id": user_ids[n % users],
                "unit_id": leaf_ids[n % users % len(leaf_ids)],
                "course_id": course_id,
                "version_id": version_id,
                "enrolled_at": enrolled,
                "completed_at": done,
                "updated_at": done or enrolled,
            }

    for batch in batches(enrolments()):
        db.session.execute(insert(Enrollment), batch)
    db.session.commit()
    seeded = time.perf_counter()
    # Certificates of the completed 60 %, in one INSERT … SELECT.
    db.session.execute(
        insert(Certificate).from_select(
            [
                "code",
                "number",
                "year",
                "sequence",
                "user_id",
                "enrollment_id",
                "version_id",
                "issued_at",
                "payload",
                "signature",
                "key_id",
            ],
            select(
                literal("c") + Enrollment.id.cast(String),
                literal("800/") + Enrollment.id.cast(String) + literal("/BKPSDM/2026"),
                literal(2026),
                Enrollment.id,
                Enrollment.user_id,
                Enrollment.id,
                Enrollment.version_id,
                Enrollment.completed_at,
                text("'{}'"),
                literal("-"),
                literal("bench"),
            ).where(Enrollment.completed_at.is_not(None)),
        )
    )
    db.session.commit()
    return {
        "enrolments_s": seeded - started,
        "certificates_s": time.perf_counter() - seeded,
    }


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def reset_peak() -> int:
    """Reset the peak-RSS mark to the current RSS and return it (KiB).

    ru_maxrss alone misleads here: a child process inherits its parent's peak
    through fork and exec, so the seeding process's size would show up. Linux
    lets a process reset its own mark (``5`` to /proc/self/clear_refs).
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_kib("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def peak_rss() -> int:
    """The peak RSS since reset_peak() (KiB)."""
    try:
        return _status_kib("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_phase(phase: str, url: str, schema: str | None, out_dir: Path) -> dict[str, Any]:
    """One measured export, in this (fresh) process."""
    from elearn.accounts.services import descendants_of
    from elearn.reports.csv_stream import EnrollmentCsv
    from elearn.reports.exports import csv_chunks, xlsx_file
    from elearn.reports.filters import ReportFilter
    from elearn.reports.rows import UnitNames, enrollment_statement, paged_rows

    app = create_app(config_for(url, schema))
    with app.app_context():
        names = UnitNames()
        # "scoped": an evaluator of one instansi (a third of the rows), the usual case.
        units = descendants_of({names.by_code["i0"]}) if phase == "scoped" else None
        statement = enrollment_statement(ReportFilter(), units, names, ZONE)
        db.session.commit()
        count = 0

        def counted() -> Iterator[Any]:
            nonlocal count
            for row in paged_rows(statement, names):
                count += 1
                yield row

        baseline = reset_peak()
        started = time.perf_counter()
        first: float | None = None
        path = out_dir / f"export-{phase}"
        with path.open("wb") as file:
            if phase == "copy":
                count = copy_baseline(EnrollmentCsv(statement, names, ZONE), file)
            elif phase in ("csv", "scoped"):
                export = EnrollmentCsv(statement, names, ZONE)
                for chunk in export:
                    file.write(chunk)
                    if first is None and export.count:
                        first = time.perf_counter() - started
                count = export.count
            elif phase == "rowcsv":
                for chunk in csv_chunks(counted(), zone=ZONE):
                    file.write(chunk)
        if phase == "xlsx":
            xlsx_file(counted(), path, zone=ZONE)
        if phase == "job":
            count = job_export(path)
        seconds = time.perf_counter() - started
        peak = peak_rss()
        db.session.commit()
    return {
        "phase": phase,
        "rows": count,
        "seconds": seconds,
        "rows_per_s": count / seconds,
        "rss_before_mib": baseline / 1024,
        "rss_peak_mib": peak / 1024,
        "bytes": path.stat().st_size,
        "first_row_s": first,
    }


def job_export(path: Path) -> int:
    """The CSV built by the ``export.enrollments`` job for an admin, then downloaded."""
    from elearn.accounts.services import UserData, create_user
    from elearn.jobs.binding import current_blobs, current_jobs
    from elearn.models import Role

    admin = db.session.scalar(select(User).where(User.nip == BENCH_ADMIN_NIP))
    if admin is None:  # the first round's process creates it, the others find it
        admin = create_user(
            UserData(
                nip=BENCH_ADMIN_NIP,
                full_name="Admin Bench",
                unit_id=db.session.scalar(select(Unit.id).limit(1)),
                roles={Role.ADMIN},
            ),
            "bench-password",
        )
        db.session.commit()
    args = {"format": "csv", "filters": {}, "user_id": admin.id}
    job = current_jobs().submit("export.enrollments", args, key=f"bench-{os.getpid()}")
    db.session.refresh(job)
    with path.open("wb") as file:
        for chunk in current_blobs().chunks(job.result):
            file.write(chunk)
    return int(job.result_info["rows"])


def copy_baseline(export: Any, file: Any) -> int:
    """PostgreSQL's COPY of the export's own join, raw columns, straight to ``file``."""
    from sqlalchemy.dialects import postgresql

    inner = export._columns().order_by(None)
    compiled = inner.compile(
        dialect=postgresql.dialect(), compile_kwargs={"render_postcompile": True}
    )
    raw = db.session.connection().connection.driver_connection
    rows = 0
    with raw.cursor() as cursor:
        query = f"COPY ({compiled} ORDER BY 1) TO STDOUT (FORMAT csv)"
        with cursor.copy(query, compiled.params) as copy:
            for row in copy:
                file.write(row)
                rows += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="", help="PostgreSQL; default: temporary SQLite")
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated")
    parser.add_argument(
        "--keep", default="", help="PostgreSQL schema to seed once, keep and reuse (not dropped)"
    )
    parser.add_argument(
        "--base", default="", help="another checkout whose phases run too, as base:PHASE"
    )
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--schema", default="", help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.database_url, args.schema, Path(args.out))))
        return

    phases = [p for p in args.phases.split(",") if p != "copy" or args.database_url]
    # (label, script): this tree's phases, and the base tree's right after each.
    runs = [(phase, Path(__file__)) for phase in phases]
    if args.base:
        base_script = Path(args.base).resolve() / "benchmarks" / "export.py"
        runs = [
            run
            for phase in phases
            for run in [(phase, Path(__file__)), (f"base:{phase}", base_script)]
            if run[0] != "base:copy"
        ]
    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        schema = args.keep or (f"export_bench_{os.getpid()}" if args.database_url else "")
        app = create_app(config_for(url, schema))
        with app.app_context():
            if schema:
                with db.engine.begin() as connection:
                    connection.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            try:
                db.create_all()
                timings = {"enrolments_s": 0.0, "certificates_s": 0.0}
                if not db.session.scalar(select(Enrollment.id).limit(1)):
                    timings = seed(args.rows, args.users)
                    db.session.execute(text("ANALYZE"))
                    db.session.commit()
                header = (
                    f"database: {db.engine.dialect.name}, {args.rows:,} enrolments, "
                    f"{args.users:,} learners; seeded in {timings['enrolments_s']:.1f} s "
                    f"+ certificates {timings['certificates_s']:.1f} s"
                )
                print(header, flush=True)
                db.session.remove()
                db.engine.dispose()
                results: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in runs}
                # Interleaved rounds: a load spike on the shared machine hits every phase alike.
                for round_number in range(args.rounds):
                    for label, script in runs:
                        phase = label.removeprefix("base:")
                        found = json.loads(
                            subprocess.run(  # noqa: S603 - our own script, fixed arguments
                                [sys.executable, str(script), "--phase", phase, "--database-url",
                                 url, "--schema", schema, "--out", tmp],
                                check=True, capture_output=True, text=True,
                            ).stdout
                        )  # fmt: skip
                        found["sha256"] = file_digest(Path(tmp) / f"export-{phase}")
                        results[label].append(found)
                        print(
                            f"round {round_number + 1} {label}: {found['rows_per_s']:,.0f} rows/s"
                            f" (load {os.getloadavg()[0]:.1f})",
                            flush=True,
                        )
                report(header, results)
            finally:
                if schema and not args.keep:
                    db.session.remove()
                    with db.engine.begin() as connection:
                        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
                db.engine.dispose()


def file_digest(path: Path) -> str:
    """The SHA-256 of an output file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def report(header: str, results: dict[str, list[dict[str, Any]]]) -> None:
    """The figures: median rows/s of the rounds, against COPY when it ran.

    "of COPY" is the median of each round's share (the phase's rows/s over the
    same round's COPY), which a load change between rounds disturbs less than a
    share of medians.
    """
    copy = results.get("copy")
    print()
    print(header)
    print(
        f"{'phase':<10} {'rows':>10} {'seconds':>8} {'rows/s':>9} {'of COPY':>8} "
        f"{'first row':>9} {'RSS before':>11} {'peak growth':>12} {'output':>13}"
    )
    for phase, runs in results.items():
        rate = statistics.median(r["rows_per_s"] for r in runs)
        seconds = statistics.median(r["seconds"] for r in runs)
        growth = max(r["rss_peak_mib"] - r["rss_before_mib"] for r in runs)
        shares = [r["rows_per_s"] / c["rows_per_s"] for r, c in zip(runs, copy or [], strict=False)]
        share = f"{statistics.median(shares):.2f}" if shares else "-"
        firsts = [r["first_row_s"] for r in runs if r.get("first_row_s") is not None]
        first = f"{statistics.median(firsts):.2f} s" if firsts else "-"
        print(
            f"{phase:<10} {runs[0]['rows']:>10,} {seconds:>8.1f} {rate:>9,.0f} {share:>8} "
            f"{first:>9} {runs[0]['rss_before_mib']:>7.0f} MiB {growth:>8.0f} MiB "
            f"{runs[0]['bytes']:>13,}"
        )
    for phase, runs in results.items():
        base = results.get(f"base:{phase}")
        if base:
            same = "the same" if len({r["sha256"] for r in runs + base}) == 1 else "DIFFERENT"
            print(f"{phase} and base:{phase} wrote {same} bytes")


if __name__ == "__main__":
    main()
