"""Every route has an explicit access rule, checked for every role.

Walks ``app.url_map``: a new route without a rule here fails the first test,
so nobody adds a page without deciding who may see it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from elearn.content.parse import parse_course
from elearn.content.publish import store_version
from elearn.extensions import db
from elearn.models import (
    ActivityKind,
    Certificate,
    Course,
    CourseUpload,
    DevelopmentPlan,
    ExternalTraining,
    PlanActivity,
    PlanStatus,
    Program,
    ProgramCertificate,
    ProgramCourse,
    ProgramVersion,
    QuizAttempt,
    Role,
    User,
    VersionStatus,
)
from tests.conftest import AuthActions
from tests.content.course_fixtures import write_course
from tests.factories import make_unit, make_user

ROLES = (
    "anonymous",
    "owner",
    "other_learner",
    "mamuju_learner",
    "coordinator",
    "evaluator",
    "admin",
)
OK = 200
LOGIN = 0  # "redirected to the sign-in page"


@dataclass(frozen=True)
class Rule:
    """Expected GET status per role; POST-only routes use ``post``."""

    expect: dict[str, int]
    post: bool = False


def rule(anonymous: int = LOGIN, **others: int) -> Rule:
    return Rule({"anonymous": anonymous, **others})


def everyone(status: int = OK) -> Rule:
    return Rule(dict.fromkeys(ROLES, status))


SIGNED_IN = rule(**dict.fromkeys(ROLES[1:], OK))
OWNER_ONLY = rule(owner=OK, other_learner=404, mamuju_learner=404, coordinator=404, evaluator=404,
                  admin=404)  # fmt: skip
STAFF = rule(
    owner=403, other_learner=403, mamuju_learner=403, coordinator=OK, evaluator=OK, admin=OK
)
COORDINATORS = rule(owner=403, other_learner=403, mamuju_learner=403, coordinator=OK,
                    evaluator=403, admin=OK)  # fmt: skip
ADMINS = rule(owner=403, other_learner=403, mamuju_learner=403, coordinator=403, evaluator=403,
              admin=OK)  # fmt: skip
TOKEN_ONLY = everyone(401)
NO_ASSIGNMENT = Rule(COORDINATORS.expect | {"coordinator": 404, "admin": 404})
NO_DRAFT = NO_ASSIGNMENT
SIASN_STAFF = rule(owner=403, other_learner=403, mamuju_learner=403, coordinator=403,
                   evaluator=OK, admin=OK)  # fmt: skip

RULES: dict[str, Rule] = {
    "static": everyone(),
    "main.home": everyone(),
    "monitoring.healthz": everyone(),
    "monitoring.readyz": everyone(),
    "metrics.metrics": everyone(),  # the test client is local; tests/monitoring covers the rest
    "main.set_language": Rule(dict.fromkeys(ROLES, 302), post=True),
    "auth.login": Rule({"anonymous": OK, **dict.fromkeys(ROLES[1:], 302)}),
    "auth.logout": Rule({"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 302)}, post=True),
    "auth.change_password": SIGNED_IN,
    "admin.users": ADMINS, "admin.new_user": ADMINS, "admin.edit_user": ADMINS,
    "admin.units": ADMINS, "admin.edit_unit": ADMINS, "admin.import_users": ADMINS,
    "admin.toggle_active": Rule(ADMINS.expect | {"admin": 302}, post=True),
    "admin.anonymise_user": Rule(ADMINS.expect | {"admin": 302}, post=True),
    "jobs.index": ADMINS,
    "jobs.requeue": Rule(ADMINS.expect | {"admin": 302}, post=True),  # no such job: nothing done
    "catalog.index": SIGNED_IN, "catalog.course": SIGNED_IN, "catalog.asset": SIGNED_IN,
    "catalog.enroll_in": Rule({"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 302)}, post=True),
    "programs.program": SIGNED_IN, "programs.verify": everyone(),
    "programs.enroll_in": Rule({"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 302)}, post=True),
    "programs.pdf": rule(owner=OK, other_learner=404, mamuju_learner=404, coordinator=404,
                         evaluator=404, admin=OK),  # fmt: skip
    "programs.credential": OWNER_ONLY, "programs.credential_jsonld": OWNER_ONLY,
    # The program has no unit: only admins manage its certificate (a unit's coordinators
    # would too, tests/programs/test_credentials.py); only admins undo a revocation.
    "programs.revoke_certificate": Rule({**OWNER_ONLY.expect, "owner": 404, "admin": 302},
                                        post=True),  # fmt: skip
    "programs.unrevoke_certificate": Rule(ADMINS.expect | {"admin": 302}, post=True),
    "coordinator.courses": COORDINATORS, "coordinator.course": COORDINATORS,
    "coordinator.version": COORDINATORS,
    "coordinator.upload_status": COORDINATORS,  # the uploader (a coordinator) and admins
    "coordinator.upload": Rule(COORDINATORS.expect, post=True),
    "coordinator.program_upload": COORDINATORS,  # the form; tests/coordinator posts zips
    "coordinator.publish": Rule(COORDINATORS.expect | {"coordinator": 302, "admin": 302},
                                post=True),  # fmt: skip
    "coordinator.archive": Rule(COORDINATORS.expect | {"coordinator": 302, "admin": 302},
                                post=True),  # fmt: skip
    # The browser editor: dasar-proyek has no draft, so past the role check it is 404.
    "coordinator.editor.draft": COORDINATORS,
    "coordinator.editor.edit": NO_DRAFT, "coordinator.editor.asset": NO_DRAFT,
    "coordinator.editor.open_": Rule(COORDINATORS.expect | {"coordinator": 302, "admin": 302},
                                     post=True),  # fmt: skip
    "coordinator.editor.new_file": Rule(NO_DRAFT.expect, post=True),
    "coordinator.editor.add_asset": Rule(NO_DRAFT.expect, post=True),
    "coordinator.editor.remove": Rule(NO_DRAFT.expect, post=True),
    "coordinator.editor.publish": Rule(NO_DRAFT.expect, post=True),
    "coordinator.course_template": COORDINATORS, "coordinator.format_help": COORDINATORS,
    "coordinator.format_image": NO_DRAFT,  # "siklus" is no screenshot of the guide
    # Assignment 999 does not exist: staff past the role check get 404.
    "assignments.index": COORDINATORS, "assignments.new": COORDINATORS,
    "assignments.detail": NO_ASSIGNMENT, "assignments.export": NO_ASSIGNMENT,
    "assignments.exempt_learner": Rule(NO_ASSIGNMENT.expect, post=True),
    "assignments.reinstate_learner": Rule(NO_ASSIGNMENT.expect, post=True),
    "learning.dashboard": SIGNED_IN,
    "learning.resume": rule(owner=302, other_learner=404, mamuju_learner=404, coordinator=404,
                            evaluator=404, admin=404),  # fmt: skip
    "learning.item": OWNER_ONLY, "learning.attempt": OWNER_ONLY,
    "learning.evaluation": OWNER_ONLY, "learning.completion": OWNER_ONLY,
    "learning.complete": Rule(OWNER_ONLY.expect | {"owner": 302}, post=True),
    "learning.start": Rule(OWNER_ONLY.expect | {"owner": 302}, post=True),
    "learning.answer": Rule(OWNER_ONLY.expect | {"owner": 302}, post=True),
    "learning.confirm": Rule(OWNER_ONLY.expect | {"owner": 302}),  # submitted: to the result
    "learning.move": Rule(OWNER_ONLY.expect | {"owner": 400}, post=True),
    # Reading offline: the manifest, worker and fallback page are public; the list of pages
    # to keep is the enrolled learner's own, and a fresh CSRF token needs a session.
    "offline.manifest": everyone(), "offline.service_worker": everyone(),
    "offline.fallback": everyone(), "offline.messages": everyone(),
    "offline.course_pages": OWNER_ONLY,
    "offline.csrf_token": SIGNED_IN,
    "certificates.verify": everyone(), "certificates.issuer": everyone(),
    "certificates.key": everyone(), "certificates.keys": everyone(),
    "issuers.profile": everyone(), "issuers.keys": everyone(), "issuers.key": everyone(),
    "issuers.did": everyone(), "issuers.status": everyone(), "issuers.status_jsonld": everyone(),
    "issuers.logo": everyone(404),  # the Palu issuer has no logo yet
    "issuer_admin.index": ADMINS, "issuer_admin.edit": ADMINS,
    "certificates.pdf": rule(owner=OK, other_learner=404, mamuju_learner=404, coordinator=OK,
                             evaluator=404, admin=OK),  # fmt: skip
    "certificates.credential": OWNER_ONLY, "certificates.credential_jsonld": OWNER_ONLY,
    "certificates.status": everyone(), "certificates.status_jsonld": everyone(),
    "did_web_document": everyone(),
    # Only admins undo a revocation (the certificate here is not revoked: back to its page).
    "certificates.unrevoke_certificate": Rule(ADMINS.expect | {"admin": 302}, post=True),
    "badges.verify": everyone(), "badges.credential": OWNER_ONLY,
    "badges.credential_jsonld": OWNER_ONLY,
    "certificates.revoke_certificate": Rule(
        {**OWNER_ONLY.expect, "owner": 404, "coordinator": 302, "admin": 302}, post=True
    ),
    "records.mine": SIGNED_IN, "records.mine_csv": SIGNED_IN, "records.mine_pdf": SIGNED_IN,
    "records.new_training": SIGNED_IN,
    "records.evidence": rule(owner=OK, other_learner=404, mamuju_learner=404, coordinator=OK,
                             evaluator=404, admin=OK),  # fmt: skip
    "records.review_list": COORDINATORS, "records.learners": COORDINATORS,
    "records.learner": COORDINATORS,
    "records.review": Rule(COORDINATORS.expect | {"coordinator": 302, "admin": 302}, post=True),
    "privacy.my_data": SIGNED_IN,
    # Each learner's own sessions and requests; session 999 is nobody's (another's: 404 too).
    "mentoring.mine": SIGNED_IN, "mentoring.requests": SIGNED_IN,
    "mentoring.units": COORDINATORS,
    "mentoring.withdraw": Rule({"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 404)}, post=True),
    "mentoring.decide": Rule({"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 404)}, post=True),
    # Each learner's own notifications; reminder 999 is nobody's (someone else's: 404 too).
    "reminders.index": SIGNED_IN,
    "reminders.read_all": Rule({"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 302)}, post=True),
    "reminders.read_one": Rule({"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 404)}, post=True),
    "reminders.nudges": Rule({"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 302)}, post=True),
    "reports.dashboard": STAFF, "reports.evaluations": STAFF, "reports.evaluation": STAFF,
    "reports.audit_log": ADMINS,
    "evaluation.report": STAFF, "evaluation.gain_csv": STAFF, "evaluation.follow_up_csv": STAFF,
    # Survey 999 does not exist; only its addressee would reach a real one (tests/evaluation).
    "evaluation.follow_up": Rule({"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 404)}),
    "evaluation.pending": SIGNED_IN,  # each sees the surveys addressed to them
    # The unit is Palu, in the coordinator's and the evaluator's scope (outside it: 404).
    "reports.jp_duty": STAFF, "reports.jp_duty_csv": STAFF, "reports.jp_duty_xlsx": STAFF,
    "reports.jp_duty_unit": STAFF, "reports.jp_duty_unit_csv": STAFF,
    "reports.jp_duty_unit_xlsx": STAFF,
    # The AKPK of Palu, the instansi in the coordinator's and the evaluator's scope.
    "akpk.index": STAFF, "akpk.csv_file": STAFF, "akpk.xlsx_file": STAFF,
    "exports.index": STAFF, "exports.enrollments_csv": STAFF, "exports.enrollments_xlsx": STAFF,
    # Staff ask for files with a format and request key; the files are their own (job 999: none).
    "export_jobs.request_file": Rule(STAFF.expect | {"coordinator": 400, "evaluator": 400,
                                                     "admin": 400}, post=True),
    "export_jobs.status": Rule(STAFF.expect | {"coordinator": 404, "evaluator": 404, "admin": 404}),
    "export_jobs.download": Rule(STAFF.expect | {"coordinator": 404, "evaluator": 404,
                                                 "admin": 404}),
    "xapi.export_jsonl": STAFF,
    "api_tokens.index": STAFF,
    "api_tokens.create": Rule(STAFF.expect | {"coordinator": 400, "evaluator": 400, "admin": 400},
                              post=True),
    "api_tokens.revoke": Rule(STAFF.expect | {"coordinator": 404, "evaluator": 404, "admin": 404},
                              post=True),
    "api.openapi_document": everyone(),
    "api.enrollments": TOKEN_ONLY, "api.completions": TOKEN_ONLY,
    "api.certificates": TOKEN_ONLY, "api.jp_totals": TOKEN_ONLY, "api.unknown": everyone(404),
    "pdf_signing.certificate": everyone(),
    # Competencies: one's own gaps and direct reports; the dictionary is the admins'.
    "competencies.mine": SIGNED_IN, "competencies.team": SIGNED_IN,
    "competencies.admin_index": ADMINS,
    "competencies.edit": Rule(ADMINS.expect | {"admin": 404}),  # competency 999: none
    "competencies.save_standard": Rule(ADMINS.expect | {"admin": 302}, post=True),
    "competencies.delete_standard": Rule(ADMINS.expect | {"admin": 404}, post=True),
    # Development plans: one's own plan (each signed-in user may start theirs); a plan
    # submitted to a supervisor is theirs to review (the owner's goes to other_learner).
    "development_plans.current": rule(**dict.fromkeys(ROLES[1:], 302)),
    "development_plans.show": SIGNED_IN, "development_plans.team": SIGNED_IN,
    "development_plans.start": Rule(SIGNED_IN.expect | dict.fromkeys(ROLES[1:], 302), post=True),
    "development_plans.new_activity": OWNER_ONLY, "development_plans.edit_activity": OWNER_ONLY,
    "development_plans.delete_activity": Rule(OWNER_ONLY.expect | {"owner": 302}, post=True),
    # (Checked after "start", which gave every signed-in user a plan of their own.)
    "development_plans.submit": Rule(SIGNED_IN.expect | dict.fromkeys(ROLES[1:], 302), post=True),
    "development_plans.reopen": Rule(OWNER_ONLY.expect | {"owner": 302}, post=True),
    # Notes: the owner's plan of the year (a supervisor names the plan in the form).
    "development_plans.notes": Rule(OWNER_ONLY.expect | {"owner": 302}, post=True),
    "development_plans.review": rule(owner=404, other_learner=OK, mamuju_learner=404,
                                     coordinator=404, evaluator=404, admin=404),
    # SIASN: evaluators see their instansi's push and downloads; admins push and keep codes.
    "siasn.index": SIASN_STAFF, "siasn.download": SIASN_STAFF, "siasn.codes": ADMINS,
    "siasn.push": Rule(ADMINS.expect | {"admin": 302}, post=True),
    "siasn.delete_code": Rule(ADMINS.expect | {"admin": 404}, post=True),  # code 999: none
    # SSO ASN is not configured in tests: its routes are not there (tests/auth/test_sso.py).
    "sso.start": Rule(dict.fromkeys(ROLES, 404), post=True), "sso.callback": everyone(404),
}  # fmt: skip


@pytest.fixture
def world(app: Flask, tmp_path: Path) -> dict[str, object]:
    """Two units, a Palu course with a certificate, an attempt and a reported training."""
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    folder = write_course(tmp_path, **{"03-kuis-akhir.gift": ""})
    version = store_version(parse_course(folder), unit=palu, actor=None, publish=True).version
    db.session.commit()
    users = {
        "owner": make_user(unit=palu, name="Pemilik"),
        "other_learner": make_user(unit=palu, name="Lain"),
        "mamuju_learner": make_user(unit=mamuju, name="Mamuju"),
        "coordinator": make_user(Role.COORDINATOR, Role.LEARNER, unit=palu, scope=[palu]),
        "evaluator": make_user(Role.EVALUATOR, Role.LEARNER, unit=palu, scope=[palu]),
        "admin": make_user(Role.ADMIN, Role.LEARNER, unit=palu),
    }
    owner = client_for(app, users["owner"])
    from tests.learning.helpers import answer_form, csrf_token

    def post(url: str, data: dict[str, object] | None = None) -> None:
        owner.post(url, data={"csrf_token": csrf_token(owner, "/"), **(data or {})})

    post("/courses/dasar-proyek/enroll")
    post("/learn/dasar-proyek/siklus/complete")
    post("/learn/dasar-proyek/kuis-siklus/attempts")
    form = answer_form(version, "kuis-siklus", correct=True)
    post("/learn/dasar-proyek/kuis-siklus/attempts/1", {**form, "action": "submit"})
    db.session.add(
        ExternalTraining(
            user_id=users["owner"].id, name="Bimtek", organiser="BKPSDM", route="seminar",
            competency="teknis", started_on=__import__("datetime").date(2026, 1, 5),
            finished_on=__import__("datetime").date(2026, 1, 6), jp=4, evidence_name="b.pdf",
            evidence_type="application/pdf", evidence=b"%PDF-1.4",
        )
    )  # fmt: skip
    db.session.add(CourseUpload(filename="k.zip", data=b"", uploaded_by=users["coordinator"]))
    db.session.commit()
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None and db.session.scalar(select(QuizAttempt)) is not None
    program_certificate = _program_certificate_of(owner, version.course, post)
    return {"users": users, "certificate": certificate, "version": version,
            "badge": _badge_of(users["owner"]),
            "program_certificate": program_certificate, "plan": _plan_of(users)}  # fmt: skip


def _program_certificate_of(owner: FlaskClient, course: Course, post: Callable[[str], None]) -> str:
    """A one-course program of the same slug, joined by the owner who completed the course."""
    program = Program(slug=course.slug)
    program.versions.append(
        ProgramVersion(
            number=1, content_hash="0" * 64, status=VersionStatus.PUBLISHED, title="Program",
            description="Program uji.", courses=[ProgramCourse(step=1, position=1, course=course)],
        )
    )  # fmt: skip
    db.session.add(program)
    db.session.commit()
    post(f"/programs/{course.slug}/enroll")
    return db.session.scalars(select(ProgramCertificate.code)).one()


def _plan_of(users: dict[str, User]) -> DevelopmentPlan:
    """The owner's plan of this year, with one activity, submitted to other_learner."""
    from elearn.records.entries import current_year

    year = current_year(users["owner"])
    plan = DevelopmentPlan(
        user_id=users["owner"].id, year=year, status=PlanStatus.SUBMITTED,
        supervisor_id=users["other_learner"].id,
    )  # fmt: skip
    plan.activities.append(
        PlanActivity(kind=ActivityKind.MENTORING, title="Mentoring", route="mentoring",
                     due_on=__import__("datetime").date(year, 12, 31), jp=2)
    )  # fmt: skip
    db.session.add(plan)
    db.session.commit()
    return plan


def _badge_of(user: User) -> str:
    """The owner's Pembelajar ASN badge (as if they had reached 20 JP); its code."""
    from zoneinfo import ZoneInfo

    from elearn import clock
    from elearn.badges.issuance import Owed, issue
    from elearn.models import JpBadge
    from elearn.settings import current_settings

    owed = Owed(user.id, user.full_name, user.nip, 2026, 20)
    zones = {user.id: ZoneInfo("Asia/Makassar")}
    (badge_id,) = issue([owed], zones, clock.now(), current_settings())
    db.session.commit()
    return db.session.get_one(JpBadge, badge_id).code


def client_for(app: Flask, user: User | None) -> FlaskClient:
    client = app.test_client()
    if user is not None:
        AuthActions(client).login(user.nip)
    return client


def url_for_rule(app: Flask, endpoint: str, world: dict[str, object]) -> str:
    from elearn.certificates.keys import current_key_id

    users: dict[str, User] = world["users"]  # type: ignore[assignment]
    certificate: Certificate = world["certificate"]  # type: ignore[assignment]
    training = db.session.scalar(select(ExternalTraining))
    values: dict[str, object] = {
        "slug": "dasar-proyek", "name": "siklus", "number": 1, "code": certificate.code,
        "user_id": users["owner"].id, "unit_id": users["owner"].unit_id,
        "training_id": training.id if training else 1, "kid": current_key_id(),
        "short_hash": certificate.version.short_hash, "filename": "css/app.css",
        "unknown": "nothing", "token_id": 999, "job_id": 999,
        "assignment_id": 999, "assignee_id": 999, "reminder_id": 999, "session_id": 999,
        "upload_id": db.session.scalar(select(CourseUpload.id)), "path": "01-siklus.md",
        "competency_id": 999, "standard_id": 999, "code_id": 999, "shape": "kursus", "fmt": "csv",
        "list_no": 1, "survey_id": 999,
    }  # fmt: skip
    plan: DevelopmentPlan = world["plan"]  # type: ignore[assignment]
    values |= {"year": plan.year, "plan_id": plan.id, "activity_id": plan.activities[0].id}
    if endpoint.startswith("badges."):
        values["code"] = world["badge"]
    if endpoint.startswith("issuers."):
        from elearn.models import IssuerProfile

        palu = db.session.get(IssuerProfile, certificate.issuer_id)
        assert palu is not None, "the Palu course's certificate names the Palu issuer"
        values["slug"], values["kid"] = palu.slug, palu.keys[-1].kid
    if endpoint.startswith("programs."):
        values["code"] = world["program_certificate"]
    if endpoint == "catalog.asset":
        values["name"] = "diagram.png"
    if endpoint in {"learning.attempt", "learning.answer", "learning.start", "learning.confirm"}:
        values["name"] = "kuis-siklus"
    rule_ = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        wanted = {k: v for k, v in values.items() if k in rule_.arguments}
        if endpoint == "main.set_language":
            wanted = {"code": "en"}
        return url_for(endpoint, **wanted)


def test_every_route_has_an_explicit_rule(app: Flask):
    endpoints = {rule_.endpoint for rule_ in app.url_map.iter_rules()}
    assert endpoints - set(RULES) == set(), "add a rule for each new route"
    assert set(RULES) - endpoints == set(), "remove rules for routes that are gone"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_rule_says(app: Flask, world: dict[str, object], role: str):
    from tests.learning.helpers import csrf_token

    users: dict[str, User] = world["users"]  # type: ignore[assignment]
    client = client_for(app, users.get(role))
    token = csrf_token(client, "/login" if role == "anonymous" else "/")
    failures = []
    # Reads first, then writes; enrolling last, since it changes what every later rule sees.
    order = sorted(RULES.items(), key=lambda kv: (kv[1].post, kv[0] == "catalog.enroll_in", kv[0]))
    for endpoint, expected in order:
        if endpoint in {"auth.logout", "admin.anonymise_user", "admin.toggle_active"}:
            continue  # they end the session or change users: checked in their own tests
        url = url_for_rule(app, endpoint, world)
        if expected.post:
            response = client.post(url, data={"csrf_token": token})
        else:
            response = client.get(url)
        want = expected.expect[role]
        got = response.status_code
        to_login = got == 302 and "/login" in response.headers.get("Location", "")
        ok = to_login if want == LOGIN else got == want and not (want == 302 and to_login)
        response.close()
        if not ok:
            failures.append(f"{endpoint} {url}: expected {want}, got {got}")
    assert failures == []


def test_every_mutating_route_refuses_a_missing_csrf_token(app: Flask, world: dict[str, object]):
    users: dict[str, User] = world["users"]  # type: ignore[assignment]
    client = client_for(app, users["admin"])
    refused = []
    for rule_ in app.url_map.iter_rules():
        if not rule_.methods or not rule_.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            continue
        if rule_.endpoint.startswith("api."):
            continue  # the API is read-only and token-authenticated, not cookie-based
        url = url_for_rule(app, rule_.endpoint, world)
        response = client.post(url, data={})
        refused.append((rule_.endpoint, response.status_code))
        response.close()
    assert refused and all(status == 400 for _, status in refused), refused
