"""A planned course that is archived or deleted later leaves the activity readable."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from sqlalchemy import delete, select

from elearn.content.publish import archive_course
from elearn.extensions import db
from elearn.models import Course, PlanActivity
from elearn.records.entries import current_year
from elearn.records.routes import PLATFORM_ROUTE
from tests.development_plans.test_plans import _learner, _text


def _planned(app: Flask, tmp_path: Path):  # type: ignore[no-untyped-def]
    learner, _ = _learner(app, tmp_path)
    year = current_year(learner.user)
    learner.post(f"/me/plans/{year}/start", page=f"/me/plans/{year}")
    activity = db.session.scalar(select(PlanActivity))
    assert activity is not None and activity.course_title == "Integritas ASN"
    return learner, year, activity.id


def test_an_archived_course_stays_the_activitys_course(app: Flask, tmp_path: Path):
    learner, year, activity_id = _planned(app, tmp_path)
    course = db.session.scalar(select(Course).where(Course.slug == "dasar-proyek"))
    assert course is not None and archive_course(course)
    db.session.commit()
    url = f"/me/plans/{year}/activities/{activity_id}"
    form = learner.client.get(url).get_data(as_text=True)
    assert "Integritas ASN (diarsipkan)" in form
    saved = learner.post(
        url,
        {"kind": "course", "course": "dasar-proyek", "competency_code": "M.01",
         "route": PLATFORM_ROUTE, "due_on": f"{year}-11-30", "jp": "2", "title": ""},
        page=url,
    )  # fmt: skip
    assert saved.status_code == 302, _text(saved.get_data(as_text=True))
    activity = db.session.get(PlanActivity, activity_id)
    db.session.refresh(activity)
    assert activity is not None and activity.course_id == course.id
    assert str(activity.due_on) == f"{year}-11-30"
    assert "Integritas ASN" in _text(learner.client.get(f"/me/plans/{year}").get_data(as_text=True))


def test_a_deleted_course_leaves_its_stored_title(app: Flask, tmp_path: Path):
    learner, year, activity_id = _planned(app, tmp_path)
    db.session.execute(delete(Course).where(Course.slug == "dasar-proyek"))
    db.session.commit()
    db.session.expire_all()
    activity = db.session.get(PlanActivity, activity_id)
    assert activity is not None and activity.course_id is None
    response = learner.client.get(f"/me/plans/{year}")
    assert response.status_code == 200
    page = _text(response.get_data(as_text=True))
    assert "Kursus “Integritas ASN” sudah dihapus dari katalog" in page
    assert re.search(r"Belum terlaksana", page)
