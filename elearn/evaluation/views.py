"""The follow-up survey's answer page, and the evaluation report (levels 1–3) for staff."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from elearn import clock
from elearn.auth.access import role_required
from elearn.evaluation.answers import SurveyClosed, answer_survey, closes_at, survey_for
from elearn.evaluation.forms import FollowUpForm
from elearn.evaluation.pending import pending_surveys
from elearn.evaluation.report import evaluation_report, follow_up_table, gain_table
from elearn.extensions import db
from elearn.models import Course, FollowUpSurvey, Role
from elearn.reminders.inbox import course_title
from elearn.reports.audit import audit
from elearn.reports.jp_duty_export import Table, table_download
from elearn.reports.scope import report_unit_ids

bp = Blueprint("evaluation", __name__)


@bp.route("/evaluation/follow-up/<int:survey_id>", methods=["GET", "POST"])
@login_required
def follow_up(survey_id: int) -> str | WerkzeugResponse | tuple[str, int]:
    survey = survey_for(survey_id, current_user.id)
    if survey is None:
        abort(404)
    now = clock.now()
    is_open = now < closes_at(survey)
    form = FollowUpForm(
        data={"rating": str(survey.rating) if survey.rating else None, "comment": survey.comment}
    )
    if form.validate_on_submit():
        try:
            answer_survey(survey, int(form.rating.data or 0), form.comment.data or "", now)
        except SurveyClosed:
            return _follow_up_page(survey, form, False), 409
        db.session.commit()
        flash(_("Terima kasih, jawaban Anda tersimpan."), "success")
        return redirect(url_for("evaluation.follow_up", survey_id=survey.id))
    status = 400 if form.is_submitted() else 200
    return _follow_up_page(survey, form, is_open), status


def _follow_up_page(survey: FollowUpSurvey, form: FollowUpForm, is_open: bool) -> str:
    # The title the e-mail and the report show, without loading every version of the course.
    title = db.session.scalar(
        select(course_title()).where(Course.id == survey.enrollment.course_id)
    )
    return render_template(
        "evaluation/follow_up.html", survey=survey, form=form, is_open=is_open, course=title
    )


@bp.route("/reports/evaluation")
@role_required(Role.COORDINATOR, Role.EVALUATOR, Role.ADMIN)
def report() -> str:
    return render_template(
        "evaluation/report.html", report=evaluation_report(report_unit_ids(current_user))
    )


@bp.route("/reports/evaluation/gain.csv")
@role_required(Role.COORDINATOR, Role.EVALUATOR, Role.ADMIN)
def gain_csv() -> Response:
    table = gain_table(report_unit_ids(current_user))
    return _csv(table, "export.evaluation_gain.csv", "peningkatan-belajar")


@bp.route("/reports/evaluation/follow-up.csv")
@role_required(Role.COORDINATOR, Role.EVALUATOR, Role.ADMIN)
def follow_up_csv() -> Response:
    table = follow_up_table(report_unit_ids(current_user))
    return _csv(table, "export.evaluation_follow_up.csv", "survei-tindak-lanjut")


def _csv(table: Table, action: str, name: str) -> Response:
    audit(current_user, action, {}, len(table.rows))
    db.session.commit()
    return table_download(table, "csv", name)


@bp.route("/me/follow-ups")
@login_required
def pending() -> str:
    """The follow-up surveys waiting for the user's answer: their own and, as atasan
    langsung, about their team."""
    return render_template(
        "evaluation/pending.html", surveys=pending_surveys(current_user.id, clock.now())
    )
