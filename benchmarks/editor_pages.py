"""What the browser editor's pages cost: wall time and SQL statements per request.

Seeds a temporary SQLite database with one coordinator and the sample course
``courses/manajemen-proyek`` uploaded as a zip, opens its draft, then times (median of
``-n`` runs, through the Flask test client, CSRF off) the draft page, a module's edit page,
a preview and a save, with the render process (as in production) and in-process, plus the
course template zip and the format guide page.

    .venv/bin/python benchmarks/editor_pages.py [-n 5]
"""

from __future__ import annotations

import argparse
import io
import logging
import platform
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config import TestConfig  # noqa: E402
from elearn import create_app  # noqa: E402
from elearn.content.limits import RenderBudget  # noqa: E402
from elearn.coordinator.uploads import UploadSettings, accept_upload, process_upload  # noqa: E402
from elearn.extensions import db  # noqa: E402
from elearn.models import Role  # noqa: E402
from elearn.settings import with_changes  # noqa: E402
from tests.factories import DEFAULT_PASSWORD, make_unit, make_user  # noqa: E402

COURSE = ROOT / "courses" / "manajemen-proyek"


def course_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(COURSE.rglob("*")):
            if path.is_file():
                archive.writestr(
                    f"{COURSE.name}/{path.relative_to(COURSE).as_posix()}", path.read_bytes()
                )
    return buffer.getvalue()


def measure(runs: int, request: Callable[[], object], counter: list[int]) -> tuple[float, int]:
    times = []
    for _ in range(runs):
        counter[0] = 0
        started = time.perf_counter()
        request()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, counter[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5)
    runs = parser.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:

        class BenchConfig(TestConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.sqlite"
            WTF_CSRF_ENABLED = False

        app = create_app(BenchConfig)
        logging.getLogger("elearn.requests").setLevel(logging.WARNING)
        app.logger.setLevel(logging.WARNING)
        with app.app_context():
            db.create_all()
            unit = make_unit("Pemerintah Kota Palu", code="palu")
            user = make_user(Role.COORDINATOR, unit=unit, scope=[unit], name="Siti")
            upload = accept_upload(course_zip(), f"{COURSE.name}.zip", unit, user)
            db.session.commit()
            process_upload(upload.id, UploadSettings(budget=RenderBudget(), sandboxed=False))
            counter = [0]
            event.listen(
                db.engine,
                "before_cursor_execute",
                lambda *a: counter.__setitem__(0, counter[0] + 1),
            )
            client = app.test_client()
            client.post("/login", data={"login": user.nip, "password": DEFAULT_PASSWORD})
            base = f"/coordinator/courses/{COURSE.name}/editor"
            client.post(f"{base}/open", data={"version": "1"})
            module = next(
                p.name for p in sorted(COURSE.glob("0*.md")) if not p.name.endswith(".quiz.md")
            )
            text = (COURSE / module).read_text(encoding="utf-8")
            revision = [1]

            def save() -> object:
                response = client.post(
                    f"{base}/files/{module}",
                    data={"text": text, "revision": str(revision[0]), "save": "1"},
                )
                revision[0] += 1
                return response

            where = f"{platform.node()} · Python {platform.python_version()}"
            print(f"{where} · {COURSE.name}/{module} ({len(text)} chars), median of {runs}")
            print(f"{'request':<36} {'render process':>16} {'in-process':>12} {'statements':>11}")
            rows: list[tuple[str, Callable[[], object]]] = [
                ("GET draft page (checks all files)", lambda: client.get(base)),
                ("GET module edit page", lambda: client.get(f"{base}/files/{module}")),
                (
                    "POST preview",
                    lambda: client.post(
                        f"{base}/files/{module}",
                        data={"text": text, "revision": str(revision[0]), "preview": "1"},
                    ),
                ),
                ("POST save (redirect)", save),
            ]
            for label, request in rows:
                with_changes(app, content_sandbox=True)
                sandboxed, _ = measure(runs, request, counter)
                with_changes(app, content_sandbox=False)
                inline, statements = measure(runs, request, counter)
                print(f"{label:<36} {sandboxed:>13.0f} ms {inline:>9.0f} ms {statements:>11}")
            for label, url in (
                ("GET course-template.zip", "/coordinator/course-template.zip"),
                ("GET format guide", "/coordinator/format/"),
            ):
                first, _ = measure(1, lambda url=url: client.get(url), counter)
                warm, statements = measure(runs, lambda url=url: client.get(url), counter)
                cold = f"first {first:.0f} ms"
                print(f"{label:<36} {cold:>16} {warm:>9.0f} ms {statements:>11}")


if __name__ == "__main__":
    main()
