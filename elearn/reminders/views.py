"""The learner's notifications: the list, marking read, and the nudge opt-out."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from elearn import clock
from elearn.coordinator.forms import ActionForm
from elearn.extensions import db
from elearn.i18n import zone_of
from elearn.reminders import texts
from elearn.reminders.forms import NudgeForm
from elearn.reminders.inbox import mark_read, notifications, owns, set_nudges

bp = Blueprint("reminders", __name__, url_prefix="/me/notifications")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here is the signed-in learner's own."""


@bp.route("")
def index() -> str:
    rows = notifications(current_user.id)
    tr = get_translations()
    zone, locale = zone_of(current_user), str(get_locale())
    shown = [
        {
            "row": row,
            "headline": texts.headline(row.kind, row.course_title or "", tr, row.details),
            "detail": texts.detail(
                row.kind,
                texts.deadline_text(row.due_at, zone, locale) if row.due_at else "",
                tr,
                row.details,
                locale,
            ),
            "learners": [
                (texts.digest_line(entry, tr), texts.drill_down_path(entry))
                for entry in (row.details or {}).get("learners", [])
            ],
        }
        for row in rows
    ]
    nudges = NudgeForm(wanted=not current_user.nudges_opt_out)
    return render_template("reminders/notifications.html", shown=shown, nudges=nudges)


@bp.route("/read", methods=["POST"])
def read_all() -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    mark_read(current_user.id, clock.now())
    db.session.commit()
    return redirect(url_for(".index"))


@bp.route("/<int:reminder_id>/read", methods=["POST"])
def read_one(reminder_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    if not owns(current_user.id, reminder_id):
        abort(404)  # someone else's: not even its existence is told
    mark_read(current_user.id, clock.now(), reminder_id)
    db.session.commit()
    return redirect(url_for(".index"))


@bp.route("/nudges", methods=["POST"])
def nudges() -> Response:
    form = NudgeForm()
    if not form.validate_on_submit():
        abort(400)
    set_nudges(current_user, bool(form.wanted.data))
    db.session.commit()
    if form.wanted.data:
        flash(_("Pengingat belajar dinyalakan."), "success")
    else:
        flash(
            _("Pengingat belajar dimatikan. Pengingat tenggat kursus wajib tetap dikirim."),
            "success",
        )
    return redirect(url_for(".index") + "#pengingat")
