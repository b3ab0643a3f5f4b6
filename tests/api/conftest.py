"""API fixtures: two agencies, an evaluator for Palu, tokens and enrolments made directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from elearn.api.token_views import bp as tokens_bp
from elearn.api.tokens import create_token
from elearn.extensions import db
from elearn.models import CourseVersion, Enrollment, Role, Unit, User
from tests.certificates.helpers import NO_QUIZZES
from tests.factories import make_unit, make_user
from tests.learning.helpers import publish_course


@pytest.fixture
def app(app: Flask) -> Flask:
    """The shared app, plus the token page until create_app registers it."""
    if "api_tokens" not in app.blueprints:
        app.register_blueprint(tokens_bp)
    return app


def issue_token(user: User, name: str = "skrip", expires_days: int | None = None) -> str:
    """Create a token for ``user`` and return its secret."""
    issued = create_token(user, name, expires_days)
    db.session.commit()
    return issued.secret


def api_get(
    client: FlaskClient, path: str, token: str | None = None, **params: Any
) -> TestResponse:
    """GET /api/v1/<path> with the token as a bearer header."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1/{path}", query_string=params, headers=headers)


def pull_all(client: FlaskClient, path: str, token: str, **params: Any) -> list[dict[str, Any]]:
    """Follow next_cursor to the end and return every row."""
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        extra: dict[str, str] = {"cursor": cursor} if cursor else {}
        response = api_get(client, path, token, **params, **extra)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        rows.extend(body["data"])
        assert cursor is None or body["next_cursor"] != cursor, "the cursor did not move"
        cursor = body["next_cursor"]
        if cursor is None:
            return rows


def enrol(
    user: User,
    version: CourseVersion,
    *,
    at: datetime,
    completed_at: datetime | None = None,
) -> Enrollment:
    """An enrolment row made directly (no UI), committed."""
    enrollment = Enrollment(
        user_id=user.id,
        course_id=version.course_id,
        version_id=version.id,
        enrolled_at=at,
        completed_at=completed_at,
        updated_at=completed_at or at,
    )
    db.session.add(enrollment)
    db.session.commit()
    return enrollment


@dataclass
class Agencies:
    palu: Unit
    mamuju: Unit
    evaluator: User  # evaluator for Palu
    token: str  # the evaluator's token


@pytest.fixture
def agencies(app: Flask) -> Agencies:
    """Palu and Mamuju, and an evaluator for Palu holding a token."""
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    evaluator = make_user(Role.EVALUATOR, unit=palu, scope=[palu], name="Evaluator Palu")
    return Agencies(palu, mamuju, evaluator, issue_token(evaluator))


@pytest.fixture
def version(app: Flask, tmp_path: Path) -> CourseVersion:
    """The small test course without quizzes (2 JP, teknis), so complete_course can finish it."""
    return publish_course(tmp_path, **NO_QUIZZES)
