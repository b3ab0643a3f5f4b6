"""Learning events become valid xAPI 1.0.3 statements, mapped as docs/xapi.md says."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask

from elearn.models import LearningEvent, Verb
from elearn.xapi.statements import (
    NotExported,
    actor_name,
    iso_duration,
    statement_for,
    xapi_timestamp,
)
from tests.conftest import FrozenClock
from tests.factories import make_user
from tests.learning.helpers import publish_course
from tests.xapi.conftest import HOME
from tests.xapi.helpers import events_of, full_journey, validate

ADL = "http://adlnet.gov/expapi/verbs/"
COURSE_IRI = f"{HOME}/courses/dasar-proyek"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "PT0S"),
        (59, "PT59S"),
        (270, "PT4M30S"),
        (3600, "PT1H"),
        (3723, "PT1H2M3S"),
        (90061, "PT25H1M1S"),
    ],
)
def test_durations_are_iso_8601(seconds: int, expected: str):
    assert iso_duration(seconds) == expected
    parsed = validate_duration(expected)
    assert parsed == timedelta(seconds=seconds)


def validate_duration(value: str) -> timedelta:
    from ralph.models.xapi.base.results import BaseXapiResult

    duration = BaseXapiResult.model_validate({"duration": value}).duration
    assert duration is not None
    return duration


def test_negative_duration_is_refused():
    with pytest.raises(ValueError):
        iso_duration(-1)


def test_timestamps_are_utc_with_milliseconds():
    wita = timezone(timedelta(hours=8))
    assert xapi_timestamp(datetime(2026, 3, 2, 16, 0, 0, 123456, tzinfo=wita)) == (
        "2026-03-02T08:00:00.123Z"
    )
    assert xapi_timestamp(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)) == "2026-03-02T08:00:00.000Z"
    with pytest.raises(ValueError):
        xapi_timestamp(datetime(2026, 3, 2, 8, 0))  # naive: refused


@pytest.mark.parametrize("verb", [Verb.EVALUATED, Verb.VERSION_CHANGED])
def test_survey_and_version_moves_are_not_statements(verb: Verb):
    with pytest.raises(NotExported):
        statement_for(LearningEvent(id=1, verb=verb), home_page=HOME)


def test_every_exported_event_is_a_valid_statement(
    xapi_app: Flask, tmp_path: Path, clock: FrozenClock
):
    version = publish_course(tmp_path)
    user = make_user(nip="198609262015051001", email="andi@example.go.id", name="Andi Pratama")
    enrollment = full_journey(user, version, clock)
    events = events_of(user)
    assert [str(e.verb) for e in events][-2:] == ["completed", "evaluated"]

    statements: dict[str, list[dict]] = {}
    registrations: set[str] = set()
    for event in events:
        if event.verb == Verb.EVALUATED:
            continue
        statement = statement_for(event, home_page=HOME)
        validate(statement)
        statements.setdefault(str(event.verb), []).append(statement)
        # Every statement: same actor and registration, our platform, the course's language.
        assert statement["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": HOME, "name": actor_name(user.id, home_page=HOME)},
        }
        context = statement["context"]
        registrations.add(context["registration"])
        assert context["platform"] == "eLearn ASN" and context["language"] == "id-ID"
        assert context["revision"] == version.short_hash
        assert TIMESTAMP.match(statement["timestamp"])
        assert statement["timestamp"] == xapi_timestamp(event.created_at)
        assert set(statement["verb"]["display"]) == {"id-ID", "en-US"}

    # Nothing in any statement identifies the person outside this platform.
    text = json.dumps(statements)
    for secret in (user.nip, user.email, user.full_name, "19860926"):
        assert secret not in text

    assert len(registrations) == 1
    verbs = {kind: [s["verb"]["id"] for s in found] for kind, found in statements.items()}
    assert verbs == {
        "enrolled": [ADL + "registered"],
        "module-completed": [ADL + "completed"],
        "attempt-started": [ADL + "attempted"] * 3,
        "attempt-submitted": [ADL + "completed"] * 3,
        "failed": [ADL + "failed"],
        "passed": [ADL + "passed"] * 2,
        "completed": [ADL + "completed"],
    }

    enrolled = statements["enrolled"][0]
    assert enrolled["object"] == {
        "objectType": "Activity",
        "id": COURSE_IRI,
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/course",
            "name": {"id-ID": "Dasar Manajemen Proyek"},
        },
    }
    assert "result" not in enrolled and "contextActivities" not in enrolled["context"]
    assert enrolled["context"]["registration"] == str(
        uuid.uuid5(
            uuid.UUID("b8e4f1a7-3c26-4d9b-8f05-a6c2e7d1934b"), f"{HOME}|enrollment:{enrollment.id}"
        )
    )

    module = statements["module-completed"][0]
    assert module["object"]["id"] == f"{COURSE_IRI}/v/{version.short_hash}/siklus"
    assert module["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/module"
    assert module["object"]["definition"]["name"] == {"id-ID": "Siklus Proyek"}
    assert module["result"] == {"completion": True, "duration": "PT4M30S"}
    assert module["context"]["contextActivities"]["parent"] == [enrolled["object"]]

    started = statements["attempt-started"][0]
    assert started["object"]["id"] == f"{COURSE_IRI}/v/{version.short_hash}/kuis-siklus"
    assert started["object"]["definition"]["type"] == (
        "http://adlnet.gov/expapi/activities/assessment"
    )
    assert "result" not in started
    assert started["context"]["contextActivities"]["parent"] == [enrolled["object"]]

    submitted = statements["attempt-submitted"][0]
    assert submitted["result"] == {
        "score": {"scaled": 0, "raw": 0, "min": 0, "max": 100},
        "completion": True,
        "duration": "PT2M",
    }
    failed = statements["failed"][0]
    assert failed["result"] == {
        "score": {"scaled": 0, "raw": 0, "min": 0, "max": 100},
        "success": False,
    }
    passed = statements["passed"][0]
    assert passed["result"] == {
        "score": {"scaled": 1, "raw": 100, "min": 0, "max": 100},
        "success": True,
    }
    assert passed["object"] == failed["object"] == submitted["object"]

    completed = statements["completed"][0]
    assert completed["object"] == enrolled["object"]
    assert completed["result"]["completion"] is True
    # All time recorded on the course's pages (capped visits), quiz pages included.
    study_seconds = sum(p.seconds_spent for p in enrollment.progress)
    assert study_seconds > 270
    assert completed["result"]["duration"] == iso_duration(study_seconds)


def test_ids_are_deterministic_and_distinct(xapi_app: Flask, tmp_path: Path, clock: FrozenClock):
    version = publish_course(tmp_path)
    first, second = make_user(), make_user()
    full_journey(first, version, clock)
    full_journey(second, version, clock)
    events = [e for e in events_of(first) + events_of(second) if e.verb != Verb.EVALUATED]

    once = [statement_for(e, home_page=HOME) for e in events]
    again = [statement_for(e, home_page=HOME + "/") for e in events]
    assert once == again  # a re-export is byte for byte the same
    ids = [uuid.UUID(s["id"]) for s in once]
    assert len(set(ids)) == len(ids) and all(i.version == 5 for i in ids)

    registrations = {s["context"]["registration"] for s in once}
    actors = {s["actor"]["account"]["name"] for s in once}
    assert len(registrations) == 2 and len(actors) == 2
    assert all(uuid.UUID(name).version == 5 for name in actors)

    # Another deployment (another home page) never produces the same ids.
    other = statement_for(events[0], home_page="https://elearn.palu.go.id")
    assert other["id"] != once[0]["id"]
    assert other["actor"]["account"] != once[0]["actor"]["account"]


def test_partial_scores_are_scaled(xapi_app: Flask, tmp_path: Path, clock: FrozenClock):
    version = publish_course(tmp_path)
    user = make_user()
    full_journey(user, version, clock)
    event = next(e for e in events_of(user) if e.verb == Verb.FAILED)
    event.score = 66.666667
    statement = statement_for(event, home_page=HOME)
    validate(statement)
    assert statement["result"]["score"] == {"scaled": 0.6667, "raw": 66.67, "min": 0, "max": 100}
