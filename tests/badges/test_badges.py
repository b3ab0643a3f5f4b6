"""The Pembelajar ASN badge: issued once when a year's JP reaches 20, shown, verifiable."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import jwt
import pytest
from flask import Flask, template_rendered
from jinja2 import Template
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from elearn.certificates.credential import InvalidCredential, decode_vc_jwt
from elearn.certificates.issuance import revoke
from elearn.certificates.keys import signing_key
from elearn.certificates.signing import key_id
from elearn.extensions import db
from elearn.models import EmployeeType, JpBadge, ReviewStatus, Role
from elearn.records.entries import jp_total_for_year
from tests.badges.helpers import badges_of, training
from tests.certificates.helpers import complete_course
from tests.conftest import FrozenClock, csrf_token
from tests.factories import make_unit, make_user
from tests.learning.helpers import sign_in
from tests.learning.test_statement_budget import BUDGET, _get


def _cli(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _public_keys(app: Flask) -> dict[str, object]:
    public = signing_key().public_key()
    return {key_id(public): public}


def test_the_completion_that_reaches_twenty_jp_issues_the_badge_once(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    learner = sign_in(app, name="Siti Aminah")
    training(learner.user, 18)
    complete_course(app, tmp_path, learner=learner)  # 2 JP: 20 this year

    (badge,) = badges_of(learner.user).values()
    assert (badge.year, badge.jp) == (2026, 20)
    assert badge.payload["learner_name"] == "Siti Aminah" and badge.payload["target"] == 20
    dashboard = learner.client.get("/me").get_data(as_text=True)
    assert "Lencana Pembelajar ASN 2026" in dashboard
    assert f"/badges/{badge.code}" in dashboard
    record = learner.client.get("/me/records").get_data(as_text=True)
    assert "Pembelajar ASN 2026" in record and "20 JP pada tahun 2026" in record

    # A copy of one's data (UU 27/2022) includes it.
    data = learner.client.get("/me/data.json").get_json()
    assert [b["year"] for b in data["badges"]] == [2026]

    # The catch-up command and the hourly pass find nothing left to issue.
    assert "badges issued: 0" in _cli(app, "badges", "issue-missing")
    assert "badges issued: 0" in _cli(app, "reminders", "run")
    assert db.session.scalar(select(func.count()).select_from(JpBadge)) == 1


def test_revoked_certificates_and_unverified_trainings_do_not_count(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    palu = make_unit(code="palu")
    learner = sign_in(app, unit=palu)
    _, certificate = complete_course(app, tmp_path, learner=learner)  # 2 JP
    admin = make_user(Role.ADMIN, unit=palu, name="Admin")
    revoke(certificate, admin, "Salah peserta")
    db.session.commit()
    training(learner.user, 18)
    pending = training(learner.user, 5, status=ReviewStatus.PENDING)
    assert jp_total_for_year(learner.user, 2026) == 18

    assert "badges issued: 0" in _cli(app, "badges", "issue-missing")
    assert badges_of(learner.user) == {}

    # The coordinator verifies the pending 5 JP: the badge comes with the decision.
    coordinator = make_user(Role.COORDINATOR, unit=palu, scope=[palu], name="Koordinator")
    client = app.test_client()
    client.post("/login", data={"login": coordinator.nip, "password": "rahasia-kuat-123",
                                "csrf_token": csrf_token(client, "/login")})  # fmt: skip
    token = csrf_token(client, "/records/review")
    client.post(
        f"/records/trainings/{pending.id}/review",
        data={"csrf_token": token, "decision": "verify", "note": ""},
    )
    (badge,) = badges_of(learner.user).values()
    assert (badge.year, badge.jp) == (2026, 23)


def test_learners_who_crossed_before_are_caught_up_by_the_pass_and_the_command(
    app: Flask, clock: FrozenClock
):
    this_year = make_user(name="Rina")
    training(this_year, 20)
    last_year = make_user(name="Tono", employee_type=EmployeeType.PPPK)  # PPPK learn too
    training(last_year, 21, finished_on=date(2025, 11, 3))
    long_ago = make_user(name="Dewi")
    training(long_ago, 30, finished_on=date(2023, 5, 2))
    short = make_user(name="Budi")
    training(short, 19)
    training(short, 7, finished_on=date(2025, 1, 5))

    # The hourly pass looks at this and last year.
    assert "badges issued: 2" in _cli(app, "reminders", "run")
    assert set(badges_of(this_year)) == {2026} and badges_of(this_year)[2026].jp == 20
    assert set(badges_of(last_year)) == {2025}
    assert badges_of(long_ago) == {} and badges_of(short) == {}
    # The command looks at every year with JP; a second run issues nothing.
    assert "badges issued: 1" in _cli(app, "badges", "issue-missing")
    assert set(badges_of(long_ago)) == {2023}
    assert "badges issued: 0" in _cli(app, "badges", "issue-missing")
    assert "badges issued: 0" in _cli(app, "badges", "issue-missing", "--year", "2026")


def test_the_year_is_the_learners_local_one(app: Flask, tmp_path: Path, clock: FrozenClock):
    # 31 December 2025, 17:00 UTC is already 1 January 2026 in Palu (WITA, +08): the course
    # completed then counts for 2026, as the career record counts it.
    learner = sign_in(app)
    training(learner.user, 18, finished_on=date(2026, 1, 1))
    clock.current = datetime(2025, 12, 31, 17, 0, tzinfo=UTC)
    complete_course(app, tmp_path, learner=learner)
    assert jp_total_for_year(learner.user, 2026) == 20
    assert set(badges_of(learner.user)) == {2026}


def test_one_badge_per_learner_and_year_is_a_database_rule(app: Flask, clock: FrozenClock):
    learner = make_user()
    training(learner, 20)
    _cli(app, "badges", "issue-missing")
    (badge,) = badges_of(learner).values()
    db.session.add(
        JpBadge(
            code="X" * 22, user_id=learner.id, year=2026, jp=20, issued_at=clock.current,
            payload={}, signature="-", key_id="-",
        )
    )  # fmt: skip
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert badge.id is not None


def test_the_badge_verifies_publicly_and_as_a_vc_jwt(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    learner = sign_in(app, name="Siti Aminah")
    training(learner.user, 18)
    complete_course(app, tmp_path, learner=learner)
    (badge,) = badges_of(learner.user).values()

    page = app.test_client().get(f"/badges/{badge.code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "SAH" in text and "TIDAK SAH" not in text
    assert "Pembelajar ASN 2026" in text and "Siti Aminah" in text
    assert learner.user.nip not in text and learner.user.nip[:6] in text  # masked
    assert app.test_client().get("/badges/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404
    assert app.test_client().get("/badges/not-a-code").status_code == 404

    response = learner.client.get(f"/badges/{badge.code}/credential")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    token = response.get_data(as_text=True)
    credential = decode_vc_jwt(token, _public_keys(app))
    assert credential["name"] == "Pembelajar ASN 2026"
    assert "OpenBadgeCredential" in credential["type"]
    subject = credential["credentialSubject"]
    assert subject["achievement"]["name"] == "Pembelajar ASN 2026"
    assert subject["result"][0]["value"] == "20"
    assert credential["evidence"][0]["id"] == f"http://localhost/badges/{badge.code}"
    assert learner.user.nip not in token

    # A changed claim breaks the signature.
    header, payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.api_jws.base64url_encode(
        jwt.utils.force_bytes(jwt.api_jwt.json.dumps({**claims, "name": "Pembelajar ASN 2027"}))
    ).decode()
    with pytest.raises(InvalidCredential):
        decode_vc_jwt(f"{header}.{forged}.{signature}", _public_keys(app))
    # Only the learner downloads their credential.
    other = sign_in(app, name="Orang Lain")
    assert other.client.get(f"/badges/{badge.code}/credential").status_code == 404

    # A row changed in the database no longer matches its signature.
    db.session.execute(
        update(JpBadge).where(JpBadge.id == badge.id).values(payload={**badge.payload, "jp": 99})
    )
    db.session.commit()
    tampered = app.test_client().get(f"/badges/{badge.code}").get_data(as_text=True)
    assert "TIDAK SAH" in tampered


def test_the_badge_page_reads_the_badge_as_a_plain_row(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    """The public page only reads: the badge comes as a plain row, no badge object held while
    it renders, and each viewer sees what they saw; a changed row still fails its check."""
    learner = sign_in(app, name="Siti <Aminah>")
    training(learner.user, 18)
    complete_course(app, tmp_path, learner=learner)
    (badge,) = badges_of(learner.user).values()
    url = f"/badges/{badge.code}"
    held: list[set[str]] = []

    def note(_app: Flask, template: Template, context: dict[str, object]) -> None:
        if template.name == "badges/verify.html":
            held.append({type(o).__name__ for o in db.session.identity_map.values()})

    with template_rendered.connected_to(note, app):
        own = learner.client.get(url).get_data(as_text=True)
        public = app.test_client().get(url).get_data(as_text=True)
        db.session.execute(
            update(JpBadge).where(JpBadge.id == badge.id).values(payload={**badge.payload, "jp": 9})
        )
        db.session.commit()
        tampered = app.test_client().get(url).get_data(as_text=True)

    assert len(held) == 3, held
    assert "JpBadge" not in set().union(*held), held
    assert "<strong>SAH</strong>" in own and "Siti &lt;Aminah&gt;" in own
    assert f"{url}/credential" in own and f"{url}/credential.jsonld" in own
    assert "<strong>SAH</strong>" in public and f"{url}/credential" not in public
    assert learner.user.nip not in public and "20 JP pada tahun 2026" in public
    assert "TIDAK SAH" in tampered and "9 JP pada tahun 2026" in tampered


def test_the_badge_downloads_as_json_ld_that_verifies_and_names_its_status_list(
    app: Flask, runner, tmp_path: Path, clock: FrozenClock
):
    from elearn.certificates.data_integrity import verify_data_integrity
    from elearn.certificates.did import did_key
    from tests.certificates.test_data_integrity import schema_errors

    learner = sign_in(app, name="Siti Aminah")
    training(learner.user, 18)
    complete_course(app, tmp_path, learner=learner)
    (badge,) = badges_of(learner.user).values()
    url = f"/badges/{badge.code}/credential.jsonld"
    assert url in learner.client.get(f"/badges/{badge.code}").get_data(as_text=True)
    response = learner.client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/vc+ld+json"
    assert response.headers["Content-Disposition"].endswith('-2026.jsonld"')
    document = response.get_json()
    ours = did_key(signing_key().public_key())
    assert verify_data_integrity(document, trusted_issuers=frozenset({ours})) == (True, ours)
    assert schema_errors(document) == []
    assert document["credentialSubject"]["result"][0]["value"] == "20"
    status = document["credentialStatus"]
    assert status["statusListCredential"] == "http://localhost/certificates/status/1.jsonld"
    assert app.test_client().get(status["statusListCredential"]).status_code == 200
    path = tmp_path / "badge.jsonld"
    path.write_text(response.get_data(as_text=True), encoding="utf-8")
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 0 and "VALID — Pembelajar ASN 2026" in result.output
    document["credentialSubject"]["result"][0]["value"] = "40"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert runner.invoke(args=["certificates", "verify", str(path)]).exit_code == 1
    assert sign_in(app, name="Lain").client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["/me", "/me/records"])
def test_learner_pages_with_a_badge_stay_within_the_statement_budget(
    app: Flask, tmp_path: Path, clock: FrozenClock, page: str
):
    learner = sign_in(app)
    training(learner.user, 18)
    complete_course(app, tmp_path, learner=learner)
    assert badges_of(learner.user)
    statements = _get(app, learner, page)
    assert len(statements) <= BUDGET, "\n".join(statements)
