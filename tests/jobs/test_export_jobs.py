"""Large exports go through a job: request page → progress page → download, inline here."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from elearn.extensions import db
from elearn.models import Role, User
from elearn.models.blob import Blob, BlobChunk
from elearn.models.job import Job, JobState
from elearn.settings import with_changes
from tests.factories import make_unit, make_user
from tests.reports.test_exports import (
    HEADERS,
    audits,
    enroll,
    make_course,
    read_csv,
    staff_client,
)

HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


def ask_for_file(client: FlaskClient, url: str) -> dict[str, str]:
    """Open a too-large direct export; return the fields of its "prepare the file" form."""
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "terlalu besar untuk diunduh langsung" in html
    fields = dict(HIDDEN.findall(html))
    fields["format"] = re.search(r'name="format" value="(\w+)"', html).group(1)  # type: ignore[union-attr]
    return fields


@pytest.fixture
def palu_with_learners(app: Flask, clock):
    """Three learners in Palu, one in Mamuju; direct exports stop at two rows."""
    with_changes(app, export_direct_max_rows=2)
    palu = make_unit(code="palu")
    mamuju = make_unit(code="mamuju")
    version = make_course()
    for index in range(3):
        enroll(make_user(unit=palu, name=f"Peserta {index}"), version)
    enroll(make_user(unit=mamuju, name="Peserta Mamuju"), version)
    return palu


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_large_export_is_built_by_a_job_and_downloaded_by_its_requester(
    app: Flask, palu_with_learners, kind: str
):
    client = staff_client(app, palu_with_learners)
    fields = ask_for_file(client, f"/reports/export/enrollments.{kind}?competency=teknis")
    assert fields["format"] == kind and fields["competency"] == "teknis"

    response = client.post("/reports/export/jobs/", data=fields)
    assert response.status_code == 303
    status_url = response.headers["Location"]
    page = client.get(status_url).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page  # inline: done before the redirect
    assert "Berkas siap: 3 baris." in page
    download_url = f"{status_url}/download"
    assert f'href="{download_url}"' in page
    assert audits() == []  # building the file is not a pull; downloading it is

    download = client.get(download_url)
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="enrollments-20260302.{kind}"'
    )
    if kind == "csv":
        lines = read_csv(download.data)
        names = sorted(line[HEADERS.index("Nama")] for line in lines[1:])
    else:
        sheet = load_workbook(io.BytesIO(download.data), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]
        names = sorted(str(row[HEADERS.index("Nama")]) for row in rows[1:])
    assert names == ["Peserta 0", "Peserta 1", "Peserta 2"]  # Mamuju is out of scope
    assert [(e.action, e.row_count, e.filters) for e in audits()] == [
        (f"export.{kind}", 3, {"competency": "teknis"})
    ]

    # Another evaluator of the same unit neither sees nor downloads it.
    colleague = staff_client(app, palu_with_learners, Role.EVALUATOR)
    assert colleague.get(status_url).status_code == 404
    assert colleague.get(download_url).status_code == 404


def test_the_same_request_key_starts_one_job(app: Flask, palu_with_learners):
    client = staff_client(app, palu_with_learners)
    fields = ask_for_file(client, "/reports/export/enrollments.csv")
    first = client.post("/reports/export/jobs/", data=fields)
    again = client.post("/reports/export/jobs/", data=fields)  # a double click
    assert first.headers["Location"] == again.headers["Location"]
    assert db.session.scalar(select(func.count(Job.id))) == 1
    assert db.session.scalar(select(func.count(Blob.id))) == 1

    fresh = ask_for_file(client, "/reports/export/enrollments.csv")  # a new visit, a new key
    other = client.post("/reports/export/jobs/", data=fresh)
    assert other.headers["Location"] != first.headers["Location"]


def test_the_progress_page_shows_the_percentage_and_refreshes_itself(
    app: Flask, palu_with_learners
):
    client = staff_client(app, palu_with_learners)
    me = db.session.scalars(select(User).where(User.full_name == "Staf palu")).one()
    job = Job(kind="export.enrollments", key="export.enrollments:test", args={}, owner_id=me.id)
    job.state, job.progress = JobState.RUNNING, 40  # as a worker halfway through would leave it
    db.session.add(job)
    db.session.commit()

    page = client.get(f"/reports/export/jobs/{job.id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "Berkas sedang disiapkan: 40%" in page
    assert '<progress max="100" value="40">' in page
    # Not done yet: the download address leads back to the progress page.
    response = client.get(f"/reports/export/jobs/{job.id}/download")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reports/export/jobs/{job.id}"


def test_a_file_is_kept_24_hours_then_purged(app: Flask, palu_with_learners, clock, runner):
    client = staff_client(app, palu_with_learners)
    response = client.post(
        "/reports/export/jobs/", data=ask_for_file(client, "/reports/export/enrollments.csv")
    )
    download_url = response.headers["Location"] + "/download"
    clock.advance(hours=23)
    assert client.get(download_url).status_code == 200
    clock.advance(hours=2)
    gone = client.get(download_url)
    assert gone.status_code == 410
    assert "Berkas tidak tersedia lagi" in gone.get_data(as_text=True)

    result = runner.invoke(args=["jobs", "run-due"])  # submits (inline: runs) the hourly purge
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Blob.id))) == 0
    assert db.session.scalar(select(func.count()).select_from(BlobChunk)) == 0
    purge = db.session.scalars(select(Job).where(Job.kind == "blobs.purge")).one()
    assert purge.state == JobState.DONE and purge.result_info["files"] == 1
