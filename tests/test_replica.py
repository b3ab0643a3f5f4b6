"""Read replica routing: staff reads lag with a real streaming replica, learners read their writes.

The replica is real (tests/pg_replica.py): ``pg_basebackup -R`` of a throw-away primary. Its
lag is made deterministic by pausing WAL replay, and the tests wait for replay by WAL position.
Nothing on these pages is cached between requests (no ETags, no per-app caches of figures, the
rollups are written in the enrolment's own transaction), so a page shows what its database holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from config import TestConfig
from elearn import create_app
from elearn.extensions import db
from elearn.models import Role, Unit
from elearn.replica import replica_engine
from tests.api.conftest import api_get, issue_token
from tests.conftest import AuthActions, IsolatedClient
from tests.factories import make_unit, make_user
from tests.learning.helpers import publish_course, sign_in
from tests.pg_replica import ClusterUnavailable, ReplicatedPair, free_port, replicated_pair

COURSE_ROW = "<td>Dasar Manajemen Proyek</td><td>{enrolled}</td><td>0</td><td>0,0%</td>"
RESUME_LINK = 'href="/learn/dasar-proyek"'


@pytest.fixture(scope="session")
def replica_pair() -> Iterator[ReplicatedPair]:
    """A primary and a streaming replica for the whole session (starting them takes seconds)."""
    try:
        with replicated_pair() as pair:
            yield pair
    except ClusterUnavailable as exc:
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(f"REQUIRE_POSTGRES is set but no replica can be started: {exc}")
        pytest.skip(f"replica tests skipped: {exc}")


def _app(**settings: object) -> Flask:
    config = type("Config", (TestConfig,), settings)
    application = create_app(config)
    application.test_client_class = IsolatedClient
    return application


@pytest.fixture
def replica_app(replica_pair: ReplicatedPair) -> Iterator[Flask]:
    """An app on the pair's primary with DATABASE_REPLICA_URL set, with an empty schema."""
    application = _app(
        SQLALCHEMY_DATABASE_URI=replica_pair.primary_url,
        DATABASE_REPLICA_URL=replica_pair.replica_url,
        XAPI_HOME_PAGE="https://elearn.example.go.id",
    )
    with application.app_context():
        db.drop_all()  # on the primary: the replica gets the schema by WAL
        db.create_all()
        yield application
        db.session.remove()
        db.drop_all()
        dispose_engines(application)


def dispose_engines(application: Flask) -> None:
    """Close the pooled connections of both engines (tests start many apps)."""
    db.engine.dispose()
    replica = replica_engine(application)
    if replica is not None:
        replica.dispose()


def staff_client(app: Flask, unit: Unit) -> FlaskClient:
    user = make_user(Role.EVALUATOR, unit=unit, scope=[unit], name="Staf Palu")
    client = app.test_client()
    AuthActions(client).login(user.nip)
    return client


def enrolled_on_dashboard(staff: FlaskClient) -> int | None:
    page = staff.get("/reports/").get_data(as_text=True)
    for count in range(5):
        if COURSE_ROW.format(enrolled=count) in page:
            return count
    return None


def test_the_dashboard_lags_with_the_replica_while_the_learner_sees_their_enrolment(
    replica_app: Flask, replica_pair: ReplicatedPair, tmp_path: Path, clock
):
    palu = make_unit(code="palu")
    publish_course(tmp_path)
    staff = staff_client(replica_app, palu)
    token = issue_token(make_user(Role.EVALUATOR, unit=palu, scope=[palu], name="Skrip"))
    sign_in(replica_app, unit=palu, name="Peserta Pertama").enroll()
    second = sign_in(replica_app, unit=palu, name="Peserta Kedua")
    replica_pair.wait_for_replay()
    assert enrolled_on_dashboard(staff) == 1
    assert RESUME_LINK not in second.client.get("/me").get_data(as_text=True)

    replica_pair.pause_replay()
    try:
        assert second.enroll().status_code == 302
        written = replica_pair.primary_lsn()
        # The learner's own page reads the primary: the enrolment is there at once ...
        assert RESUME_LINK in second.client.get("/me").get_data(as_text=True)
        # ... while the dashboard, the API and the exports read the paused replica.
        assert enrolled_on_dashboard(staff) == 1
        assert len(api_get(staff, "enrollments", token).get_json()["data"]) == 1
        csv = staff.get("/reports/export/enrollments.csv").get_data(as_text=True)
        assert csv.count("Peserta Pertama") == 1 and "Peserta Kedua" not in csv
        statements = staff.get("/reports/xapi.jsonl").get_data(as_text=True).splitlines()
        assert len(statements) == 1  # the first learner's enrolment
        exported = replica_app.test_cli_runner().invoke(args=["xapi", "export"])
        assert exported.exit_code == 0 and len(exported.stdout.splitlines()) == 1
    finally:
        replica_pair.resume_replay()

    replica_pair.wait_for_replay(written)
    assert enrolled_on_dashboard(staff) == 2
    assert len(api_get(staff, "enrollments", token).get_json()["data"]) == 2
    assert "Peserta Kedua" in staff.get("/reports/export/enrollments.csv").get_data(as_text=True)
    exported = replica_app.test_cli_runner().invoke(args=["xapi", "export"])
    assert len(exported.stdout.splitlines()) == 2


def test_without_a_replica_setting_the_dashboard_reads_the_primary(app: Flask, tmp_path: Path):
    palu = make_unit(code="palu")
    publish_course(tmp_path)
    staff = staff_client(app, palu)
    sign_in(app, unit=palu, name="Peserta").enroll()
    assert replica_engine(app) is None
    assert enrolled_on_dashboard(staff) == 1


def test_a_replica_that_is_down_falls_back_to_the_primary(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    down = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/postgres"
    application = _app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'primary.sqlite'}",
        DATABASE_REPLICA_URL=down,
    )
    with application.app_context():
        db.create_all()
        palu = make_unit(code="palu")
        publish_course(tmp_path)
        staff = staff_client(application, palu)
        sign_in(application, unit=palu, name="Peserta").enroll()
        assert enrolled_on_dashboard(staff) == 1
        assert "read replica unavailable, reading from the primary" in caplog.text
        db.session.remove()
        dispose_engines(application)
