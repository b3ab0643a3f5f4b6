"""Cursor pages, incremental pulls and the parameters refused with a 422."""

from __future__ import annotations

import base64
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from elearn.api.pagination import decode_cursor, encode_cursor
from elearn.extensions import db
from elearn.models import CourseVersion, Enrollment
from tests.api.conftest import Agencies, api_get, enrol, pull_all
from tests.conftest import FrozenClock
from tests.factories import make_user

START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def _enrolments(agencies: Agencies, version: CourseVersion, count: int) -> list[Enrollment]:
    return [
        enrol(make_user(unit=agencies.palu, name=f"Peserta {i}"), version, at=START)
        for i in range(count)
    ]


def test_cursor_round_trip_is_opaque_and_strict() -> None:
    assert decode_cursor(encode_cursor(12345)) == 12345
    assert "=" not in encode_cursor(7)
    assert decode_cursor(None) == 0 and decode_cursor("") == 0


def test_pages_follow_the_cursor(
    app: Flask, client: FlaskClient, agencies: Agencies, version: CourseVersion
) -> None:
    made = _enrolments(agencies, version, 5)
    first = api_get(client, "enrollments", agencies.token, limit=2).get_json()
    assert [row["id"] for row in first["data"]] == [made[0].id, made[1].id]
    assert first["next_cursor"] == encode_cursor(made[1].id)
    second = api_get(client, "enrollments", agencies.token, limit=2, cursor=first["next_cursor"])
    assert [row["id"] for row in second.get_json()["data"]] == [made[2].id, made[3].id]
    last = api_get(
        client, "enrollments", agencies.token, limit=2, cursor=second.get_json()["next_cursor"]
    ).get_json()
    assert [row["id"] for row in last["data"]] == [made[4].id]
    assert last["next_cursor"] is None
    exact = api_get(client, "enrollments", agencies.token, limit=5).get_json()
    assert len(exact["data"]) == 5 and exact["next_cursor"] is None


def test_default_and_maximum_limit(
    app: Flask, client: FlaskClient, agencies: Agencies, version: CourseVersion
) -> None:
    learners = [make_user(unit=agencies.palu, name=f"L{i}") for i in range(101)]
    for learner in learners:
        db.session.add(
            Enrollment(
                user_id=learner.id,
                course_id=version.course_id,
                version_id=version.id,
                enrolled_at=START,
                updated_at=START,
            )
        )
    db.session.commit()
    page = api_get(client, "enrollments", agencies.token).get_json()
    assert len(page["data"]) == 100 and page["next_cursor"] is not None
    assert len(api_get(client, "enrollments", agencies.token, limit=500).get_json()["data"]) == 101


def test_every_row_once_while_data_changes(
    app: Flask, client: FlaskClient, agencies: Agencies, version: CourseVersion, clock: FrozenClock
) -> None:
    made = _enrolments(agencies, version, 6)
    first = api_get(client, "enrollments", agencies.token, limit=2).get_json()
    seen = [row["id"] for row in first["data"]]

    # Meanwhile: a seen row and an unseen row change, new rows arrive.
    for enrollment in (made[0], made[4]):
        enrollment.completed_at = clock.current
        enrollment.updated_at = clock.current
    added = _enrolments(agencies, version, 2)
    db.session.commit()

    cursor = first["next_cursor"]
    while cursor:
        page = api_get(client, "enrollments", agencies.token, limit=2, cursor=cursor).get_json()
        seen.extend(row["id"] for row in page["data"])
        cursor = page["next_cursor"]
    expected = [e.id for e in made + added]
    assert Counter(seen) == Counter(expected)  # each exactly once
    assert seen == sorted(seen)  # new rows at the end
    assert seen[-2:] == [e.id for e in added]


def test_updated_since_pulls_only_changes(
    app: Flask, client: FlaskClient, agencies: Agencies, version: CourseVersion
) -> None:
    old, changed, fresh = _enrolments(agencies, version, 3)
    changed.updated_at = datetime(2026, 2, 1, 0, 0, 0, 500, tzinfo=UTC)
    fresh.updated_at = datetime(2026, 2, 3, tzinfo=UTC)
    db.session.commit()

    def ids(since: str) -> list[int]:
        return [
            int(r["id"])
            for r in pull_all(client, "enrollments", agencies.token, updated_since=since)
        ]

    assert ids("2026-02-01T00:00:00Z") == [changed.id, fresh.id]
    # The same instant written in WITA, and with "+" sent unencoded (it arrives as a space).
    assert ids("2026-02-01T08:00:00+08:00") == [changed.id, fresh.id]
    raw = client.get(
        "/api/v1/enrollments?updated_since=2026-02-01T08:00:00+08:00",
        headers={"Authorization": f"Bearer {agencies.token}"},
    )
    assert [row["id"] for row in raw.get_json()["data"]] == [changed.id, fresh.id]
    # Inclusive and exact to the microsecond: feeding back a row's updated_at keeps that row.
    row = pull_all(client, "enrollments", agencies.token, updated_since="2026-02-02T00:00:00Z")[0]
    assert ids(str(row["updated_at"])) == [fresh.id]
    assert ids(str(_row(client, agencies, changed.id)["updated_at"])) == [changed.id, fresh.id]
    assert ids("2026-02-04T00:00:00Z") == []
    assert old.id in ids("2026-01-01T00:00:00Z")


def _row(client: FlaskClient, agencies: Agencies, wanted: int) -> dict[str, object]:
    rows = pull_all(client, "enrollments", agencies.token)
    return next(row for row in rows if row["id"] == wanted)


def test_certificates_updated_since_sees_revocations(
    app: Flask, client: FlaskClient, agencies: Agencies, tmp_path: Path, clock: FrozenClock
) -> None:
    from tests.certificates.helpers import complete_course

    _, certificate = complete_course(app, tmp_path, unit=agencies.palu)
    later = (clock.current + timedelta(days=1)).isoformat()
    assert pull_all(client, "certificates", agencies.token, updated_since=later) == []
    clock.advance(days=2)
    certificate.revoked_at = clock.current
    certificate.revoked_reason = "Salah peserta"
    db.session.commit()
    rows = pull_all(client, "certificates", agencies.token, updated_since=later)
    assert [row["id"] for row in rows] == [certificate.id]


@pytest.mark.parametrize(
    ("resource", "params", "message"),
    [
        ("enrollments", {"limit": "0"}, "limit: expected an integer from 1 to 500"),
        ("enrollments", {"limit": "501"}, "limit: expected an integer from 1 to 500"),
        ("completions", {"limit": "sepuluh"}, "limit: expected an integer from 1 to 500"),
        ("enrollments", {"cursor": "!!"}, "cursor: not a cursor returned by this API"),
        ("certificates", {"cursor": "YWJj"}, "cursor: not a cursor returned by this API"),
        ("jp-totals", {"cursor": "MDA"}, "cursor: not a cursor returned by this API"),
        ("enrollments", {"since": "kemarin"}, "since: expected a date as YYYY-MM-DD"),
        ("enrollments", {"since": "2026-03-01", "until": "2026-01-01"}, "since: must not"),
        ("enrollments", {"until": "9999-12-31"}, "until: expected a date between"),
        ("certificates", {"competency": "teknik"}, "competency: expected one of"),
        ("enrollments", {"status": "done"}, "status: expected one of"),
        ("enrollments", {"updated_since": "2026-02-01T00:00:00"}, "updated_since: expected"),
        ("completions", {"updated_since": "kemarin"}, "updated_since: expected"),
        ("enrollments", {"updated_since": "0001-01-01T00:00:00+05:00"}, "updated_since:"),
        ("jp-totals", {"year": "26"}, "year: expected a year from 1900 to 2999"),
        ("jp-totals", {"unit": "palu\x00"}, "unit: expected at most 200 printable"),
        ("enrollments", {"course": "x" * 201}, "course: expected at most 200 printable"),
        ("enrollments", {"since": "2026-02-30"}, "since: expected a date as YYYY-MM-DD"),
        ("certificates", {"until": "1899-12-31"}, "until: expected a date between"),
        ("jp-totals", {"year": "3000"}, "year: expected a year from 1900 to 2999"),
        ("completions", {"limit": "-1"}, "limit: expected an integer from 1 to 500"),
        # Empty values: read as absent, `updated_since=` would turn an incremental pull into
        # a full one and `unit=` would widen it to the whole scope.
        ("enrollments", {"updated_since": ""}, "updated_since: empty"),
        ("certificates", {"updated_since": " "}, "updated_since: empty"),
        ("completions", {"since": ""}, "since: empty"),
        ("enrollments", {"until": ""}, "until: empty"),
        ("enrollments", {"unit": ""}, "unit: empty"),
        ("certificates", {"course": ""}, "course: empty"),
        ("enrollments", {"category": "   "}, "category: empty"),  # blank is empty too
        ("enrollments", {"category": ""}, "category: empty"),
        ("enrollments", {"competency": ""}, "competency: empty"),
        ("enrollments", {"status": ""}, "status: empty"),
        ("enrollments", {"limit": ""}, "limit: empty"),
        ("jp-totals", {"cursor": ""}, "cursor: empty"),
        ("jp-totals", {"year": ""}, "year: empty"),
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(
    app: Flask,
    client: FlaskClient,
    agencies: Agencies,
    resource: str,
    params: dict[str, str],
    message: str,
) -> None:
    response = api_get(client, resource, agencies.token, **params)
    assert response.status_code == 422
    # The problem document the OpenAPI document describes (RFC 9457, plus `error`).
    assert response.mimetype == "application/problem+json"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert set(body) == {"type", "title", "status", "detail", "error"}
    assert body["type"] == "about:blank" and "Unprocessable" in body["title"]
    assert body["status"] == 422 and body["error"]["status"] == 422
    assert body["detail"].startswith(message) and body["error"]["message"] == body["detail"]


def test_a_forged_cursor_just_moves_the_start(
    app: Flask, client: FlaskClient, agencies: Agencies, version: CourseVersion
) -> None:
    made = _enrolments(agencies, version, 3)
    forged = base64.urlsafe_b64encode(str(made[0].id).encode()).decode().rstrip("=")
    rows = api_get(client, "enrollments", agencies.token, cursor=forged).get_json()["data"]
    assert [row["id"] for row in rows] == [made[1].id, made[2].id]  # still only in scope


def test_a_cursor_past_a_database_integer_is_refused(
    app: Flask, client: FlaskClient, agencies: Agencies
) -> None:
    # PostgreSQL ids are 32-bit integers: comparing with 2**31 used to be a 500 there.
    response = api_get(client, "enrollments", agencies.token, cursor=encode_cursor(2**31))
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == "cursor: not a cursor returned by this API"
    last = api_get(client, "enrollments", agencies.token, cursor=encode_cursor(2**31 - 1))
    assert last.status_code == 200 and last.get_json()["data"] == []
