"""Uploads are processed outside the request, under limits, and races or a full disk are named."""

import errno
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from elearn.content.limits import RenderBudget
from elearn.content.parse import parse_course
from elearn.content.publish import store_version
from elearn.coordinator.uploads import UploadSettings, accept_upload, process_upload
from elearn.extensions import db
from elearn.jobs.binding import current_jobs
from elearn.models import CourseUpload, CourseVersion, Role, UploadStatus, User, VersionStatus
from elearn.models.job import Job, JobState
from elearn.settings import with_changes
from tests.conftest import AuthActions, csrf_token, run_in_parallel
from tests.content.course_fixtures import MODULE_MD, write_course, zip_folder
from tests.coordinator.test_courses import palu_coordinator, upload
from tests.factories import make_unit, make_user

IN_PROCESS = UploadSettings(budget=RenderBudget(), sandboxed=False)


def wait_until_finished(client: FlaskClient, url: str, seconds: float = 60) -> str:
    """Reload the status page as its meta refresh would, until processing is over."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = client.get(url).get_data(as_text=True)
        if 'http-equiv="refresh"' not in page:
            return page
        time.sleep(0.3)
    raise AssertionError(f"{url} still processing after {seconds} s")


def test_an_upload_is_processed_by_its_job_in_the_render_process(
    app: Flask, client: FlaskClient, auth: AuthActions, tmp_path: Path
):
    with_changes(app, content_sandbox=True)
    palu = palu_coordinator(auth)
    response = upload(client, zip_folder(write_course(tmp_path)), palu)
    assert response.status_code == 302
    status_url = response.headers["Location"]
    assert status_url == "/coordinator/uploads/1"

    page = wait_until_finished(client, status_url)
    assert "Versi baru tersimpan sebagai draf" in page
    assert 'href="/coordinator/courses/dasar-proyek/v/1"' in page
    preview = client.get("/coordinator/courses/dasar-proyek/v/1").get_data(as_text=True)
    assert '<h2 id="tahap-proyek">Tahap proyek</h2>' in preview
    job = db.session.scalars(select(Job)).one()
    assert (job.kind, job.key, job.state, job.attempts) == (
        "course.upload",
        "course.upload:1",
        JobState.DONE,
        1,
    )


def queued(data: bytes, role: Role = Role.COORDINATOR) -> int:
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    coordinator = make_user(role, unit=palu, scope=[palu], name="Siti")
    upload_id = accept_upload(data, "dasar-proyek.zip", palu, coordinator).id
    db.session.commit()
    return upload_id


def test_a_file_over_the_cpu_budget_is_killed_and_reported(app: Flask, tmp_path: Path):
    # With the shape check switched off, 50,000 "[" keep the renderer busy for minutes.
    hostile = MODULE_MD + "[" * 50_000
    upload_id = queued(zip_folder(write_course(tmp_path, **{"01-siklus.md": hostile})))
    budget = RenderBudget(cpu_seconds=1, wall_seconds=30, max_scan_chars=10**12)
    started = time.monotonic()
    process_upload(upload_id, UploadSettings(budget=budget))
    assert time.monotonic() - started < 20
    upload_row = db.session.get_one(CourseUpload, upload_id)
    assert upload_row.status == UploadStatus.FAILED
    assert upload_row.message.startswith("pemrosesan melebihi batas waktu (1 detik)")
    assert db.session.scalar(select(CourseVersion)) is None


def test_the_wall_clock_limit_kills_the_render_process(app: Flask, tmp_path: Path):
    upload_id = queued(zip_folder(write_course(tmp_path)))
    budget = RenderBudget(wall_seconds=0)  # no time at all: killed while starting
    process_upload(upload_id, UploadSettings(budget=budget))
    upload_row = db.session.get_one(CourseUpload, upload_id)
    assert upload_row.status == UploadStatus.FAILED
    assert "melebihi batas waktu (0 detik)" in upload_row.message


def test_authors_errors_come_back_from_the_render_process(app: Flask, tmp_path: Path):
    upload_id = queued(zip_folder(write_course(tmp_path, **{"01-siklus.md": "[" * 10_000})))
    process_upload(upload_id, UploadSettings(budget=RenderBudget()))
    upload_row = db.session.get_one(CourseUpload, upload_id)
    assert upload_row.status == UploadStatus.FAILED
    assert upload_row.errors == [
        {
            "path": "dasar-proyek/01-siklus.md",
            "line": 1,
            "message": "terlalu banyak tanda kurung [ ] atau ( ) yang tidak ditutup; "
            "berkas ini akan terlalu lama diproses",
            # Kept so the status page can show the message in English (see problem_text.py).
            "msgid": "terlalu banyak %(what)s; berkas ini akan terlalu lama diproses",
            "params": {
                "what": {"msgid": "tanda kurung [ ] atau ( ) yang tidak ditutup", "params": {}}
            },
        }
    ]


def test_the_status_page_shows_an_authors_error_in_the_viewers_language(
    app: Flask, client: FlaskClient, auth: AuthActions, tmp_path: Path
):
    upload_id = queued(zip_folder(write_course(tmp_path, **{"01-siklus.md": "[" * 10_000})))
    process_upload(upload_id, IN_PROCESS)
    uploader = db.session.get_one(User, db.session.get_one(CourseUpload, upload_id).uploaded_by_id)
    auth.login(uploader.nip)
    url = f"/coordinator/uploads/{upload_id}"
    indonesian = client.get(url).get_data(as_text=True)
    assert "terlalu banyak tanda kurung [ ] atau ( ) yang tidak ditutup" in indonesian
    client.post("/language/en", data={"csrf_token": csrf_token(client, url), "next": url})
    english = client.get(url).get_data(as_text=True)
    assert "dasar-proyek/01-siklus.md:1:" in english
    assert "too many unclosed brackets [ ] or ( ); this file would take too long" in english
    assert "terlalu banyak" not in english


def test_ten_parallel_uploads_of_one_course_never_fail_with_a_server_error(
    app: Flask, client: FlaskClient, auth: AuthActions, tmp_path: Path, monkeypatch
):
    palu = palu_coordinator(auth)
    # Leave the uploads queued; the test processes them all at the same moment.
    monkeypatch.setattr(current_jobs(app).queue, "send", lambda *args, **kwargs: None)
    ids = []
    for number in range(10):
        # Half identical, half each with its own change: new versions and "unchanged" mixed.
        extra = f"\nPerubahan {number}.\n" if number % 2 else ""
        folder = write_course(tmp_path / str(number), **{"01-siklus.md": MODULE_MD + extra})
        response = upload(client, zip_folder(folder), palu)
        ids.append(int(response.headers["Location"].rsplit("/", 1)[1]))
    pending = iter(ids)
    errors = run_in_parallel(app, 10, lambda: process_upload(next(pending), IN_PROCESS))
    assert errors == []
    db.session.expire_all()
    statuses = [db.session.get_one(CourseUpload, i).status for i in ids]
    assert set(statuses) <= {UploadStatus.DONE, UploadStatus.CONFLICT}
    numbers = db.session.scalars(select(CourseVersion.number)).all()
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    for upload_id, status in zip(ids, statuses, strict=True):
        response = client.get(f"/coordinator/uploads/{upload_id}")
        if status == UploadStatus.CONFLICT:
            assert response.status_code == 409
            assert "Versi ini sedang diterbitkan" in response.get_data(as_text=True)
        else:
            assert response.status_code == 200


def test_a_publish_race_answers_409_in_indonesian(
    app: Flask, client: FlaskClient, auth: AuthActions, tmp_path: Path, monkeypatch
):
    palu = palu_coordinator(auth)
    store_version(parse_course(write_course(tmp_path)), unit=palu, actor=None, publish=False)
    db.session.commit()

    def lose_the_race(version: CourseVersion) -> None:
        raise IntegrityError("UPDATE course_version", {}, Exception("duplicate key"))

    monkeypatch.setattr("elearn.coordinator.views.publish_version", lose_the_race)
    token = csrf_token(client, "/coordinator/courses/dasar-proyek")
    response = client.post(
        "/coordinator/courses/dasar-proyek/v/1/publish", data={"csrf_token": token}
    )
    assert response.status_code == 409
    assert "Versi ini sedang diterbitkan" in response.get_data(as_text=True)


def test_parallel_publishing_of_two_versions_leaves_one_published(
    app: Flask, client: FlaskClient, auth: AuthActions, tmp_path: Path
):
    palu = palu_coordinator(auth)
    for name in ("a", "b"):
        changed = write_course(tmp_path / name, **{"01-siklus.md": MODULE_MD + name})
        store_version(parse_course(changed), unit=palu, actor=None, publish=False)
    db.session.commit()
    token = csrf_token(client, "/coordinator/courses/dasar-proyek")
    numbers = iter([1, 2])
    codes: list[int] = []

    def publish() -> None:
        url = f"/coordinator/courses/dasar-proyek/v/{next(numbers)}/publish"
        codes.append(client.post(url, data={"csrf_token": token}).status_code)

    assert run_in_parallel(app, 2, publish) == []
    assert set(codes) <= {302, 409}
    db.session.expire_all()
    statuses = db.session.scalars(select(CourseVersion.status)).all()
    assert statuses.count(VersionStatus.PUBLISHED) == 1


def test_a_full_temp_directory_is_reported_not_a_500(
    app: Flask, client: FlaskClient, auth: AuthActions, tmp_path: Path, monkeypatch
):
    palu = palu_coordinator(auth)
    data = zip_folder(write_course(tmp_path))

    def disk_full(self: Path, content: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    response = upload(client, data, palu)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ruang penyimpanan sementara di server penuh" in page
    assert db.session.scalar(select(CourseVersion)) is None


def test_a_full_disk_while_storing_the_upload_gets_a_clear_page(
    app: Flask, client: FlaskClient, auth: AuthActions, tmp_path: Path, monkeypatch
):
    palu = palu_coordinator(auth)

    def disk_full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("elearn.coordinator.views.accept_upload", disk_full)
    response = upload(client, zip_folder(write_course(tmp_path)), palu)
    assert response.status_code == 507
    assert "Ruang penyimpanan sementara di server penuh" in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["other coordinator", "learner"])
def test_only_the_uploader_sees_an_upload(
    app: Flask, client: FlaskClient, auth: AuthActions, tmp_path: Path, who: str
):
    upload_id = queued(zip_folder(write_course(tmp_path)))
    if who == "learner":
        other = make_user(Role.LEARNER, name="Lain")
    else:
        mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
        other = make_user(Role.COORDINATOR, unit=mamuju, scope=[mamuju], name="Lain")
    auth.login(other.nip)
    assert client.get(f"/coordinator/uploads/{upload_id}").status_code in (403, 404)


def test_an_upload_lost_with_its_worker_is_reported_failed_not_processing_for_ever(
    app: Flask, client: FlaskClient, auth: AuthActions, tmp_path: Path
):
    upload_id = queued(zip_folder(write_course(tmp_path)))
    uploader = db.session.get_one(CourseUpload, upload_id).uploaded_by
    auth.login(uploader.nip)
    url = f"/coordinator/uploads/{upload_id}"
    assert 'http-equiv="refresh"' in client.get(url).get_data(as_text=True)  # still queued

    # The worker restarted an hour ago; nobody will pick the upload up now.
    db.session.get_one(CourseUpload, upload_id).created_at -= timedelta(hours=1)
    db.session.commit()
    page = client.get(url).get_data(as_text=True)

    assert 'http-equiv="refresh"' not in page
    assert "pemrosesan terhenti" in page and "unggah ulang" in page
    db.session.expire_all()
    assert db.session.get_one(CourseUpload, upload_id).status == UploadStatus.FAILED
