"""Time the rollup upserts a quiz submit makes (elearn/reports/rollups.py).

Run: .venv/bin/python benchmarks/rollup_upserts.py [DATABASE_URL]  (default: a temporary SQLite)

Adds 200 scored attempts of 8 questions each (one quiz_score_count row and eight
question_score_count rows per attempt) inside one transaction and prints the time per attempt
and per upsert statement sent, after a warm-up attempt.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from config import TestConfig  # noqa: E402
from elearn import create_app  # noqa: E402
from elearn.extensions import db  # noqa: E402
from elearn.reports import rollups  # noqa: E402
from tests.factories import make_unit  # noqa: E402
from tests.learning.helpers import publish_course  # noqa: E402

ATTEMPTS = 200


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{folder / 'rollups.sqlite'}"
    app = create_app(type("Bench", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.drop_all()
        db.create_all()
        unit = make_unit()
        version = publish_course(folder)
        results = [{"key": f"q{n}", "scored": True, "correct": n % 2 == 0} for n in range(8)]
        sent = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: sent.append(1))
        rollups._add_attempt(unit.id, version.id, "Kuis", 50.0, results, 1)  # warm-up
        sent.clear()
        start = time.perf_counter()
        for n in range(ATTEMPTS):
            rollups._add_attempt(unit.id, version.id, "Kuis", float(n % 20 * 5), results, 1)
        elapsed = time.perf_counter() - start
        db.session.commit()
        dialect = db.engine.dialect.name
        db.drop_all()
    print(f"{dialect}: {ATTEMPTS} attempts, {len(sent)} statements")
    print(
        f"per attempt {elapsed / ATTEMPTS * 1000:.2f} ms, per statement "
        f"{elapsed / len(sent) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
