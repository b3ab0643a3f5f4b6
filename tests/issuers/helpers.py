"""Certificates issued by an instansi: a course of that instansi, completed by its learner."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from elearn.content.parse import parse_course
from elearn.content.publish import store_version
from elearn.extensions import db
from elearn.models import Certificate, Unit
from tests.certificates.helpers import NO_QUIZZES
from tests.content.course_fixtures import write_course
from tests.learning.helpers import Learner, sign_in


def instansi_certificate(
    app: Flask, tmp_path: Path, unit: Unit, slug: str, learner: Learner | None = None
) -> tuple[Learner, Certificate]:
    """Publish ``slug`` as a course of ``unit`` (once), complete it; return the certificate."""
    from elearn.models import Course

    if db.session.scalar(select(Course).where(Course.slug == slug)) is None:
        folder = write_course(tmp_path / slug, slug, **NO_QUIZZES)
        store_version(parse_course(folder), unit=unit, actor=None, publish=True)
        db.session.commit()
    learner = learner or sign_in(app, unit=unit)
    learner.enroll(slug)
    learner.post(f"/learn/{slug}/siklus/complete")
    db.session.expire_all()
    certificate = db.session.scalar(
        select(Certificate)
        .where(Certificate.user_id == learner.user.id)
        .order_by(Certificate.id.desc())
    )
    assert certificate is not None
    return learner, certificate


def jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The unverified header and claims of a compact JWS."""

    def part(text: str) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(
            base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        )
        return decoded

    header, claims, _ = token.split(".")
    return part(header), part(claims)


def download_jwt(learner: Learner, certificate: Certificate) -> str:
    response = learner.client.get(f"/certificates/{certificate.code}/credential")
    assert response.status_code == 200
    return response.get_data(as_text=True)
