"""Competency pages: the learner's own profile, a supervisor's team, and the admin's standards."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from elearn.admin.forms import ConfirmForm
from elearn.auth.access import role_required
from elearn.competencies.forms import CompetencyForm, StandardForm
from elearn.competencies.gaps import direct_reports, profiles_for, recommended_courses
from elearn.competencies.standards import remove_standard, set_standard, update_competency
from elearn.extensions import db
from elearn.models import Competency, CompetencyKind, CompetencyStandard, Role

bp = Blueprint("competencies", __name__)


@bp.route("/me/competencies")
@login_required
def mine() -> str:
    """Kompetensi saya: required against current level, the gaps, and courses closing them."""
    statuses = profiles_for([current_user.id]).get(current_user.id, [])
    return render_template(
        "competencies/mine.html",
        statuses=statuses,
        recommended=recommended_courses(current_user.id, statuses),
    )


@bp.route("/me/team")
@login_required
def team() -> str:
    """The direct reports of the signed-in user (as atasan langsung) with their gaps; read-only."""
    reports = direct_reports(current_user.id)
    profiles = profiles_for(report.id for report in reports)
    return render_template("competencies/team.html", reports=reports, profiles=profiles)


@bp.route("/admin/competencies")
@role_required(Role.ADMIN)
def admin_index() -> str:
    competencies = list(
        db.session.scalars(
            select(Competency)
            .options(selectinload(Competency.levels))
            .order_by(Competency.kind, Competency.code)
        )
    )
    standards = list(
        db.session.scalars(
            select(CompetencyStandard)
            .options(selectinload(CompetencyStandard.competency))
            .order_by(CompetencyStandard.position, CompetencyStandard.competency_id)
        )
    )
    form = StandardForm()
    form.competency_id.choices = [SelectChoice(c.id, f"{c.code} {c.name}") for c in competencies]
    return render_template(
        "competencies/admin_index.html",
        competencies=competencies,
        standards=standards,
        form=form,
        confirm=ConfirmForm(),
    )


@bp.route("/admin/competencies/<int:competency_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit(competency_id: int) -> str | Response:
    competency = db.session.get(Competency, competency_id) or abort(404)
    form = CompetencyForm(obj=competency)
    if not form.is_submitted():
        for field, level in zip(form.level_fields(), range(1, 6), strict=True):
            field.data = competency.description(level)
    if form.validate_on_submit():
        update_competency(
            competency,
            name=form.name.data or "",
            kind=CompetencyKind(form.kind.data),
            descriptions=[field.data or "" for field in form.level_fields()],
            actor=current_user,
        )
        db.session.commit()
        flash(_("Perubahan disimpan."), "success")
        return redirect(url_for(".admin_index"))
    return render_template("competencies/edit.html", competency=competency, form=form)


@bp.route("/admin/competencies/standards", methods=["POST"])
@role_required(Role.ADMIN)
def save_standard() -> Response:
    form = StandardForm()
    form.competency_id.choices = [
        SelectChoice(competency_id, code)
        for competency_id, code in db.session.execute(select(Competency.id, Competency.code))
    ]
    if form.validate_on_submit():
        set_standard(
            form.position.data or "",
            form.competency_id.data,
            form.required_level.data,
            actor=current_user,
        )
        db.session.commit()
        flash(_("Standar kompetensi disimpan."), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return redirect(url_for(".admin_index"))


@bp.route("/admin/competencies/standards/<int:standard_id>/delete", methods=["POST"])
@role_required(Role.ADMIN)
def delete_standard(standard_id: int) -> Response:
    standard = db.session.get(CompetencyStandard, standard_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        remove_standard(standard, actor=current_user)
        db.session.commit()
        flash(_("Standar kompetensi dihapus."), "success")
    return redirect(url_for(".admin_index"))
