"""``flask xapi export`` and ``GET /reports/xapi.jsonl``: scoped, filtered, audited."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import AuditEntry, LearningEvent, Role, User, Verb
from elearn.xapi.statements import EXPORTED_VERBS, actor_name
from tests.conftest import AuthActions, FrozenClock
from tests.factories import make_unit, make_user
from tests.learning.helpers import publish_course
from tests.xapi.conftest import HOME, with_xapi
from tests.xapi.helpers import full_journey, study, validate

URL = "/reports/xapi.jsonl"


def exported_count() -> int:
    verbs = [str(v) for v in EXPORTED_VERBS]
    return len(
        db.session.scalars(select(LearningEvent.id).where(LearningEvent.verb.in_(verbs))).all()
    )


def lines_of(text: str) -> list[dict]:
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def actors(statements: list[dict]) -> set[str]:
    return {s["actor"]["account"]["name"] for s in statements}


def actor(user: User) -> str:
    return actor_name(user.id, home_page=HOME)


def audits() -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_cli_export_writes_one_valid_statement_per_line(
    xapi_app: Flask, runner: FlaskCliRunner, tmp_path: Path, clock: FrozenClock
):
    version = publish_course(tmp_path)
    learners = [make_user(name="Siti Rahma"), make_user(name="Budi Santoso")]
    for user in learners:
        full_journey(user, version, clock)
    out = tmp_path / "statements.jsonl"

    result = runner.invoke(args=["xapi", "export", "--output", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    statements = lines_of(text)
    assert len(statements) == exported_count() == 2 * 12  # 13 events each, the survey left out
    for statement in statements:
        validate(statement)
    timestamps = [s["timestamp"] for s in statements]
    assert timestamps == sorted(timestamps)
    assert actors(statements) == {actor(u) for u in learners}
    for user in learners:
        for secret in (user.nip, user.full_name):
            assert secret not in text

    # A second export gives the same statements, ids included.
    again = runner.invoke(args=["xapi", "export"])
    assert again.exit_code == 0
    assert lines_of(again.stdout) == statements
    entries = audits()
    assert [(e.action, e.user_id, e.row_count, e.filters) for e in entries] == [
        ("export.xapi", None, 24, {"via": "cli"}),
        ("export.xapi", None, 24, {"via": "cli"}),
    ]


def test_cli_export_filters(xapi_app: Flask, runner: FlaskCliRunner, tmp_path: Path, clock):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    dinas = make_unit("Dinas Kesehatan", parent=palu, code="palu-dinkes")
    version = publish_course(tmp_path)
    other = publish_course(tmp_path, "etika-asn")
    in_dinas = make_user(unit=dinas)
    in_mamuju = make_user(unit=mamuju)
    study(in_dinas, version, clock)  # 2026-03-02 (UTC), events: enrolled, module-completed
    clock.advance(days=2)
    study(in_mamuju, version, clock)  # 2026-03-04
    study(in_mamuju, other, clock)

    def export(*args: str) -> list[dict]:
        result = runner.invoke(args=["xapi", "export", *args])
        assert result.exit_code == 0, result.output
        return lines_of(result.stdout)

    assert actors(export("--unit", "palu")) == {actor(in_dinas)}
    assert actors(export("--unit", "mamuju")) == {actor(in_mamuju)}
    by_course = export("--course", "etika-asn")
    assert len(by_course) == 2
    assert {s["object"]["id"].split("/v/")[0] for s in by_course} == {f"{HOME}/courses/etika-asn"}
    # Dates bound the event's own time, in local days (WITA by default).
    assert actors(export("--since", "2026-03-03")) == {actor(in_mamuju)}
    assert actors(export("--until", "2026-03-02")) == {actor(in_dinas)}
    assert export("--since", "2026-03-05") == []

    unknown = runner.invoke(args=["xapi", "export", "--unit", "nowhere"])
    assert unknown.exit_code != 0 and "unknown unit code" in unknown.output
    backwards = runner.invoke(
        args=["xapi", "export", "--since", "2026-03-05", "--until", "2026-03-01"]
    )
    assert backwards.exit_code != 0


def test_cli_export_needs_a_home_page(app: Flask, runner: FlaskCliRunner):
    with_xapi(app, home_page="")
    result = runner.invoke(args=["xapi", "export"])
    assert result.exit_code == 1 and "XAPI_HOME_PAGE" in result.output


def scoped_setup(tmp_path: Path, clock: FrozenClock) -> tuple[User, User, User, User]:
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    version = publish_course(tmp_path)
    in_palu = make_user(unit=make_unit("Dinas Kesehatan", parent=palu), name="Siti")
    in_mamuju = make_user(unit=mamuju, name="Budi")
    full_journey(in_palu, version, clock)
    full_journey(in_mamuju, version, clock)
    evaluator = make_user(Role.EVALUATOR, unit=palu, scope=[palu], name="Evaluator Palu")
    admin = make_user(Role.ADMIN, unit=palu, name="Admin")
    return in_palu, in_mamuju, evaluator, admin


def download(client: FlaskClient, query: str = "") -> tuple[int, str, dict]:
    response = client.get(URL + query)
    return response.status_code, response.get_data(as_text=True), dict(response.headers)


def test_palu_evaluator_never_sees_mamuju_learners(
    xapi_app: Flask, client: FlaskClient, tmp_path: Path, clock: FrozenClock
):
    in_palu, in_mamuju, evaluator, _ = scoped_setup(tmp_path, clock)
    AuthActions(client).login(evaluator.nip)
    status, text, headers = download(client)
    assert status == 200
    assert headers["Content-Type"].startswith("application/x-ndjson")
    assert headers["Content-Disposition"] == 'attachment; filename="xapi-20260302.jsonl"'
    assert headers["Cache-Control"] == "no-store"
    # Streamed; a download abandoned half-way leaves no open cursor behind.
    response = client.get(URL, buffered=False)
    assert response.is_streamed
    assert next(iter(response.response))
    response.close()
    statements = lines_of(text)
    assert len(statements) == 12
    assert actors(statements) == {actor(in_palu)}
    for statement in statements:
        validate(statement)
    for secret in (in_palu.nip, in_mamuju.nip, in_palu.full_name):
        assert secret not in text

    # Asking for Mamuju by its code yields nothing rather than an error.
    status, text, _ = download(client, "?unit=mamuju")
    assert status == 200 and text == ""

    entries = audits()
    assert [(e.action, e.user_id, e.row_count, e.filters) for e in entries] == [
        ("export.xapi", evaluator.id, 12, {}),
        ("export.xapi", evaluator.id, 12, {}),
        ("export.xapi", evaluator.id, 0, {"unit_code": "mamuju"}),
    ]


def test_admin_sees_everyone_and_filters_apply(
    xapi_app: Flask, client: FlaskClient, tmp_path: Path, clock: FrozenClock
):
    in_palu, in_mamuju, _, admin = scoped_setup(tmp_path, clock)
    AuthActions(client).login(admin.nip)
    status, text, _ = download(client)
    assert status == 200 and actors(lines_of(text)) == {actor(in_palu), actor(in_mamuju)}
    _, text, _ = download(client, "?status=completed&course=dasar-proyek&since=2026-03-02")
    assert len(lines_of(text)) == 24
    _, text, _ = download(client, "?since=2026-03-03")
    assert text == ""
    assert audits()[-1].filters == {"since": "2026-03-03"}


def test_bad_filter_is_refused(xapi_app: Flask, client: FlaskClient, tmp_path: Path, clock):
    _, _, evaluator, _ = scoped_setup(tmp_path, clock)
    AuthActions(client).login(evaluator.nip)
    status, text, _ = download(client, "?since=kemarin")
    assert status == 400 and "since" in text
    assert audits() == []


def test_learners_and_strangers_get_nothing(
    xapi_app: Flask, client: FlaskClient, tmp_path: Path, clock: FrozenClock
):
    scoped_setup(tmp_path, clock)
    assert client.get(URL).status_code == 302  # to the login page
    learner = make_user()
    AuthActions(client).login(learner.nip)
    status, text, _ = download(client)
    assert status == 403 and "actor" not in text
    assert audits() == []


def test_events_not_exported_stay_out(xapi_app: Flask, runner: FlaskCliRunner, tmp_path, clock):
    version = publish_course(tmp_path)
    user = make_user()
    full_journey(user, version, clock)
    assert db.session.scalar(select(LearningEvent).where(LearningEvent.verb == Verb.EVALUATED))
    result = runner.invoke(args=["xapi", "export"])
    verbs = {s["verb"]["id"].rsplit("/", 1)[1] for s in lines_of(result.stdout)}
    assert verbs == {"registered", "completed", "attempted", "passed", "failed"}
