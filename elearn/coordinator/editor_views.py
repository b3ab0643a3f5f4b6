"""Coordinators edit a course's draft in the browser: text files, assets, preview, publish.

Nested in the coordinator blueprint (its role check applies); every page is for
a course the coordinator may manage, as uploads are.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from elearn.content.assets import ALLOWED_ASSET_TYPES
from elearn.content.errors import ContentErrors
from elearn.content.sandbox import RenderFailure
from elearn.coordinator.drafts import (
    DraftCheck,
    DraftRefused,
    StaleDraft,
    check_draft,
    delete_file,
    draft_files,
    draft_of,
    is_text_file,
    normalised_text,
    open_draft,
    publish_draft,
    relative_problems,
    save_asset,
    save_file,
    starter_text,
    text_path_problem,
)
from elearn.coordinator.forms import AssetForm, DraftForm, EditFileForm, NewFileForm, OpenDraftForm
from elearn.coordinator.scope import can_manage
from elearn.coordinator.sources import editable_versions
from elearn.coordinator.upload_job import upload_settings
from elearn.coordinator.uploads import is_conflict
from elearn.extensions import db
from elearn.main.errors import generic_page
from elearn.models import Course, CourseDraft, CourseDraftFile, Role
from elearn.problem_text import translated
from elearn.settings import current_settings

bp = Blueprint("editor", __name__)

STALE_STATUS = 409


def _course(slug: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not can_manage(current_user, course):
        abort(404)
    return course


def _draft(course: Course) -> CourseDraft:
    draft = draft_of(course)
    if draft is None:
        abort(404)
    return draft


def _asset_base(course: Course) -> str:
    # The preview's images load from the draft itself, under this page's authorisation.
    return url_for(".asset", slug=course.slug, name="x").removesuffix("/x")


def _check(course: Course, files: dict[str, bytes]) -> DraftCheck:
    settings = upload_settings(current_settings())
    return check_draft(course.slug, files, settings, asset_base=_asset_base(course))


def _stale_message(current: int) -> str:
    return _(
        "Draf ini sudah disimpan orang lain (sekarang revisi %(n)d) sejak Anda membukanya. "
        "Perubahan Anda belum disimpan dan masih ada di bawah. Bandingkan dengan draf terbaru "
        "(buka di tab lain); menekan Simpan lagi akan menimpa versi mereka untuk berkas ini.",
        n=current,
    )


def _open_form(course: Course, draft: CourseDraft | None) -> OpenDraftForm:
    form = OpenDraftForm()
    form.version.choices = [
        SelectChoice(
            str(version.number),
            _(
                "v%(n)d · %(title)s · %(status)s",
                n=version.number,
                title=version.title,
                status=_status_label(version.status),
            ),
        )
        for version in editable_versions(course)
    ]
    if draft is not None and not form.is_submitted():
        form.revision.data = str(draft.revision)
    return form


def _status_label(status: str) -> str:
    return {"draft": _("draf"), "published": _("terbit"), "archived": _("arsip")}[status]


@bp.route("/courses/<slug>/editor")
def draft(slug: str) -> tuple[str, int]:
    course = _course(slug)
    draft = draft_of(course)
    check = _check(course, draft_files(draft)) if draft is not None else None
    return _draft_page(course, draft, check)


def _draft_page(
    course: Course,
    draft: CourseDraft | None,
    check: DraftCheck | None,
    *,
    new_file: NewFileForm | None = None,
    asset: AssetForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    revision = str(draft.revision) if draft else ""
    new_file = new_file or NewFileForm(formdata=None, revision=revision)
    asset = asset or AssetForm(formdata=None, revision=revision)
    page = render_template(
        "coordinator/editor/draft.html",
        course=course,
        draft=draft,
        check=check,
        open_form=_open_form(course, draft),
        new_file=new_file,
        asset=asset,
        action=DraftForm(formdata=None, revision=revision),
        asset_types=", ".join(sorted(ALLOWED_ASSET_TYPES)),
    )
    return page, status


@bp.route("/courses/<slug>/editor/open", methods=["POST"])
def open_(slug: str) -> Response | tuple[str, int]:
    course = _course(slug)
    draft = draft_of(course)
    form = _open_form(course, draft)
    if not form.validate_on_submit():
        flash(_("Pilih versi yang berkas sumbernya tersimpan."), "error")
        return redirect(url_for(".draft", slug=slug))
    version = next(v for v in course.versions if v.number == form.version.data)
    revision = int(form.revision.data) if form.revision.data else None
    try:
        open_draft(course, version, current_user, revision=revision)
        db.session.commit()
    except (StaleDraft, IntegrityError):
        # IntegrityError: another coordinator opened the course's first draft at the same moment.
        db.session.rollback()
        current = draft_of(course)
        flash(_stale_message(current.revision if current else 0), "error")
        return _draft_page(course, current, None, status=STALE_STATUS)
    except DraftRefused as exc:
        db.session.rollback()
        flash(translated(exc.message, _), "error")
        return redirect(url_for(".draft", slug=slug))
    flash(_("Draf dibuka dari versi %(n)d.", n=version.number), "success")
    return redirect(url_for(".draft", slug=slug))


@bp.route("/courses/<slug>/editor/files/<path:path>", methods=["GET", "POST"])
def edit(slug: str, path: str) -> str | Response | tuple[str, int]:
    course = _course(slug)
    draft = _draft(course)
    files = draft_files(draft)
    if not is_text_file(path) or text_path_problem(path):
        abort(404)
    # A file deleted meanwhile: a save still answers (409, the text kept), a visit does not.
    if path not in files and request.method == "GET":
        abort(404)
    form = EditFileForm()
    if not form.is_submitted():
        form.text.data = files[path].decode("utf-8-sig", errors="replace")
        form.revision.data = str(draft.revision)
        return _edit_page(course, draft, path, form, _check(course, files))
    if not form.validate_on_submit():
        # A lost or forged token: keep the text, say what to do.
        return _edit_page(course, draft, path, form, None, status=400)
    text = normalised_text(form.text.data or "")
    if form.save.data:
        try:
            save_file(draft, form.base_revision, path, text, current_user)
            db.session.commit()
        except StaleDraft as exc:
            db.session.rollback()
            form.revision.data = str(exc.current)
            flash(_stale_message(exc.current), "error")
            files[path] = text
            return _edit_page(course, draft, path, form, _check(course, files), status=STALE_STATUS)
        except DraftRefused as exc:
            db.session.rollback()
            flash(translated(exc.message, _), "error")
            return _edit_page(course, draft, path, form, None, status=422)
        flash(_("Tersimpan sebagai revisi %(n)d.", n=draft.revision), "success")
        return redirect(url_for(".edit", slug=slug, path=path))
    # Preview: the text as typed, checked and rendered with the rest of the draft; nothing saved.
    files[path] = text
    return _edit_page(course, draft, path, form, _check(course, files), previewing=True)


def _edit_page(
    course: Course,
    draft: CourseDraft,
    path: str,
    form: EditFileForm,
    check: DraftCheck | None,
    *,
    status: int = 200,
    previewing: bool = False,
) -> tuple[str, int]:
    problems = [p for p in check.problems if p.path == path] if check else []
    others = [p for p in check.problems if p.path != path] if check else []
    item = preview = None
    if check is not None and check.prepared is not None:
        parsed, rendered = check.prepared.parsed, check.prepared.rendered
        for parsed_item, rendered_item in zip(parsed.items, rendered.items, strict=True):
            if PurePosixPath(parsed_item.path).name == path:
                item, preview = parsed_item, rendered_item
    lines = (form.text.data or "").replace("\r\n", "\n").removesuffix("\n").split("\n")
    page = render_template(
        "coordinator/editor/edit.html",
        course=course,
        draft=draft,
        path=path,
        form=form,
        check=check,
        problems=problems,
        others=others,
        item=item,
        preview=preview,
        previewing=previewing,
        lines=lines,
        action=DraftForm(formdata=None, revision=str(draft.revision)),
    )
    return page, status


@bp.errorhandler(CSRFError)
def _expired_form(error: CSRFError) -> tuple[str, int]:
    """A form left open past its token's life: show the text again instead of losing it."""
    args = request.view_args or {}
    editing = request.endpoint == "coordinator.editor.edit" and "text" in request.form
    allowed = current_user.is_authenticated and (
        current_user.has_role(Role.COORDINATOR) or current_user.has_role(Role.ADMIN)
    )
    if not (editing and allowed):
        return generic_page(400, csrf=True), 400
    course = _course(args["slug"])
    draft = _draft(course)
    form = EditFileForm()
    flash(
        _(
            "Formulir sudah kedaluwarsa sehingga belum disimpan. Teks Anda masih di bawah; "
            "tekan Simpan sekali lagi."
        ),
        "error",
    )
    return _edit_page(course, draft, args["path"], form, None, status=400)


@bp.route("/courses/<slug>/editor/new-file", methods=["POST"])
def new_file(slug: str) -> Response | tuple[str, int]:
    course = _course(slug)
    draft = _draft(course)
    form = NewFileForm()
    if not form.validate_on_submit():
        return _draft_page(course, draft, None, new_file=form, status=422)
    path = (form.path.data or "").strip()
    problem = text_path_problem(path)
    if problem is None and path in draft_files(draft):
        problem = _("berkas itu sudah ada")
    if problem:
        form.path.errors = [translated(problem, _)]
        return _draft_page(course, draft, None, new_file=form, status=422)
    try:
        save_file(draft, form.base_revision, path, starter_text(path), current_user)
        db.session.commit()
    except StaleDraft as exc:
        db.session.rollback()
        flash(_stale_message(exc.current), "error")
        return _draft_page(course, draft, None, new_file=form, status=STALE_STATUS)
    flash(_("Berkas %(path)s ditambahkan.", path=path), "success")
    return redirect(url_for(".edit", slug=slug, path=path))


@bp.route("/courses/<slug>/editor/assets", methods=["POST"])
def add_asset(slug: str) -> Response | tuple[str, int]:
    course = _course(slug)
    draft = _draft(course)
    form = AssetForm()
    if not form.validate_on_submit():
        return _draft_page(course, draft, None, asset=form, status=422)
    name = PurePosixPath(form.file.data.filename or "").name
    replacing = f"assets/{name}" in draft_files(draft)
    try:
        path = save_asset(draft, form.base_revision, name, form.file.data.read(), current_user)
        db.session.commit()
    except StaleDraft as exc:
        db.session.rollback()
        flash(_stale_message(exc.current), "error")
        return _draft_page(course, draft, None, asset=form, status=STALE_STATUS)
    except DraftRefused as exc:
        db.session.rollback()
        form.file.errors = [f"{name}: {translated(exc.message, _)}"]
        return _draft_page(course, draft, None, asset=form, status=422)
    if replacing:
        flash(_("Aset %(path)s diganti.", path=path), "success")
    else:
        flash(
            _(
                "Aset %(path)s ditambahkan. Tulis ![keterangan gambar](%(path)s) di modul.",
                path=path,
            ),
            "success",
        )
    return redirect(url_for(".draft", slug=slug))


@bp.route("/courses/<slug>/editor/files/<path:path>/delete", methods=["POST"])
def remove(slug: str, path: str) -> Response | tuple[str, int]:
    course = _course(slug)
    draft = _draft(course)
    form = DraftForm()
    if path not in draft_files(draft):
        abort(404)
    if form.validate_on_submit():
        try:
            delete_file(draft, form.base_revision, path, current_user)
            db.session.commit()
            flash(_("Berkas %(path)s dihapus dari draf.", path=path), "success")
        except StaleDraft as exc:
            db.session.rollback()
            flash(_stale_message(exc.current), "error")
            return _draft_page(course, draft, None, status=STALE_STATUS)
        except DraftRefused as exc:
            db.session.rollback()
            flash(translated(exc.message, _), "error")
    return redirect(url_for(".draft", slug=slug))


@bp.route("/courses/<slug>/editor/assets/<path:name>")
def asset(slug: str, name: str) -> Response:
    course = _course(slug)
    draft = _draft(course)
    path = f"assets/{name}"
    file = db.session.get(CourseDraftFile, (draft.id, path))
    content_type = ALLOWED_ASSET_TYPES.get(PurePosixPath(name).suffix.lower())
    if file is None or content_type is None:
        abort(404)
    response = Response(file.data, content_type=content_type)
    # A draft's asset changes under the same name: always ask again.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Disposition"] = "inline"
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/courses/<slug>/editor/publish", methods=["POST"])
def publish(slug: str) -> Response | tuple[str, int]:
    course = _course(slug)
    draft = _draft(course)
    form = DraftForm()
    if not form.validate_on_submit():
        return redirect(url_for(".draft", slug=slug))
    settings = upload_settings(current_settings())
    try:
        version, check = publish_draft(draft, form.base_revision, settings, current_user)
        db.session.commit()
    except StaleDraft as exc:
        db.session.rollback()
        flash(_stale_message(exc.current), "error")
        return _draft_page(course, draft, None, status=STALE_STATUS)
    except ContentErrors as exc:
        db.session.rollback()
        flash(_("Draf belum dapat diterbitkan: perbaiki kesalahan di bawah."), "error")
        problems = relative_problems(course.slug, exc.problems)
        return _draft_page(course, draft, DraftCheck(None, problems), status=422)
    except RenderFailure as exc:
        db.session.rollback()
        flash(translated(exc.message, _), "error")
        return redirect(url_for(".draft", slug=slug))
    except (IntegrityError, OperationalError) as exc:
        db.session.rollback()
        if not is_conflict(exc):
            raise
        abort(
            409,
            description=_("Kursus ini sedang diterbitkan oleh proses lain. Muat ulang halaman."),
        )
    flash(_("Draf diterbitkan sebagai versi %(n)d.", n=version.number), "success")
    if check.warnings:
        flash(_("%(n)d peringatan masih ada; sebaiknya diperbaiki.", n=len(check.warnings)), "info")
    return redirect(url_for("coordinator.course", slug=slug))
