"""The OpenAPI document is valid and matches what the API really sends (schemathesis)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import CheckFunction
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import AuditEntry, CourseVersion, Role
from tests.api.conftest import Agencies, enrol
from tests.certificates.helpers import complete_course
from tests.conftest import FrozenClock
from tests.factories import make_user

SEMANTIC_PARAMETERS = {"cursor", "since", "until", "updated_since"}
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def isolated(app: Flask) -> WsgiApp:
    """``app`` with a fresh app context per request, as in production."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        db.session.commit()
        with app.app_context():
            return list(app.wsgi_app(environ, start_response))

    return wsgi


@pytest.fixture
def api_schema(
    app: Flask, agencies: Agencies, version: CourseVersion, tmp_path: Path, clock: FrozenClock
) -> Any:
    """The live document, with rows of every kind in the evaluator's scope."""
    enrol(make_user(unit=agencies.palu), version, at=datetime(2026, 1, 5, tzinfo=UTC))
    _, certificate = complete_course(app, tmp_path, unit=agencies.palu)
    certificate.revoked_at = clock.current
    certificate.revoked_reason = "Uji"
    complete_course(app, tmp_path, unit=agencies.palu)
    make_user(Role.ADMIN, unit=agencies.mamuju)
    db.session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated(app))


def test_responses_match_the_document(api_schema: Any, agencies: Agencies) -> None:
    """Generated requests to every operation get answers the document describes."""
    # schemathesis.pytest.from_fixture does not run on pytest 9, so drive Hypothesis here.
    # The WSGI transport does not decode brotli/gzip as an HTTP client would.
    headers = {"Authorization": f"Bearer {agencies.token}", "Accept-Encoding": "identity"}
    for result in api_schema.get_all_operations():
        assert isinstance(result, Ok)
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            # A schema cannot say which cursors exist or that dates must lie between
            # 1900 and 2999 and in order, so such requests may get a documented 422.
            unknowable = SEMANTIC_PARAMETERS & set(case.query or {})
            excluded: list[CheckFunction] = [positive_data_acceptance] if unknowable else []
            response = case.call_and_validate(headers=headers, excluded_checks=excluded)
            if unknowable:
                assert response.status_code in (200, 422)

        check()
    # The generated requests really reached the views with the token (each pull is audited).
    pulled = {entry.action for entry in db.session.scalars(select(AuditEntry))}
    assert pulled == {"api.enrollments", "api.completions", "api.certificates", "api.jp-totals"}


def test_the_document_is_valid_openapi_3_1(app: Flask) -> None:
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    loaded.validate()
    operations = [result.ok() for result in loaded.get_all_operations() if isinstance(result, Ok)]
    labels = {operation.label for operation in operations}
    assert labels == {
        "GET /enrollments",
        "GET /completions",
        "GET /certificates",
        "GET /jp-totals",
    }  # schemathesis leaves out the document's own path
    assert "/openapi.json" in loaded.raw_schema["paths"]
