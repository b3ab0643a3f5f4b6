"""JP bands and survey summaries follow accounts, trainings and surveys, whatever changes them."""

from collections import defaultdict
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select

from elearn.accounts.services import UserData, set_active, update_user
from elearn.extensions import db
from elearn.learning.evaluation import summaries
from elearn.models import Course, CourseEvaluation, Enrollment, ExternalTraining, Role, Unit, User
from elearn.privacy.subject import anonymise
from elearn.records.trainings import review_training
from elearn.reports.dashboard import build_dashboard
from elearn.reports.filters import ReportFilter
from tests.certificates.helpers import complete_course
from tests.factories import make_unit, make_user
from tests.learning.helpers import Learner
from tests.records.test_records import report

TODAY = date(2026, 4, 20)


def _naive_surveys(units: set[int] | None) -> dict[int, tuple[int, float, float, float]]:
    ratings: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for survey in db.session.scalars(select(CourseEvaluation)):
        enrollment = db.session.get(Enrollment, survey.enrollment_id)
        if units is None or enrollment.user.unit_id in units:
            ratings[enrollment.course_id].append(
                (survey.relevance, survey.clarity, survey.applicability)
            )
    return {
        course: (len(rows), *(sum(r[i] for r in rows) / len(rows) for i in range(3)))  # type: ignore[misc]
        for course, rows in ratings.items()
    }


def _naive_bands(units: set[int] | None) -> list[int]:
    from tests.reports.reference import reference

    return reference(ReportFilter(), units, ZoneInfo("Asia/Makassar"), TODAY)["jp"]


def _assert_matches(*scopes: set[int] | None) -> None:
    db.session.expire_all()
    courses = list(db.session.scalars(select(Course.id)))
    for units in (None, *scopes):
        got = build_dashboard(ReportFilter(), units, ZoneInfo("Asia/Makassar"), TODAY)
        assert got.jp_bands == _naive_bands(units), units
        found = {
            course: (s.responses, s.relevance, s.clarity, s.applicability)
            for course, s in summaries(courses, units).items()
        }
        assert found == _naive_surveys(units), units


def _survey(learner: Learner, *ratings: int) -> None:
    names = ("relevance", "clarity", "applicability")
    response = learner.post(
        "/learn/dasar-proyek/evaluation",
        {**{n: str(r) for n, r in zip(names, ratings, strict=True)}, "comment": ""},
        page="/learn/dasar-proyek/evaluation",
    )
    assert response.status_code == 302


def _verify(training_id: int, reviewer: User, accept: bool) -> None:
    review_training(
        db.session.get(ExternalTraining, training_id), reviewer, accept=accept, note="cek"
    )
    db.session.commit()


def test_bands_and_surveys_follow_every_change(app: Flask, tmp_path: Path, clock):
    palu, mamuju = make_unit(code="palu"), make_unit(code="mamuju")
    admin = make_user(Role.ADMIN, name="Admin")
    learners = [complete_course(app, tmp_path, unit=palu)[0] for _ in range(4)]
    _survey(learners[0], 5, 4, 3)
    _survey(learners[1], 2, 2, 1)
    _assert_matches({palu.id}, {mamuju.id})

    for learner, jp in zip(learners, ("12", "7", "25"), strict=False):
        assert report(learner, jp=jp).status_code == 302
    trainings = list(db.session.scalars(select(ExternalTraining.id).order_by(ExternalTraining.id)))
    _verify(trainings[0], admin, True)  # 2 + 12 JP: band 10–19
    _verify(trainings[1], admin, False)  # rejected: stays at 2 JP
    _verify(trainings[2], admin, True)  # 27 JP
    _survey(learners[0], 1, 1, 1)  # a changed survey replaces the old ratings
    _assert_matches({palu.id}, {mamuju.id})

    def moved(learner: Learner, unit: Unit) -> None:
        user = db.session.get(User, learner.user.id)
        update_user(user, UserData(nip=user.nip, full_name=user.full_name, unit_id=unit.id))
        db.session.commit()

    moved(learners[0], mamuju)  # takes its band and survey along
    set_active(db.session.get(User, learners[2].user.id), False)
    db.session.commit()
    _assert_matches({palu.id}, {mamuju.id})

    set_active(db.session.get(User, learners[2].user.id), True)
    anonymise(db.session.get(User, learners[1].user.id))
    db.session.commit()
    moved(learners[0], palu)
    _assert_matches({palu.id}, {mamuju.id})
