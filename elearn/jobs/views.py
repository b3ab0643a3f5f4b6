"""Admins see the jobs that failed or died, and requeue them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from elearn.auth.access import role_required
from elearn.extensions import db
from elearn.forms import Form
from elearn.jobs.binding import current_jobs
from elearn.models import Role
from elearn.models.job import Job, JobState

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")

LISTED = 200


class RequeueForm(Form):
    """A POST button that carries the CSRF token."""


@bp.before_request
@role_required(Role.ADMIN)
def _admins_only() -> None:
    """Every page here is for admins only."""


@bp.route("/")
def index() -> str:
    troubled = (
        select(Job)
        .where(Job.state.in_([JobState.FAILED, JobState.DEAD]))
        .order_by(Job.id.desc())
        .limit(LISTED)
    )
    return render_template(
        "jobs/index.html",
        jobs=db.session.scalars(troubled).all(),
        form=RequeueForm(),
        queue=current_jobs().queue.name,
        states=JobState,
    )


@bp.route("/<int:job_id>/requeue", methods=["POST"])
def requeue(job_id: int) -> Response:
    if RequeueForm().validate_on_submit():
        if current_jobs().requeue(job_id):
            flash(_("Pekerjaan #%(id)d dimasukkan lagi ke antrean.", id=job_id), "success")
        else:
            flash(
                _("Pekerjaan #%(id)d tidak sedang gagal; tidak ada yang diubah.", id=job_id),
                "error",
            )
    return redirect(url_for(".index"))
