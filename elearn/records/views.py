"""The career record: the learner's own, and coordinators reviewing their units."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response as WerkzeugResponse

from elearn import clock
from elearn.accounts.nip import normalize_nip
from elearn.auth.access import role_required
from elearn.auth.duties import OwnRecordRefused
from elearn.badges.issuance import award_after_change, training_change
from elearn.extensions import db
from elearn.models import ExternalTraining, ReviewStatus, Role, User
from elearn.pdf_signing.binding import issuer_of_learner, sign_pdf
from elearn.problem_text import problem_of, translated
from elearn.records.entries import current_year, record_document, record_sources
from elearn.records.export import record_csv
from elearn.records.forms import ReviewForm, TrainingForm
from elearn.records.pdf import render_record_pdf
from elearn.records.routes import route_label
from elearn.records.trainings import (
    TrainingRefused,
    TrainingReport,
    add_training,
    may_review,
    review_training,
    reviewable_units,
    trainings_to_review,
)
from elearn.settings import current_settings

bp = Blueprint("records", __name__)
bp.add_app_template_filter(route_label, "route_label")


def _record_page(user: User, template: str) -> str:
    sources = record_sources(user)
    document = record_document(user, current_settings(), sources)
    this_year = current_year(user)
    total = next((t for t in document.totals if t.year == this_year), None)
    return render_template(
        template,
        learner=user,
        document=document,
        certificates=sources.certificates,
        badges=sources.badges,
        trainings=sources.trainings,
        this_year=this_year,
        this_year_total=total.total if total else 0,
        target=current_settings().jp_target_per_year,
    )


@bp.route("/me/records")
@login_required
def mine() -> str:
    return _record_page(current_user, "records/mine.html")


@bp.route("/me/records/new", methods=["GET", "POST"])
@login_required
def new_training() -> str | WerkzeugResponse:
    form = TrainingForm()
    if form.validate_on_submit():
        upload = form.evidence.data
        max_bytes = current_settings().evidence_max_bytes
        report = TrainingReport(
            name=form.name.data or "",
            organiser=form.organiser.data or "",
            route=form.route.data or "",
            competency=form.competency.data or "",
            started_on=form.started_on.data,
            finished_on=form.finished_on.data,
            jp=form.jp.data or 0,
            certificate_number=form.certificate_number.data or "",
            evidence_name=upload.filename or "",
            evidence=upload.read(max_bytes + 1),
        )
        try:
            add_training(current_user, report, max_bytes=max_bytes)
        except TrainingRefused as exc:
            flash(translated(problem_of(exc), _), "error")
        else:
            db.session.commit()
            flash(_("Kegiatan dicatat dan menunggu verifikasi koordinator."), "success")
            return redirect(url_for(".mine"))
    return render_template("records/new.html", form=form)


@bp.route("/me/records.csv")
@login_required
def mine_csv() -> Response:
    response = Response(
        record_csv(record_document(current_user, current_settings())), mimetype="text/csv"
    )
    response.headers["Content-Disposition"] = 'attachment; filename="riwayat-kompetensi.csv"'
    return response


@bp.route("/me/records.pdf")
@login_required
def mine_pdf() -> Response:
    document = record_document(current_user, current_settings())
    data = sign_pdf(
        render_record_pdf(document),
        reason=f"Riwayat pengembangan kompetensi {current_user.full_name}",
        issuer=issuer_of_learner(current_user),
    )
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="riwayat-kompetensi.pdf"'
    return response


@bp.route("/records/trainings/<int:training_id>/evidence")
@login_required
def evidence(training_id: int) -> Response:
    training = db.get_or_404(ExternalTraining, training_id)
    if training.user_id != current_user.id and not may_review(current_user, training):
        abort(404)
    response = Response(training.evidence, mimetype=training.evidence_type)
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.route("/records/review")
@role_required(Role.COORDINATOR, Role.ADMIN)
def review_list() -> str:
    pending = db.session.scalars(trainings_to_review(current_user)).all()
    return render_template("records/review.html", pending=pending, form=ReviewForm())


@bp.route("/records/trainings/<int:training_id>/review", methods=["POST"])
@role_required(Role.COORDINATOR, Role.ADMIN)
def review(training_id: int) -> WerkzeugResponse:
    training = db.get_or_404(ExternalTraining, training_id)
    if not may_review(current_user, training):
        abort(404)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            review_training(
                training,
                current_user,
                accept=form.decision.data == "verify",
                note=form.note.data or "",
            )
        except OwnRecordRefused:
            db.session.commit()  # only the audit entry of the refusal
            abort(
                403,
                _(
                    "Anda tidak dapat memverifikasi atau menolak kegiatan Anda sendiri; "
                    "koordinator lain atau admin yang memutuskannya."
                ),
            )
        except TrainingRefused as exc:
            flash(translated(problem_of(exc), _), "error")
        else:
            db.session.commit()
            if training.status == ReviewStatus.VERIFIED:
                # Its JP may complete the learner's year: the badge comes now, not next hour.
                settings = current_settings()
                award_after_change([training_change(training, settings)], clock.now(), settings)
            flash(_("Keputusan disimpan."), "success")
    return redirect(url_for(".review_list"))


@bp.route("/records/learners")
@role_required(Role.COORDINATOR, Role.ADMIN)
def learners() -> str:
    query = request.args.get("q", "").strip()
    statement = select(User).order_by(User.full_name)
    units = reviewable_units(current_user)
    if units is not None:
        statement = statement.where(User.unit_id.in_(units))
    if query:
        statement = statement.where(
            or_(
                func.lower(User.full_name).like(f"%{query.lower()}%"),
                User.nip.like(f"%{normalize_nip(query)}%"),
            )
        )
    page = db.paginate(statement, page=request.args.get("page", 1, type=int), per_page=50)
    return render_template("records/learners.html", pagination=page, query=query)


@bp.route("/records/learners/<int:user_id>")
@role_required(Role.COORDINATOR, Role.ADMIN)
def learner(user_id: int) -> str:
    user = db.get_or_404(User, user_id)
    units = reviewable_units(current_user)
    if units is not None and user.unit_id not in units:
        abort(404)
    return _record_page(user, "records/learner.html")
