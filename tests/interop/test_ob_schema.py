"""Our credentials against the official 1EdTech Open Badges 3.0 JSON Schema (schema/README.md):
a certificate's and a badge's credential as downloaded, and the parts of the status list
credential the schema defines (its issuer Profile, the credentials' CredentialStatus)."""

from __future__ import annotations

import base64
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from flask import Flask
from sqlalchemy import select

from elearn import clock
from elearn.badges.issuance import issue_due_badges
from elearn.certificates import status_list
from elearn.certificates.credential import STATUS_LIST_TYPES, decode_vc_jwt
from elearn.certificates.keys import current_key_id, signing_key
from elearn.extensions import db
from elearn.models import JpBadge
from elearn.settings import current_settings
from tests.badges.helpers import training
from tests.certificates.helpers import complete_course
from tests.interop.conftest import HERE

SCHEMA_FILE = HERE / "schema" / "ob_v3p0_achievementcredential.json"


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


def errors(instance: Any, part: dict[str, Any] | None = None) -> list[str]:
    """Schema errors of ``instance`` against the whole schema or one of its $defs."""
    whole = schema()
    target = whole if part is None else {**part, "$defs": whole["$defs"]}
    validator = jsonschema_rs.Draft201909Validator(target, validate_formats=True)
    return [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(instance)]


def keys() -> dict[str, Any]:
    return {current_key_id(): signing_key().public_key()}


def test_certificate_and_badge_credentials_pass_the_ob_schema(app: Flask, tmp_path: Path):
    learner, certificate = complete_course(app, tmp_path)
    training(learner.user, 18)  # with the course's 2 JP: the year's badge is due
    issue_due_badges(clock.now(), current_settings())  # as the hourly pass does
    badge = db.session.scalar(select(JpBadge).where(JpBadge.user_id == learner.user.id))
    assert badge is not None

    for url in (f"/certificates/{certificate.code}/credential", f"/badges/{badge.code}/credential"):
        token = learner.client.get(url).get_data(as_text=True)
        credential = decode_vc_jwt(token, keys())
        assert "credentialStatus" in credential
        assert errors(credential) == [], url
        # The JWT claims set as a whole (credential plus iss/jti/nbf/sub) passes as well.
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        assert errors(claims) == [], url

    # The check can fail: what the schema requires, missing, is reported.
    broken = dict(credential)
    del broken["validFrom"]
    broken["credentialStatus"] = {"statusPurpose": "revocation"}
    found = errors(broken)
    assert any("validFrom" in e for e in found) and any("credentialStatus" in e for e in found)


def test_the_status_list_credential_passes_where_the_schema_applies(app: Flask, tmp_path: Path):
    learner, certificate = complete_course(app, tmp_path)
    token = learner.client.get(f"/certificates/{certificate.code}/credential").get_data(True)
    entry = decode_vc_jwt(token, keys())["credentialStatus"]
    listed = app.test_client().get("/certificates/status/1").get_data(as_text=True)
    status = decode_vc_jwt(listed, keys(), kinds=STATUS_LIST_TYPES)

    defs = schema()["$defs"]
    assert errors(entry, defs["CredentialStatus"]) == []
    assert errors(status["issuer"], defs["Profile"]) == []
    assert errors(status["credentialSubject"]["encodedList"], {"type": "string"}) == []
    # It is a status list, not an achievement: the AchievementCredential schema as a whole
    # rightly refuses it (no achievement in its subject).
    assert errors(status) != []
    # What the Bitstring Status List spec asks of it, the schema aside.
    assert status["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status["validFrom"] and status["issuer"]["id"] == certificate_issuer(token)
    assert status_list.is_revoked_in(status, entry) is False


def certificate_issuer(token: str) -> str:
    return str(decode_vc_jwt(token, keys())["issuer"]["id"])
