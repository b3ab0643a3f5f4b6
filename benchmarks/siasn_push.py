"""Time ``push_year`` against the stand-in SIASN: a first push and a rerun; print figures.

Seeds one instansi with ``--learners`` learners, each with ``--per-learner`` verified
external trainings (evidence of ``--evidence-kb`` KB each), then pushes the year twice and
prints wall time, HTTP requests and SQL statements per record for each run. The stand-in
answers on 127.0.0.1, so the figures are our own cost, not BKN's latency.

Run: .venv/bin/python benchmarks/siasn_push.py [--database-url URL]
     [--learners 200] [--per-learner 3] [--evidence-kb 200]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert  # noqa: E402

from config import TestConfig  # noqa: E402
from elearn import create_app  # noqa: E402
from elearn.extensions import db  # noqa: E402
from elearn.models import (  # noqa: E402
    CodeList,
    ExternalTraining,
    ReviewStatus,
    SiasnCode,
    Unit,
    UnitKind,
    User,
)
from elearn.siasn.client import SiasnClient  # noqa: E402
from elearn.siasn.documents import document_for  # noqa: E402
from elearn.siasn.push import push_year  # noqa: E402
from elearn.siasn.settings import SiasnSettings  # noqa: E402
from tests.siasn.standin import Running, StandIn  # noqa: E402


def seed(learners: int, per_learner: int, evidence_kb: int) -> dict[str, str]:
    unit = Unit(code="bench", name="Pemerintah Kota Bench", kind=UnitKind.INSTANSI,
                timezone="Asia/Makassar")  # fmt: skip
    db.session.add(unit)
    db.session.flush()
    for list_name, code in ((CodeList.INSTANSI, "I"), (CodeList.LOKASI, "L"),
                            (CodeList.JENIS_KURSUS, "2")):  # fmt: skip
        db.session.add(SiasnCode(instansi_id=unit.id, list_name=list_name, key="default",
                                 code=code))  # fmt: skip
    people: dict[str, str] = {}
    now = datetime.now(UTC)
    users = [
        {"nip": f"19800101{201001 + n // 999:06d}1{n % 999 + 1:03d}", "full_name": f"P {n}",
         "unit_id": unit.id, "password_hash": "x", "session_token": f"t{n}",
         "employee_type": "PNS", "created_at": now}
        for n in range(learners)
    ]  # fmt: skip
    db.session.execute(insert(User), users)
    evidence = b"%PDF-1.4\n" + b"0" * (evidence_kb * 1024)
    ids = db.session.query(User.id, User.nip).all()
    trainings: list[dict[str, Any]] = []
    for user_id, nip in ids:
        people[nip] = f"pns-{user_id}"
        for k in range(per_learner):
            trainings.append(
                {"user_id": user_id, "name": f"Kursus {k}", "organiser": "BPSDM",
                 "route": "kursus", "competency": "teknis", "started_on": date(2026, 3, 1),
                 "finished_on": date(2026, 3, 2) + timedelta(days=k), "jp": 8,
                 "certificate_number": f"{user_id}/{k}", "evidence_name": "b.pdf",
                 "evidence_type": "application/pdf", "evidence": evidence,
                 "status": ReviewStatus.VERIFIED, "created_at": now}
            )  # fmt: skip
    db.session.execute(insert(ExternalTraining), trainings)
    db.session.commit()
    return people


def run(settings: SiasnSettings, state: StandIn, records: int) -> str:
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(db.engine, "before_cursor_execute", count)
    calls = len(state.calls)
    started = time.perf_counter()
    report = push_year(
        SiasnClient(settings),
        2026,
        None,
        default_zone="Asia/Makassar",
        document_for=lambda record: document_for(record, "http://localhost"),
        lease=timedelta(minutes=10),
    )
    seconds = time.perf_counter() - started
    event.remove(db.engine, "before_cursor_execute", count)
    sent_calls = len(state.calls) - calls
    return (
        f"sent {report.sent:5d} in {seconds:6.2f} s ({seconds / records * 1000:6.1f} ms/record), "
        f"{sent_calls:5d} HTTP requests ({sent_calls / records:.2f}/record), "
        f"{statements:6d} SQL statements ({statements / records:.1f}/record)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--per-learner", type=int, default=3)
    parser.add_argument("--evidence-kb", type=int, default=200)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per stand-in request
    folder = tempfile.mkdtemp(prefix="siasn-bench-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite"
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(config)
    state = StandIn()
    with app.app_context(), Running(state) as running:
        db.drop_all()
        db.create_all()
        app.config.update(running.config())
        state.people = seed(args.learners, args.per_learner, args.evidence_kb)
        records = args.learners * args.per_learner
        settings = SiasnSettings.from_config(app.config)
        print(f"{records} records, {args.evidence_kb} KB evidence each, {db.engine.dialect.name}")
        print("first push:", run(settings, state, records))
        print("rerun:     ", run(settings, state, records))
        db.drop_all()


if __name__ == "__main__":
    main()
