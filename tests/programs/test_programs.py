"""Joining a program, its locks, its one certificate summing the pinned versions, the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, template_rendered
from jinja2 import Template
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from elearn import clock
from elearn.extensions import db
from elearn.models import Course, Enrollment, ProgramCertificate, ProgramEnrollment, Role, utcnow
from elearn.programs.certificate import program_document
from elearn.programs.completion import check_programs_of
from elearn.programs.locking import lock_reason
from elearn.programs.progress import completed_on
from elearn.records.entries import jp_total_for_year
from elearn.settings import current_settings
from tests.conftest import AuthActions, run_in_parallel
from tests.factories import make_unit, make_user
from tests.learning.helpers import Learner, sign_in
from tests.learning.test_statement_budget import BUDGET, _get, _queries, counted
from tests.programs.helpers import (
    PROGRAM,
    finish,
    join,
    program_certificate,
    publish_program,
    publish_short_course,
)

TWO = "  - kursus-a\n  - kursus-b\n"


def _two_courses(tmp_path: Path, *, sequential: bool = True) -> None:
    publish_short_course(tmp_path, "kursus-a", 3)
    publish_short_course(tmp_path, "kursus-b", 5)
    publish_program(tmp_path, TWO, sequential=sequential)


def _enrolled(user_id: int) -> set[str]:
    return set(
        db.session.scalars(
            select(Course.slug).join(Enrollment).where(Enrollment.user_id == user_id)
        )
    )


def test_a_sequential_program_locks_the_next_course_until_the_first_is_done(
    app: Flask, tmp_path: Path
):
    _two_courses(tmp_path)
    learner = sign_in(app)

    join(learner)
    assert _enrolled(learner.user.id) == {"kursus-a"}
    page = learner.client.get(f"/programs/{PROGRAM}").get_data(True)
    assert "Sedang diikuti" in page and "Terkunci" in page

    course_page = learner.client.get("/courses/kursus-b").get_data(True)
    assert "masih terkunci dalam program Jalur Uji" in course_page
    assert "Ikuti kursus ini" not in course_page
    learner.enroll("kursus-b")  # posting anyway is refused on the server
    assert _enrolled(learner.user.id) == {"kursus-a"}
    locked = learner.client.get("/learn/kursus-b/siklus")
    assert locked.status_code == 403
    assert "selesaikan dahulu Kursus kursus-a" in locked.get_data(True)
    assert f'href="/programs/{PROGRAM}"' in locked.get_data(True)

    finish(learner, "kursus-a")
    learner.enroll("kursus-b")
    assert _enrolled(learner.user.id) == {"kursus-a", "kursus-b"}


def test_an_unordered_program_locks_nothing_and_others_take_its_courses_freely(
    app: Flask, tmp_path: Path
):
    _two_courses(tmp_path, sequential=False)
    learner, outsider = sign_in(app), sign_in(app, name="Lain")

    join(learner)

    assert _enrolled(learner.user.id) == {"kursus-a", "kursus-b"}
    outsider.enroll("kursus-b")
    assert _enrolled(outsider.user.id) == {"kursus-b"}


def test_the_certificate_sums_the_jp_of_the_versions_completed_and_lists_them(
    app: Flask, tmp_path: Path
):
    _two_courses(tmp_path)
    learner, other = sign_in(app), sign_in(app, name="Lain")
    join(learner)
    finish(learner, "kursus-a")
    # A new version of the second course comes out before the learner starts it.
    publish_short_course(tmp_path, "kursus-b", 5, module="Isi yang diperbarui.")
    finish(learner, "kursus-b")

    certificate = db.session.scalars(select(ProgramCertificate)).one()
    p = certificate.payload
    assert certificate.jp == p["jp"] == 8
    assert [(c["slug"], c["version"][:3], c["jp"]) for c in p["courses"]] == [
        ("kursus-a", "v1 ", 3),
        ("kursus-b", "v2 ", 5),
    ]
    assert completed_on(db.session, learner.user.id, PROGRAM) is not None
    assert completed_on(db.session, other.user.id, PROGRAM) is None
    # The JP record counts each course once, through its course certificate.
    assert jp_total_for_year(learner.user, certificate.issued_at.year) == 8

    page = other.client.get(f"/programs/certificates/{certificate.code}").get_data(True)
    assert "SAH" in page and p["courses"][1]["version"] in page and "8 JP" in page
    assert "Unduh PDF" not in page
    pdf = learner.client.get(f"/programs/certificates/{certificate.code}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # Signed (PAdES) by the platform, and `flask certificates verify` reads it.
    signed = tmp_path / "program.pdf"
    signed.write_bytes(pdf.data)
    checked = app.test_cli_runner().invoke(args=["certificates", "verify", str(signed)])
    assert checked.exit_code == 0, checked.output
    assert f"VALID — {certificate.number}" in checked.output
    assert f"code {certificate.code}, signed by" in checked.output
    assert other.client.get(f"/programs/certificates/{certificate.code}/pdf").status_code == 404
    # Another learner's program page shows their own standing only.
    assert "Ikuti program ini" in other.client.get(f"/programs/{PROGRAM}").get_data(True)


def test_the_program_pdf_prints_the_program_its_courses_and_its_own_address(
    app: Flask, tmp_path: Path
):
    _two_courses(tmp_path, sequential=False)
    learner = sign_in(app)
    join(learner)
    finish(learner, "kursus-a")
    finish(learner, "kursus-b")

    certificate = db.session.scalars(select(ProgramCertificate)).one()
    p = certificate.payload
    document = program_document(certificate, "https://elearn.example")
    assert document.course_title == "Program Jalur Uji"
    assert document.course_version == p["program_version"]
    assert document.number == certificate.number and document.jp == 8
    assert document.score_summary.startswith("2 kursus: Kursus kursus-a (v1 · ")
    assert document.verify_url == f"https://elearn.example/programs/certificates/{p['code']}"
    assert document.completed_on.isoformat() == p["completed_on"]
    assert document.revoked_on is None and document.issuer_city == ""


def test_the_verification_page_reads_the_program_certificate_as_a_plain_row(
    app: Flask, tmp_path: Path
):
    """The public page only reads: the certificate comes as a plain row, no certificate,
    version or program object held while it renders, and each viewer sees what they saw."""
    learner, certificate = program_certificate(app, tmp_path, unit=make_unit("Kota Palu"))
    url = f"/programs/certificates/{certificate.code}"
    held: list[set[str]] = []

    def note(_app: Flask, template: Template, context: dict[str, object]) -> None:
        if template.name == "programs/verify.html":
            held.append({type(o).__name__ for o in db.session.identity_map.values()})

    with template_rendered.connected_to(note, app):
        own = learner.client.get(url).get_data(as_text=True)
        public = app.test_client().get(url).get_data(as_text=True)
        certificate.revoked_at = utcnow()
        certificate.revoked_reason = "Data <salah>"
        db.session.commit()
        revoked = app.test_client().get(url).get_data(as_text=True)

    assert len(held) == 3, held
    assert not set().union(*held) & {"ProgramCertificate", "ProgramVersion", "Program"}, held
    assert "<strong>SAH</strong>" in own and certificate.number in own and "8 JP" in own
    assert "Unduh PDF" in own and f"{url}/credential" in own and "Cabut sertifikat" not in own
    assert "<strong>SAH</strong>" in public and "Unduh PDF" not in public
    assert "DICABUT" in revoked and "Data &lt;salah&gt;" in revoked
    assert "<strong>SAH</strong>" not in revoked


def test_who_may_revoke_a_program_certificate_comes_with_it_within_statement_budget(
    app: Flask, tmp_path: Path
):
    # The program's unit comes in the certificate's row: no version or program loaded.
    palu, mamuju = make_unit("Kota Palu", code="palu"), make_unit("Kab. Mamuju", code="mamuju")
    _learner, certificate = program_certificate(app, tmp_path, unit=palu)
    url = f"/programs/certificates/{certificate.code}"
    viewers = [
        (make_user(Role.COORDINATOR, unit=palu, scope=[palu], name="Koordinator"), True, 4),
        (make_user(Role.COORDINATOR, unit=mamuju, scope=[mamuju], name="Lain"), False, 4),
        (make_user(Role.ADMIN, unit=mamuju, name="Admin"), True, 2),
    ]
    for user, may_revoke, most in viewers:
        viewer = Learner(user, app.test_client())
        AuthActions(viewer.client).login(user.nip)
        statements = _get(app, viewer, url)
        assert len(statements) <= most, "\n".join(statements)
        page = viewer.client.get(url).get_data(True)
        assert ("Cabut sertifikat" in page) is may_revoke, user.full_name
        assert (f'action="{url}/revoke"' in page) is may_revoke
        # Coordinators revoke a program certificate; only its holder and admins download it.
        assert ("Unduh PDF" in page) is user.has_role(Role.ADMIN)


def test_an_elective_group_is_met_by_its_quota_and_the_certificate_comes_once(
    app: Flask, tmp_path: Path
):
    publish_short_course(tmp_path, "kursus-a", 3)
    publish_short_course(tmp_path, "kursus-b", 5)
    publish_short_course(tmp_path, "kursus-c", 7)
    publish_program(tmp_path, "  - kursus-a\n  - choose: 1\n    from: [kursus-b, kursus-c]\n")
    learner = sign_in(app)
    join(learner)
    finish(learner, "kursus-a")
    finish(learner, "kursus-c")
    finish(learner, "kursus-b")

    certificate = db.session.scalars(select(ProgramCertificate)).one()
    assert certificate.jp == 10
    assert [c["slug"] for c in certificate.payload["courses"]] == ["kursus-a", "kursus-c"]


def test_courses_completed_before_joining_earn_the_certificate_on_joining(
    app: Flask, tmp_path: Path
):
    _two_courses(tmp_path, sequential=False)
    learner = sign_in(app)
    finish(learner, "kursus-a")
    finish(learner, "kursus-b")
    assert db.session.scalar(select(func.count()).select_from(ProgramCertificate)) == 0

    join(learner)

    assert db.session.scalar(select(func.count()).select_from(ProgramCertificate)) == 1


def test_the_database_refuses_a_second_certificate_for_one_enrolment(app: Flask, tmp_path: Path):
    _two_courses(tmp_path, sequential=False)
    learner = sign_in(app)
    join(learner)
    finish(learner, "kursus-a")
    finish(learner, "kursus-b")
    first = db.session.scalars(select(ProgramCertificate)).one()

    db.session.add(
        ProgramCertificate(
            code="x" * 22, number="lain", year=first.year, sequence=first.sequence + 99,
            user_id=first.user_id, program_enrollment_id=first.program_enrollment_id,
            version_id=first.version_id, jp=1, issued_at=first.issued_at, payload={},
            signature="-", key_id="-",
        )
    )  # fmt: skip
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


RUSH = 12


def test_a_rush_of_learners_completing_together_each_get_one_certificate(
    app: Flask, tmp_path: Path
):
    _two_courses(tmp_path)
    learners = [sign_in(app) for _ in range(RUSH)]
    for learner in learners:
        join(learner)
        finish(learner, "kursus-a")
        learner.enroll("kursus-b")
    waiting = list(learners)

    def complete() -> None:
        learner = waiting.pop()
        learner.post("/learn/kursus-b/siklus/complete")

    assert run_in_parallel(app, RUSH, complete) == []
    # The same learner's programs checked again, in parallel: still one each.
    users = [learner.user.id for learner in learners]
    again = list(users)

    def check() -> None:
        check_programs_of(db.session, again.pop(), current_settings(), clock.now())

    assert run_in_parallel(app, RUSH, check) == []

    db.session.expire_all()
    certificates = db.session.scalars(select(ProgramCertificate)).all()
    assert sorted(c.user_id for c in certificates) == sorted(users)
    assert len({c.number for c in certificates}) == RUSH
    completed = select(func.count()).where(ProgramEnrollment.completed_at.is_not(None))
    assert db.session.scalar(completed) == RUSH


def test_the_catalog_lists_programs_within_its_statement_budget(app: Flask, tmp_path: Path):
    _two_courses(tmp_path)
    learner = sign_in(app)

    statements = _get(app, learner, "/courses/")
    filtered = _get(app, learner, "/courses/?q=kursus&category=manajemen-proyek")

    assert len(statements) <= BUDGET and len(filtered) <= BUDGET
    page = learner.client.get("/courses/").get_data(True)
    assert "Program pembelajaran" in page and f'href="/programs/{PROGRAM}"' in page
    assert "Program pembelajaran" not in learner.client.get("/courses/?q=x").get_data(True)


def test_a_learners_programs_are_read_in_the_same_statements_however_many_they_follow(
    app: Flask, tmp_path: Path
):
    publish_short_course(tmp_path, "kursus-a", 3)
    publish_short_course(tmp_path, "kursus-b", 5)
    learner = sign_in(app)
    user_id = learner.user.id
    course_id = db.session.scalar(select(Course.id).where(Course.slug == "kursus-b"))
    costs = []
    for number in range(1, 4):
        slug = f"jalur-{number}"
        publish_program(tmp_path / slug, TWO, slug=slug)
        join(learner, slug)
        db.session.expire_all()
        with counted(app) as locking:
            lock = lock_reason(db.session, user_id, course_id)
        db.session.expire_all()
        with counted(app) as checking:
            check_programs_of(db.session, user_id, current_settings(), clock.now())
        assert lock is not None  # kursus-b waits for kursus-a in every one
        costs.append((len(_queries(locking)), len(_queries(checking))))

    assert costs == [(3, 3)] * 3, costs  # the enrolments, the courses, the learner's


def test_the_catalog_reads_courses_and_programs_as_plain_rows(app: Flask, tmp_path: Path):
    """The catalog only reads its cards: courses, the learner's enrolments and programs come
    as plain rows, no version, course or program objects held in the session, and the cards
    show the same facts."""
    _two_courses(tmp_path)
    learner = sign_in(app)
    learner.enroll("kursus-b")
    held: list[set[str]] = []

    def note(_app: Flask, template: Template, context: dict[str, object]) -> None:
        if template.name == "catalog/index.html":
            held.append({type(o).__name__ for o in db.session.identity_map.values()})

    with template_rendered.connected_to(note, app):
        page = learner.client.get("/courses/").get_data(True)

    assert held and not held[0] & {"CourseVersion", "Course", "ProgramVersion", "Program"}, held
    assert f'href="/programs/{PROGRAM}">Jalur Uji</a>' in page and "2 langkah" in page
    assert 'href="/courses/kursus-b">Kursus kursus-b</a>' in page
    assert page.count("Sedang diikuti") == 1 and "3 JP" in page and "5 JP" in page
