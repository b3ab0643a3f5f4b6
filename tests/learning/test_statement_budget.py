"""Learner pages stay within a fixed number of SQL statements, and readers never wait on writers."""

from __future__ import annotations

import gzip
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import brotli
import pytest
from flask import Flask, template_rendered
from jinja2 import Template
from sqlalchemy import event

from elearn.extensions import db
from elearn.models import Role
from tests.certificates.helpers import complete_course
from tests.conftest import AuthActions, without_csrf_tokens
from tests.factories import make_unit, make_user
from tests.learning.helpers import Learner, publish_course, sign_in

BUDGET = 4


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """Collect every SQL statement the app's engine sends while the block runs."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _queries(statements: list[str]) -> list[str]:
    # BEGIN/COMMIT of SQLite's own transaction handling are not queries.
    return [s for s in statements if s.split()[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}]


def _get(app: Flask, learner: Learner, url: str) -> list[str]:
    learner.client.get(url)  # warm: the first view may fill caches
    with counted(app) as statements:
        response = learner.client.get(url)
    assert response.status_code == 200, url
    return _queries(statements)


@pytest.fixture
def studying(app: Flask, tmp_path: Path) -> Learner:
    """A learner enrolled in the test course with one module open, and a certificate elsewhere."""
    learner, _certificate = complete_course(app, tmp_path, slug="kursus-selesai")
    publish_course(tmp_path)
    learner.enroll()
    learner.client.get("/learn/dasar-proyek/siklus")
    return learner


PAGES = {
    "module": "/learn/dasar-proyek/siklus",
    "quiz landing": "/learn/dasar-proyek/kuis-siklus",
    "catalog": "/courses/",
    "dashboard": "/me",
    "career record": "/me/records",
}


@pytest.mark.parametrize("page", list(PAGES))
def test_learner_page_within_statement_budget(app: Flask, studying: Learner, page: str):
    statements = _get(app, studying, PAGES[page])
    assert len(statements) <= BUDGET, "\n".join(statements)


def test_certificate_verify_page_within_statement_budget(app: Flask, tmp_path: Path):
    learner, certificate = complete_course(app, tmp_path)
    statements = _get(app, learner, f"/certificates/{certificate.code}")
    assert len(statements) <= BUDGET, "\n".join(statements)


def test_another_learner_verifying_a_certificate_loads_no_course(app: Flask, tmp_path: Path):
    # Learners manage no course, so the page needs the user and the certificate only.
    _owner, certificate = complete_course(app, tmp_path)
    other = sign_in(app, name="Lain")
    statements = _get(app, other, f"/certificates/{certificate.code}")
    assert len(statements) <= 2, "\n".join(statements)
    page = other.client.get(f"/certificates/{certificate.code}").get_data(True)
    assert "Unduh PDF" not in page and "Cabut sertifikat" not in page


def test_coordinators_see_whether_they_may_revoke_within_statement_budget(
    app: Flask, tmp_path: Path
):
    # The course's owning unit comes with the certificate's row: no version or course loaded.
    palu, mamuju = make_unit("Kota Palu", code="palu"), make_unit("Kab. Mamuju", code="mamuju")
    _owner, certificate = complete_course(app, tmp_path)
    certificate.version.course.unit_id = palu.id
    db.session.commit()
    url = f"/certificates/{certificate.code}"
    for unit, may_revoke in ((palu, True), (mamuju, False)):
        coordinator = make_user(Role.COORDINATOR, unit=unit, scope=[unit], name="Koordinator")
        viewer = Learner(coordinator, app.test_client())
        AuthActions(viewer.client).login(coordinator.nip)
        statements = _get(app, viewer, url)
        assert len(statements) <= BUDGET, "\n".join(statements)
        page = viewer.client.get(url).get_data(True)
        assert ("Cabut sertifikat" in page) is may_revoke, unit.code
        assert (f'action="{url}/revoke"' in page) is ("Unduh PDF" in page) is may_revoke


def test_module_page_does_not_wait_for_an_open_sqlite_write(app: Flask, studying: Learner):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single writer lock")
    writer = db.engine.raw_connection()
    cursor = writer.cursor()
    cursor.execute("BEGIN IMMEDIATE")
    cursor.execute("UPDATE course SET created_at = created_at")
    results: list[int] = []

    def read() -> None:
        with app.app_context():
            results.append(studying.client.get(PAGES["module"]).status_code)

    reader = threading.Thread(target=read)
    began = time.monotonic()
    try:
        reader.start()
        reader.join(timeout=10)
        took = time.monotonic() - began
    finally:
        writer.rollback()
        writer.close()
    assert results == [200]
    assert took < 3, f"the page waited {took:.1f} s for the writer"


def test_parallel_module_views_all_answer(app: Flask, studying: Learner):
    db.session.commit()
    statuses: list[int] = []

    def view() -> None:
        with app.app_context():
            for _ in range(5):
                statuses.append(studying.client.get(PAGES["module"]).status_code)

    threads = [threading.Thread(target=view) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * 30


def test_module_page_revalidates_with_etag(app: Flask, studying: Learner, tmp_path: Path):
    first = studying.client.get(PAGES["module"])
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    again = studying.client.get(PAGES["module"], headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    # Marking the module done changes what the page shows, and so its ETag.
    studying.post(f"{PAGES['module']}/complete", page=PAGES["module"])
    changed = studying.client.get(PAGES["module"], headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Modul ini sudah selesai" in changed.get_data(True)
    # Another learner never gets this learner's page from a cache.
    other = sign_in(app, name="Lain")
    other.enroll()
    assert other.client.get(PAGES["module"]).headers["ETag"] != etag


def test_browsers_revalidate_the_module_page_without_a_render(app: Flask, studying: Learner):
    rendered: list[str] = []

    def note(_sender: Flask, template: Template, **_extra: object) -> None:
        rendered.append(template.name or "")

    for encoding in ("gzip", "gzip, deflate, br"):
        first = studying.client.get(PAGES["module"], headers={"Accept-Encoding": encoding})
        etag = first.headers["ETag"]  # the compressed page's, "…:gzip" or "…:br"
        with template_rendered.connected_to(note, app):
            again = studying.client.get(
                PAGES["module"], headers={"Accept-Encoding": encoding, "If-None-Match": etag}
            )
        assert again.status_code == 304 and again.get_data() == b""
        assert again.headers["ETag"] == etag  # the browser keeps the copy it holds
        assert "learning/module.html" not in rendered
    # Another learner's copy is not this learner's page.
    other = sign_in(app, name="Lain")
    other.enroll()
    theirs = other.client.get(PAGES["module"], headers={"Accept-Encoding": "gzip"})
    mine = studying.client.get(
        PAGES["module"],
        headers={"Accept-Encoding": "gzip", "If-None-Match": theirs.headers["ETag"]},
    )
    assert mine.status_code == 200


def test_pages_are_compressed_and_static_files_fingerprinted(app: Flask, studying: Learner):
    page = studying.client.get(PAGES["module"], headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(page.get_data()).decode()
    match = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', html)
    assert match, "the stylesheet URL names its content hash"
    css = studying.client.get(match.group(1), headers={"Accept-Encoding": "gzip"})
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert css.headers["Content-Encoding"] == "gzip"
    stale = studying.client.get("/static/css/app.css?v=000000000000")
    assert "immutable" not in stale.headers.get("Cache-Control", "")


def test_browsers_get_the_same_page_in_brotli(studying: Learner):
    plain = studying.client.get(PAGES["module"])
    browser = {"Accept-Encoding": "gzip, deflate, br"}  # what browsers send
    page = studying.client.get(PAGES["module"], headers=browser)
    assert page.headers["Content-Encoding"] == "br"
    assert without_csrf_tokens(brotli.decompress(page.get_data()).decode()) == without_csrf_tokens(
        plain.get_data(as_text=True)
    )
    assert len(page.get_data()) < len(plain.get_data()) / 2
    again = studying.client.get(
        PAGES["module"], headers={**browser, "If-None-Match": page.headers["ETag"]}
    )
    assert again.status_code == 304


def test_compressed_pages_answer_their_conditions(studying: Learner):
    gzipped = {"Accept-Encoding": "gzip"}
    page = studying.client.get(PAGES["module"], headers=gzipped)
    etag = page.headers["ETag"]
    assert etag.endswith(':gzip"'), "the compressed page's own validator"
    # The server (gunicorn, werkzeug) dates each response; the app added a second Date.
    assert "Date" not in page.headers
    again = studying.client.get(PAGES["module"], headers={**gzipped, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    head = studying.client.head(PAGES["module"], headers={**gzipped, "If-None-Match": etag})
    assert head.status_code == 304
    moved = studying.client.get(PAGES["module"], headers={**gzipped, "If-Match": '"other"'})
    assert moved.status_code == 412
    other = studying.client.get(PAGES["module"], headers={**gzipped, "If-None-Match": '"x"'})
    assert other.status_code == 200
    assert without_csrf_tokens(gzip.decompress(other.get_data()).decode()) == without_csrf_tokens(
        gzip.decompress(page.get_data()).decode()
    )
    css = next(
        re.finditer(
            r'href="(/static/css/app\.css\?v=\w+)"', gzip.decompress(page.get_data()).decode()
        )
    ).group(1)
    first = studying.client.get(css, headers=gzipped)
    cached = studying.client.get(css, headers={**gzipped, "If-None-Match": first.headers["ETag"]})
    assert cached.status_code == 304


@pytest.mark.parametrize("page", ["dashboard", "catalog"])
def test_dashboard_and_catalog_read_three_statements(app: Flask, studying: Learner, page: str):
    """The loader, the page's rows and one more: on PostgreSQL each statement is a round trip
    (the dashboard's trainings come with its certificates, the catalog's enrolments with its
    courses)."""
    statements = _get(app, studying, PAGES[page])
    assert len(statements) == 3, "\n".join(statements)
