"""The gap of each required competency, and the courses recommended to close it."""

from __future__ import annotations

from datetime import date

from elearn.competencies.gaps import profiles_for, recommended_courses
from elearn.extensions import db
from tests.certificates.helpers import complete_course
from tests.competencies.courses import publish_developing
from tests.competencies.helpers import add_assessments, load_dictionary, set_standards
from tests.factories import make_user
from tests.learning.helpers import sign_in

ANALYST = "Analis Kebijakan"


def _analyst(nip: str):  # type: ignore[no-untyped-def]
    user = make_user(nip=nip)
    user.position = ANALYST
    db.session.commit()
    return user


def test_gap_uses_the_latest_result_and_counts_unassessed_from_zero(app):
    load_dictionary()
    set_standards(f"{ANALYST},M.01,3\n{ANALYST},M.02,2\n{ANALYST},SK.01,2\n")
    learner = _analyst("198609262015051001")
    colleague = _analyst("199203142019032002")
    add_assessments(
        "198609262015051001,M.01,3,2026-01-10,Uji kompetensi\n"
        "198609262015051001,M.01,2,2026-02-10,Assessment Center\n"  # the latest counts
        "198609262015051001,M.02,1,2025-11-01,Assessment Center\n"
        "199203142019032002,SK.01,4,2026-02-10,Assessment Center\n"
    )
    profiles = profiles_for([learner.id, colleague.id])
    mine = {s.code: s for s in profiles[learner.id]}
    assert [(s.code, s.required, s.current, s.gap) for s in profiles[learner.id]] == [
        ("M.01", 3, 2, 1),
        ("M.02", 2, 1, 1),
        ("SK.01", 2, None, 2),
    ]
    assert mine["M.01"].assessed_on == date(2026, 2, 10)
    assert mine["M.01"].source == "Assessment Center"
    assert mine["M.01"].required_description.startswith("Mampu memastikan")
    theirs = {s.code: (s.current, s.has_gap) for s in profiles[colleague.id]}
    assert theirs == {"M.01": (None, True), "M.02": (None, True), "SK.01": (4, False)}


def test_no_jabatan_or_no_standard_gives_no_rows(app):
    load_dictionary()
    set_standards(f"{ANALYST},M.01,3\n")
    without_position = make_user()
    other = make_user()
    other.position = "Juru Ukur"
    db.session.commit()
    assert profiles_for([without_position.id, other.id]) == {}


def test_recommends_published_courses_reaching_the_required_level_not_completed(app, tmp_path):
    load_dictionary()
    set_standards(f"{ANALYST},M.02,3\n{ANALYST},M.01,2\n")
    learner = sign_in(app)
    learner.user.position = ANALYST
    db.session.commit()
    add_assessments(f"{learner.user.nip},M.01,2,2026-02-10,Assessment Center\n")
    publish_developing(tmp_path, "kerjasama-dasar", "Kerjasama Dasar", "M.02", 2)  # too low
    publish_developing(tmp_path, "kerjasama-tim", "Kerjasama Tim", "M.02", 3)
    publish_developing(tmp_path, "kerjasama-lanjut", "Kerjasama Lanjut", "M.02", 4)
    publish_developing(tmp_path, "kerjasama-draf", "Kerjasama Draf", "M.02", 5, publish=False)
    publish_developing(tmp_path, "integritas", "Integritas", "M.01", 3)  # M.01 has no gap
    complete_course(app, tmp_path, learner=learner, slug="kerjasama-lanjut")

    statuses = profiles_for([learner.user.id])[learner.user.id]
    recommended = recommended_courses(learner.user.id, statuses)
    assert {
        code: [(c.slug, c.level) for c in courses] for code, courses in recommended.items()
    } == {"M.02": [("kerjasama-tim", 3)]}
