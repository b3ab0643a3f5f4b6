"""Files from a course version's assets/ folder."""

from __future__ import annotations

from flask import Blueprint, Response, abort
from flask_login import current_user, login_required
from sqlalchemy import func, select

from elearn.coordinator.scope import can_manage
from elearn.extensions import db
from elearn.models import Course, CourseAsset, CourseVersion, VersionStatus

bp = Blueprint("courses", __name__, url_prefix="/courses")


@bp.route("/<slug>/v/<short_hash>/assets/<path:name>")
@login_required
def asset(slug: str, short_hash: str, name: str) -> Response:
    row = db.session.execute(
        select(CourseAsset, CourseVersion.status, Course)
        .join(CourseVersion, CourseAsset.version_id == CourseVersion.id)
        .join(Course, CourseVersion.course_id == Course.id)
        .where(
            Course.slug == slug,
            func.substr(CourseVersion.content_hash, 1, 12) == short_hash,
            CourseAsset.path == name,
        )
    ).first()
    if row is None:
        abort(404)
    asset, status, course = row
    # Drafts are seen only by those who may publish them.
    if status == VersionStatus.DRAFT and not can_manage(current_user, course):
        abort(404)
    response = Response(asset.data, content_type=asset.content_type)
    # The URL names the content hash, so the file never changes under it.
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["Content-Disposition"] = "inline"
    response.set_etag(asset.sha256)
    return response
