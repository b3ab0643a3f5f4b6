"""The learner's development plan pages, and the supervisor's pages for plans sent to them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from elearn import clock
from elearn.certificates.issuance import public_base_url
from elearn.competencies.gaps import profiles_for, recommended_courses
from elearn.development_plans import plans as service
from elearn.development_plans.forms import (
    ActivityForm,
    DecisionForm,
    NotesForm,
    PlanButtonForm,
)
from elearn.development_plans.labels import activity_kind_label, plan_status_label
from elearn.development_plans.notices import notify_decided, notify_submitted
from elearn.development_plans.progress import plan_progress
from elearn.extensions import db
from elearn.i18n import zone_of
from elearn.jobs.binding import current_jobs
from elearn.models import ActivityKind, DevelopmentPlan, PlanActivity, PlanDecisionKind, User
from elearn.problem_text import problem_of, translated
from elearn.records.entries import current_year, jp_total_for_year
from elearn.records.routes import PLATFORM_ROUTE
from elearn.settings import current_settings

bp = Blueprint("development_plans", __name__)
bp.add_app_template_filter(plan_status_label, "plan_status_label")
bp.add_app_template_filter(activity_kind_label, "activity_kind_label")


def _year_or_404(year: int) -> int:
    # Last year's plan stays readable, next year's can be drafted ahead; nothing further.
    this_year = current_year(current_user)
    if not this_year - 1 <= year <= this_year + 1:
        abort(404)
    return year


def _own_plan(year: int) -> DevelopmentPlan:
    return service.plan_of(current_user.id, _year_or_404(year)) or abort(404)


def _own_activity(plan: DevelopmentPlan, activity_id: int) -> PlanActivity:
    return next((a for a in plan.activities if a.id == activity_id), None) or abort(404)


def _base_url() -> str:
    return public_base_url(current_settings(), request.url_root)


def _plan_context(plan: DevelopmentPlan, owner: User) -> dict[str, object]:
    """What the learner's and the supervisor's plan pages both show."""
    return {
        "plan": plan,
        "owner": owner,
        "progress": plan_progress(plan, zone_of(owner)),
        "record_jp": jp_total_for_year(owner, plan.year),
        "target": current_settings().jp_target_per_year,
    }


@bp.route("/me/plan")
@login_required
def current() -> Response:
    return redirect(url_for(".show", year=current_year(current_user)))


@bp.route("/me/plans/<int:year>")
@login_required
def show(year: int) -> str:
    """The learner's plan for ``year``, or the gaps it would start from."""
    plan = service.plan_of(current_user.id, _year_or_404(year))
    statuses = profiles_for([current_user.id]).get(current_user.id, [])
    gaps = [s for s in statuses if s.has_gap]
    if plan is None:
        return render_template(
            "development_plans/start.html",
            year=year,
            gaps=gaps,
            recommended=recommended_courses(current_user.id, statuses),
            form=PlanButtonForm(),
        )
    planned = {a.competency_code for a in plan.activities}
    return render_template(
        "development_plans/plan.html",
        **_plan_context(plan, current_user),
        unplanned_gaps=[g for g in gaps if g.code not in planned],
        editable=service.is_editable(plan),
        button=PlanButtonForm(),
        notes_form=NotesForm(data={"notes": plan.notes}),
    )


@bp.route("/me/plans/<int:year>/start", methods=["POST"])
@login_required
def start(year: int) -> Response:
    _year_or_404(year)
    if PlanButtonForm().validate_on_submit():
        statuses = profiles_for([current_user.id]).get(current_user.id, [])
        gaps = [s for s in statuses if s.has_gap]
        plan = service.start_plan(
            current_user, year, gaps, recommended_courses(current_user.id, statuses)
        )
        db.session.commit()
        flash(
            _(
                "Rancangan rencana dibuat dengan %(n)d kegiatan dari kesenjangan kompetensi Anda.",
                n=len(plan.activities),
            ),
            "success",
        )
    return redirect(url_for(".show", year=year))


def _activity_form(
    obj: PlanActivity | None = None,
) -> tuple[ActivityForm, dict[str, service.CatalogCourse]]:
    form = ActivityForm(obj=obj)
    courses = {c.slug: c for c in service.published_courses()}
    choices = [SelectChoice(c.slug, f"{c.title} ({c.jp} JP)") for c in courses.values()]
    if obj is not None and obj.course is not None and obj.course.slug not in courses:
        # An archived course stays this activity's course (not offered for new ones).
        kept = service.CatalogCourse(
            obj.course.id, obj.course.slug, obj.course_title or obj.title, obj.jp
        )
        courses[kept.slug] = kept
        choices.append(SelectChoice(kept.slug, _("%(title)s (diarsipkan)", title=kept.title)))
    form.course.choices = [SelectChoice("", _("— pilih kursus —")), *choices]
    form.competency_code.choices = [SelectChoice("", _("— tanpa kode kompetensi —"))] + [
        SelectChoice(code, f"{code} {name}") for code, name in service.competency_codes()
    ]
    if obj is not None and not form.is_submitted():
        form.course.data = obj.course.slug if obj.course else ""
        form.competency_code.data = obj.competency_code or ""
    return form, courses


def _activity_data(
    form: ActivityForm, courses: dict[str, service.CatalogCourse]
) -> service.ActivityData:
    course = courses.get(form.course.data or "")
    return service.ActivityData(
        kind=ActivityKind(form.kind.data),
        competency_code=form.competency_code.data or None,
        target_level=form.target_level.data,
        course_id=course.id if course else None,
        course_title=course.title if course else "",
        program_slug=(form.program_slug.data or "").strip() or None,
        title=form.title.data or "",
        route=form.route.data or PLATFORM_ROUTE,
        organiser=form.organiser.data or "",
        starts_on=form.starts_on.data,
        due_on=form.due_on.data,
        jp=form.jp.data or 0,
        budget_rupiah=form.budget_rupiah.data or 0,
        curriculum_fit=form.curriculum_fit.data or "",
    )


@bp.route("/me/plans/<int:year>/activities/new", methods=["GET", "POST"])
@login_required
def new_activity(year: int) -> str | Response:
    plan = _own_plan(year)
    form, courses = _activity_form()
    if not form.is_submitted():
        form.competency_code.data = request.args.get("competency", "")
    if form.validate_on_submit():
        try:
            service.add_activity(plan, _activity_data(form, courses))
        except service.PlanRefused as exc:
            flash(translated(problem_of(exc), _), "error")
        else:
            db.session.commit()
            flash(_("Kegiatan ditambahkan."), "success")
            return redirect(url_for(".show", year=year))
    return render_template("development_plans/activity.html", plan=plan, form=form, activity=None)


@bp.route("/me/plans/<int:year>/activities/<int:activity_id>", methods=["GET", "POST"])
@login_required
def edit_activity(year: int, activity_id: int) -> str | Response:
    plan = _own_plan(year)
    activity = _own_activity(plan, activity_id)
    form, courses = _activity_form(activity)
    if form.validate_on_submit():
        try:
            service.update_activity(plan, activity, _activity_data(form, courses))
        except service.PlanRefused as exc:
            db.session.rollback()
            flash(translated(problem_of(exc), _), "error")
        else:
            db.session.commit()
            flash(_("Perubahan disimpan."), "success")
            return redirect(url_for(".show", year=year))
    return render_template(
        "development_plans/activity.html",
        plan=plan,
        form=form,
        activity=activity,
        button=PlanButtonForm(),
    )


@bp.route("/me/plans/<int:year>/activities/<int:activity_id>/delete", methods=["POST"])
@login_required
def delete_activity(year: int, activity_id: int) -> Response:
    plan = _own_plan(year)
    activity = _own_activity(plan, activity_id)
    if PlanButtonForm().validate_on_submit():
        try:
            service.remove_activity(plan, activity)
        except service.PlanRefused as exc:
            flash(translated(problem_of(exc), _), "error")
        else:
            db.session.commit()
            flash(_("Kegiatan dihapus."), "success")
    return redirect(url_for(".show", year=year))


@bp.route("/me/plans/<int:year>/submit", methods=["POST"])
@login_required
def submit(year: int) -> Response:
    plan = _own_plan(year)
    if PlanButtonForm().validate_on_submit():
        try:
            supervisor = service.submit_plan(plan, current_user, clock.now())
        except service.PlanRefused as exc:
            flash(translated(problem_of(exc), _), "error")
        else:
            db.session.commit()
            notify_submitted(current_jobs(), plan, current_user, supervisor, _base_url())
            flash(_("Rencana diajukan kepada %(name)s.", name=supervisor.full_name), "success")
    return redirect(url_for(".show", year=year))


@bp.route("/me/plans/<int:year>/reopen", methods=["POST"])
@login_required
def reopen(year: int) -> Response:
    plan = _own_plan(year)
    if PlanButtonForm().validate_on_submit():
        try:
            service.reopen_plan(plan, current_user, clock.now())
        except service.PlanRefused as exc:
            flash(translated(problem_of(exc), _), "error")
        else:
            db.session.commit()
            flash(_("Rencana dibuka kembali. Ajukan lagi kepada atasan setelah diubah."), "success")
    return redirect(url_for(".show", year=year))


@bp.route("/me/plans/<int:year>/notes", methods=["POST"])
@login_required
def notes(year: int) -> Response:
    """Save the plan's notes: the owner's plan of ``year``, or (``plan_id``) one supervised."""
    form = NotesForm()
    if not form.validate_on_submit():
        abort(400)
    if form.plan_id.data:
        plan_id = int(form.plan_id.data) if form.plan_id.data.isdigit() else 0
        plan = db.session.get(DevelopmentPlan, plan_id)
    else:
        plan = service.plan_of(current_user.id, year)
    if plan is None or plan.year != year or not service.may_write_notes(plan, current_user):
        abort(404)
    service.set_notes(plan, current_user, form.notes.data or "")
    db.session.commit()
    flash(_("Catatan rencana disimpan."), "success")
    if plan.user_id == current_user.id:
        return redirect(url_for(".show", year=year))
    return redirect(url_for(".review", plan_id=plan.id))


@bp.route("/me/team/plans")
@login_required
def team() -> str:
    """Plans submitted to the signed-in user as atasan langsung, the waiting ones first."""
    return render_template(
        "development_plans/team.html", plans=service.plans_for_supervisor(current_user.id)
    )


@bp.route("/me/team/plans/<int:plan_id>", methods=["GET", "POST"])
@login_required
def review(plan_id: int) -> str | Response:
    plan = service.plan_for_supervisor(plan_id, current_user.id) or abort(404)
    form = DecisionForm()
    if form.validate_on_submit():
        decision = (
            PlanDecisionKind.APPROVED if form.approve.data else PlanDecisionKind.CHANGES_REQUESTED
        )
        try:
            entry = service.decide_plan(
                plan, current_user, decision, form.comment.data or "", clock.now()
            )
        except service.PlanRefused as exc:
            db.session.rollback()
            flash(translated(problem_of(exc), _), "error")
        else:
            db.session.commit()
            notify_decided(current_jobs(), plan, entry, plan.user, _base_url())
            if decision == PlanDecisionKind.APPROVED:
                flash(_("Rencana disetujui."), "success")
            else:
                flash(_("Permintaan perubahan dikirim."), "success")
            return redirect(url_for(".team"))
    return render_template(
        "development_plans/review.html",
        **_plan_context(plan, plan.user),
        form=form,
        notes_form=NotesForm(data={"notes": plan.notes, "plan_id": plan.id}),
    )
