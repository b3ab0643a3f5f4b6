"""Large exports as jobs: request the file, watch its progress, download it within 24 hours.

Pages here read the job from the primary (a replica may not have it yet).
"""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from elearn import clock
from elearn.auth.access import role_required
from elearn.database import writes
from elearn.extensions import db
from elearn.jobs.binding import current_blobs, current_jobs
from elearn.models import Role, User
from elearn.models.job import Job, JobState
from elearn.reports.audit import audit
from elearn.reports.export_jobs import FILTER_ARGS, FORMATS
from elearn.reports.export_jobs import KIND as EXPORT_JOB
from elearn.reports.filters import InvalidFilter, ReportFilter

bp = Blueprint("export_jobs", __name__, url_prefix="/reports/export/jobs")

STAFF = (Role.EVALUATOR, Role.COORDINATOR, Role.ADMIN)
REQUEST_KEY = re.compile(r"^[0-9a-f]{32}$")


@bp.route("/", methods=["POST"])
@role_required(*STAFF)
def request_file() -> BaseResponse | tuple[str, int]:
    """Start building an export file; the same request key (a double click) starts it once."""
    form = request.form
    try:
        ReportFilter.from_args(form)  # the job reads it again from its arguments
    except InvalidFilter as exc:
        return render_template("reports/bad_filter.html", message=str(exc)), 400
    kind = form.get("format", "")
    request_key = form.get("request_key", "")
    if kind not in FORMATS or not REQUEST_KEY.match(request_key):
        abort(400)
    user_id = current_user.id
    filters = {name: form[name] for name in FILTER_ARGS if form.get(name)}
    job = current_jobs().submit(
        EXPORT_JOB,
        {"format": kind, "filters": filters, "user_id": user_id},
        key=f"{EXPORT_JOB}:{user_id}:{request_key}",
        owner_id=user_id,
    )
    return redirect(url_for(".status", job_id=job.id), code=303)


def _own_export(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or job.kind != EXPORT_JOB or job.owner_id != current_user.id:
        abort(404)
    return job


@bp.route("/<int:job_id>")
@role_required(*STAFF)
def status(job_id: int) -> str:
    job = _own_export(job_id)
    return render_template("reports/export_job.html", job=job, states=JobState)


@bp.route("/<int:job_id>/download")
@role_required(*STAFF)
def download(job_id: int) -> BaseResponse | tuple[str, int]:
    """Send a built file to the one who asked for it, while it is kept; audited like a stream."""
    job = _own_export(job_id)
    if job.state != JobState.DONE:
        return redirect(url_for(".status", job_id=job_id))
    store = current_blobs()
    info = store.info(job.result)
    user_id = current_user.id
    if info is None or info.owner_id != user_id or info.expires_at < clock.now():
        return render_template("reports/export_gone.html"), 410
    facts = job.result_info
    with writes():
        user = db.session.get(User, user_id)
        audit(user, f"export.{facts['format']}", facts["filters"], facts["rows"])
    return Response(
        stream_with_context(store.chunks(info.ref)),
        mimetype=info.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{info.filename}"',
            "Content-Length": str(info.size),
            "Cache-Control": "no-store",
        },
    )
