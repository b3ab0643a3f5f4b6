"""Certificate PDFs rendered once by the ``certificate.pdf`` job, kept in the blob store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select, update

from elearn.certificates.issuance import document_of, issue_missing
from elearn.certificates.owed_job import ISSUE_OWED_KIND
from elearn.certificates.pdf import render_certificate_pdf
from elearn.certificates.pdf_store import PDF_KIND
from elearn.content.parse import parse_course
from elearn.content.publish import store_version
from elearn.extensions import db
from elearn.jobs.binding import current_jobs
from elearn.jobs.service import Jobs
from elearn.models import Certificate, Role, Unit, User
from elearn.models.blob import Blob, BlobChunk
from elearn.models.job import Job, JobState
from elearn.settings import current_settings, with_changes
from tests.certificates.helpers import NO_QUIZZES, complete_course
from tests.certificates.test_pdf import page_text
from tests.conftest import AuthActions, csrf_token
from tests.content.course_fixtures import write_course
from tests.factories import make_unit, make_user
from tests.learning.helpers import publish_course, sign_in

BASE = "https://elearn.palukota.go.id"
Queue = TypeVar("Queue", bound="SentIds")
# Stands in for the stored file, so a test can tell it from a fresh rendering.
MARKED = b"%PDF-1.4 stored by the job"


def signed_part(pdf: bytes) -> bytes:
    """The PDF as rendered: its first revision, before the signature's incremental update."""
    end = pdf.index(b"%%EOF\n") + len(b"%%EOF\n")
    assert b"/ByteRange" in pdf[end:]  # and it is signed
    return pdf[:end]


def pdf_jobs() -> list[Job]:
    db.session.expire_all()
    return list(db.session.scalars(select(Job).where(Job.kind == PDF_KIND).order_by(Job.id)))


def mark_stored_pdf(job: Job) -> None:
    """Overwrite the stored file's bytes: what is served from the store shows it."""
    blob_id = int(job.result.removeprefix("blob:"))
    db.session.execute(update(BlobChunk).where(BlobChunk.blob_id == blob_id).values(data=MARKED))
    db.session.execute(update(Blob).where(Blob.id == blob_id).values(size=len(MARKED)))
    db.session.commit()


def publish_in_palu(tmp_path: Path) -> Unit:
    """Publish the test course for Palu, so Palu's coordinators manage its certificates."""
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    course = parse_course(write_course(tmp_path, **NO_QUIZZES))
    store_version(course, unit=palu, actor=None, publish=True)
    db.session.commit()
    return palu


def signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    AuthActions(client).login(user.nip)
    return client


class SentIds:
    """A queue that only notes what it was given, as Redis would hold it for a worker."""

    name = "recording"

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.background: list[int] = []  # those sent to wait for the others

    def send(
        self, job_id: int, delay: timedelta | None = None, *, background: bool = False
    ) -> None:
        self.sent.append(job_id)
        if background:
            self.background.append(job_id)


class IssuingWorker(SentIds):
    """Notes the jobs it is given, but runs the owed certificates' job at once (a quick worker)."""

    def __init__(self, jobs: Jobs) -> None:
        super().__init__()
        self._jobs = jobs

    def send(
        self, job_id: int, delay: timedelta | None = None, *, background: bool = False
    ) -> None:
        job = db.session.get(Job, job_id)
        if job is not None and job.kind == ISSUE_OWED_KIND:
            self._jobs.run(job_id)
        else:
            super().send(job_id, delay, background=background)


def test_first_download_stores_the_pdf_via_the_job_and_later_ones_serve_it(
    app: Flask, tmp_path: Path
):
    learner, certificate = complete_course(app, tmp_path)
    # Inline (no Redis) the completing submit does not render: the first download does.
    assert pdf_jobs() == []
    url = f"/certificates/{certificate.code}/pdf"

    first = learner.client.get(url)
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    [job] = pdf_jobs()
    assert job.state == JobState.DONE and job.result.startswith("blob:")
    assert job.owner_id == learner.user.id
    # What the job stored is what the request would have rendered itself, then signed
    # (the signature is an incremental update after the rendered bytes).
    fresh = render_certificate_pdf(document_of(certificate, "http://localhost"))
    assert signed_part(first.data) == fresh
    assert first.headers["Content-Disposition"] == (
        f'attachment; filename="sertifikat-dasar-proyek-{certificate.year}.pdf"'
    )
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert first.headers["Content-Length"] == str(len(first.data))
    etag = first.headers["ETag"]

    mark_stored_pdf(job)
    second = learner.client.get(url)
    assert second.status_code == 200 and second.data == MARKED
    assert second.headers["ETag"] == etag
    assert len(pdf_jobs()) == 1  # nothing rendered or submitted again

    unchanged = learner.client.get(url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""


def test_revocation_is_never_served_the_stored_pdf(app: Flask, tmp_path: Path):
    palu = publish_in_palu(tmp_path)
    learner, certificate = complete_course(app, tmp_path, unit=palu)
    url = f"/certificates/{certificate.code}/pdf"
    before = learner.client.get(url)
    [job] = pdf_jobs()
    mark_stored_pdf(job)

    coordinator = signed_in(app, make_user(Role.COORDINATOR, unit=palu, scope=[palu], name="Siti"))
    page = f"/certificates/{certificate.code}"
    revoked = coordinator.post(
        f"{page}/revoke",
        data={"csrf_token": csrf_token(coordinator, page), "reason": "Data palsu"},
    )
    assert revoked.status_code == 302

    after = learner.client.get(url)
    assert after.status_code == 200 and after.data != MARKED
    # Rendered afresh, stamped across the page; its QR code leads to "DICABUT" too.
    assert after.data != before.data
    stamped = page_text(after.data)
    assert "DICABUT" in stamped and "sertifikat ini tidak berlaku" in stamped
    assert "DICABUT" not in page_text(before.data)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert len(pdf_jobs()) == 1  # a revoked certificate's PDF is not stored
    # The manager may still download it (rendered and signed afresh each time).
    assert signed_part(coordinator.get(url).data) == signed_part(after.data)
    assert "DICABUT" in app.test_client().get(page).get_data(as_text=True)


def test_a_changed_printed_address_gets_a_new_pdf(app: Flask, tmp_path: Path):
    learner, certificate = complete_course(app, tmp_path)
    url = f"/certificates/{certificate.code}/pdf"
    learner.client.get(url)
    [old] = pdf_jobs()
    mark_stored_pdf(old)

    with_changes(app, public_base_url=BASE)
    changed = learner.client.get(url)
    assert changed.status_code == 200 and changed.data != MARKED
    assert signed_part(changed.data) == render_certificate_pdf(document_of(certificate, BASE))
    assert [job.state for job in pdf_jobs()] == [JobState.DONE, JobState.DONE]


def test_only_owner_and_managers_download_a_stored_pdf(app: Flask, tmp_path: Path):
    palu = publish_in_palu(tmp_path)
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    learner, certificate = complete_course(app, tmp_path, unit=palu)
    url = f"/certificates/{certificate.code}/pdf"
    stored = learner.client.get(url).data  # now stored
    assert len(pdf_jobs()) == 1

    assert sign_in(app, name="Lain").client.get(url).status_code == 404
    assert app.test_client().get(url).status_code == 302  # to the sign-in page
    outsider = make_user(Role.COORDINATOR, unit=mamuju, scope=[mamuju], name="Yusuf")
    assert signed_in(app, outsider).get(url).status_code == 404
    coordinator = make_user(Role.COORDINATOR, unit=palu, scope=[palu], name="Siti")
    assert signed_in(app, coordinator).get(url).data == stored


def with_workers(app: Flask, queue: Callable[[Jobs], Queue]) -> Queue:
    """Jobs go to ``queue`` as to workers, and PDFs are rendered ahead (PUBLIC_BASE_URL)."""
    with_changes(app, public_base_url=BASE)
    jobs = current_jobs(app)
    made = queue(jobs)
    jobs.queue = made
    return made


def test_with_workers_issuing_queues_the_job_and_the_download_waits_for_nothing(
    app: Flask, tmp_path: Path
):
    queue = with_workers(app, IssuingWorker)
    jobs = current_jobs(app)
    learner, certificate = complete_course(app, tmp_path)
    [job] = pdf_jobs()
    assert queue.sent == [job.id] and job.state == JobState.QUEUED
    assert job.args["certificate_id"] == certificate.id
    # Rendered ahead, nobody waiting on it: a worker takes other jobs first.
    assert queue.background == [job.id]

    # The worker is behind: the download renders on the spot and submits nothing new.
    url = f"/certificates/{certificate.code}/pdf"
    behind = learner.client.get(url)
    assert behind.status_code == 200
    assert signed_part(behind.data) == render_certificate_pdf(document_of(certificate, BASE))
    assert len(pdf_jobs()) == 1 and queue.sent == [job.id]

    assert jobs.run(job.id).state == JobState.DONE  # what a worker does with the message
    mark_stored_pdf(pdf_jobs()[0])
    assert learner.client.get(url).data == MARKED
    assert db.session.get(Certificate, certificate.id) is not None


class ReadWhenSent(IssuingWorker):
    """Also notes what another connection reads of a background job when its id is sent."""

    def __init__(self, jobs: Jobs) -> None:
        super().__init__(jobs)
        self.read: list[JobState | None] = []

    def send(
        self, job_id: int, delay: timedelta | None = None, *, background: bool = False
    ) -> None:
        if background:
            with db.engine.connect() as other:
                self.read.append(other.scalar(select(Job.state).where(Job.id == job_id)))
        super().send(job_id, delay, background=background)


def test_a_certificate_and_its_pdf_job_commit_together_and_the_job_is_sent_after(
    app: Flask, tmp_path: Path
):
    queue = with_workers(app, ReadWhenSent)
    transactions: list[set[str]] = [set()]  # what each transaction inserted, in order

    def inserted(_conn, _cursor, statement: str, params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO certificate "):
            transactions[-1].add("certificate")
        elif statement.startswith("INSERT INTO job ") and PDF_KIND in str(params):
            transactions[-1].add("its PDF job")

    def ended(_conn: object) -> None:
        transactions.append(set())

    listeners = (("before_cursor_execute", inserted), ("commit", ended), ("rollback", ended))
    for name, listener in listeners:
        event.listen(db.engine, name, listener)
    try:
        complete_course(app, tmp_path)
    finally:
        for name, listener in listeners:
            event.remove(db.engine, name, listener)
    # One commit for both: the job used to commit on its own after the certificate's (on
    # PostgreSQL, a second wait for the WAL flush for every certificate of a rush).
    assert [t for t in transactions if t] == [{"certificate", "its PDF job"}]
    # A worker told of it can claim it: the row was committed when its id was sent.
    assert queue.read == [JobState.QUEUED] and len(pdf_jobs()) == 1


def test_a_certificate_the_sweep_issues_has_its_pdf_rendered_ahead_too(app: Flask, tmp_path: Path):
    queue = with_workers(app, lambda _jobs: SentIds())  # no worker: the certificate stays owed
    learner = sign_in(app)
    publish_course(tmp_path, **NO_QUIZZES)
    learner.enroll()
    learner.post("/learn/dasar-proyek/siklus/complete")
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0

    with app.test_request_context():
        assert issue_missing(current_settings()) == 1
    [job] = pdf_jobs()
    certificate = db.session.scalars(select(Certificate)).one()
    assert job.args["certificate_id"] == certificate.id and job.id in queue.background
