"""Coaching and mentoring: the mentee's records, the mentor's confirmations, the unit's view."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as WerkzeugResponse

from elearn import clock
from elearn.auth.access import role_required
from elearn.badges.issuance import award_after_change
from elearn.extensions import db
from elearn.mentoring.forms import DecisionForm, SessionForm, WithdrawForm
from elearn.mentoring.sessions import (
    SessionRefused,
    SessionReport,
    decide_session,
    pending_for_mentor,
    record_session,
    session_change,
    sessions_in_units,
    sessions_of_mentee,
    sessions_of_mentor,
    withdraw_session,
)
from elearn.models import MentoringSession, Role, SessionStatus
from elearn.problem_text import problem_of, translated
from elearn.records.trainings import reviewable_units
from elearn.settings import current_settings

bp = Blueprint("mentoring", __name__)


@bp.route("/me/mentoring", methods=["GET", "POST"])
@login_required
def mine() -> str | WerkzeugResponse:
    """The mentee's sessions, and the form to record one."""
    form = SessionForm()
    if form.validate_on_submit():
        report = SessionReport(
            kind=form.kind.data or "",
            mentor_nip=form.mentor_nip.data or "",
            held_on=form.held_on.data,
            starts_at=form.starts_at.data,
            duration_minutes=form.duration_minutes.data or 0,
            topic=form.topic.data or "",
            competency=form.competency.data or "",
            outcome=form.outcome.data or "",
        )
        try:
            record_session(current_user, report)
        except SessionRefused as exc:
            flash(translated(problem_of(exc), _), "error")
        else:
            db.session.commit()
            flash(_("Sesi dicatat dan menunggu konfirmasi mentor."), "success")
            return redirect(url_for(".mine"))
    sessions = db.session.execute(sessions_of_mentee(current_user)).all()
    return render_template(
        "mentoring/mine.html",
        form=form,
        sessions=sessions,
        withdraw_form=WithdrawForm(),
        minutes_per_jp=current_settings().mentoring_minutes_per_jp,
        waiting=pending_for_mentor(current_user),
    )


@bp.route("/me/mentoring/<int:session_id>/withdraw", methods=["POST"])
@login_required
def withdraw(session_id: int) -> WerkzeugResponse:
    session = db.get_or_404(MentoringSession, session_id)
    if session.mentee_id != current_user.id:
        abort(404)
    if WithdrawForm().validate_on_submit():
        if withdraw_session(session, current_user):
            db.session.commit()
            flash(_("Permintaan konfirmasi dibatalkan."), "success")
        else:
            flash(
                _("Sesi yang sudah diputuskan mentor tidak dapat diubah; catat sesi baru."),
                "error",
            )
    return redirect(url_for(".mine"))


@bp.route("/me/mentoring/requests")
@login_required
def requests() -> str:
    """The mentor's page: requests to confirm, then the latest they decided."""
    sessions = db.session.execute(sessions_of_mentor(current_user)).all()
    return render_template("mentoring/requests.html", sessions=sessions, form=DecisionForm())


@bp.route("/me/mentoring/requests/<int:session_id>", methods=["POST"])
@login_required
def decide(session_id: int) -> WerkzeugResponse:
    session = db.session.get(MentoringSession, session_id)
    if session is None or session.mentor_id != current_user.id:
        abort(404)  # only the named mentor decides; others learn nothing about the session
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            decided = decide_session(
                session_id,
                current_user,
                confirm=form.decision.data == "confirm",
                note=form.note.data or "",
                minutes_per_jp=current_settings().mentoring_minutes_per_jp,
            )
        except SessionRefused as exc:
            flash(translated(problem_of(exc), _), "error")
            return redirect(url_for(".requests"))
        db.session.commit()
        if decided:
            flash(_("Keputusan disimpan."), "success")
            db.session.refresh(session)
            if session.status == SessionStatus.CONFIRMED:
                # Its JP may complete the mentee's year: the badge comes now, not next hour.
                settings = current_settings()
                award_after_change([session_change(session, settings)], clock.now(), settings)
        else:
            flash(_("Sesi ini sudah diputuskan sebelumnya."), "error")
    return redirect(url_for(".requests"))


@bp.route("/mentoring/units")
@role_required(Role.COORDINATOR, Role.ADMIN)
def units() -> str:
    """Sessions of the learners in the coordinator's units, read-only."""
    rows = db.session.execute(sessions_in_units(reviewable_units(current_user)).limit(500)).all()
    return render_template("mentoring/units.html", rows=rows)
