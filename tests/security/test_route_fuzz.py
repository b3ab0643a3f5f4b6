"""Every route, with hostile path values, query arguments and form fields: never a 5xx.

Walks ``app.url_map`` (every method), anonymously and as an admin who holds every
role, over a little real data so id routes also hit rows that exist. PostgreSQL is
where NUL bytes and ids past 2**31 used to fail, so this runs on both databases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from elearn.api.pagination import encode_cursor
from elearn.api.tokens import create_token
from elearn.certificates.keys import current_key_id
from elearn.content.parse import parse_course
from elearn.content.publish import store_version
from elearn.extensions import db
from elearn.models import ApiToken, Certificate, ExternalTraining, Role
from tests.conftest import AuthActions, csrf_token
from tests.content.course_fixtures import write_course
from tests.factories import make_unit, make_user
from tests.learning.helpers import answer_form

HOSTILE_PATH = (
    str(2**31), str(2**63), "-1", "0", "\x00", "x" * 10_240, "ünïcødé-名前", "../",
    "../../etc/passwd",
)  # fmt: skip
HOSTILE_FIELD = (
    "a\x00b", "x" * 10_240, str(2**31), "99999999999999999999", "-1", "ünïcødé 名前 🙂", "../",
)  # fmt: skip
FILTER_NAMES = (
    "q", "page", "since", "until", "unit", "course", "category", "competency", "status", "jp",
    "limit", "cursor", "updated_since", "year", "next",
)  # fmt: skip
HOSTILE_QUERIES = (
    {"page": "99999999999999999999"},
    {"page": "-1"},
    {"q": "a\x00b"},
    dict.fromkeys(FILTER_NAMES, "a\x00b"),
    dict.fromkeys(FILTER_NAMES, "9" * 30),
    dict.fromkeys(FILTER_NAMES, "x" * 10_240),
    {"cursor": encode_cursor(2**31), "limit": "500", "year": "2999", "since": "2999-12-31"},
)
# Routes that would end the admin's session mid-walk; they get their own tests.
SESSION_ENDERS = {"auth.logout"}
_ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")


@pytest.fixture
def seeded(app: Flask, tmp_path: Path) -> dict[str, object]:
    """A published course the admin completed (certificate), a training, an API token."""
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    folder = write_course(tmp_path, **{"03-kuis-akhir.gift": ""})
    version = store_version(parse_course(folder), unit=palu, actor=None, publish=True).version
    db.session.commit()
    roles = (Role.ADMIN, Role.COORDINATOR, Role.EVALUATOR, Role.LEARNER)
    admin = make_user(*roles, unit=palu, scope=[palu], name="Admin Semua Peran")
    learner = make_user(unit=palu, name="Peserta Lain")
    client = app.test_client()
    AuthActions(client).login(admin.nip)
    token = csrf_token(client, "/")
    for url, data in [
        ("/courses/dasar-proyek/enroll", {}),
        ("/learn/dasar-proyek/siklus/complete", {}),
        ("/learn/dasar-proyek/kuis-siklus/attempts", {}),
        (
            "/learn/dasar-proyek/kuis-siklus/attempts/1",
            {**answer_form(version, "kuis-siklus", correct=True), "action": "submit"},
        ),
    ]:
        assert client.post(url, data={"csrf_token": token, **data}).status_code < 400
    training = ExternalTraining(
        user_id=admin.id, name="Bimtek", organiser="BKPSDM", route="seminar",
        competency="teknis", started_on=date(2026, 1, 5), finished_on=date(2026, 1, 6), jp=4,
        evidence_name="b.pdf", evidence_type="application/pdf", evidence=b"%PDF-1.4",
    )  # fmt: skip
    db.session.add(training)
    issued = create_token(admin, "fuzz")
    db.session.commit()
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None
    api_token = db.session.scalar(select(ApiToken))
    assert api_token is not None
    return {
        "client": client,
        "bearer": issued.secret,
        "values": {
            "slug": "dasar-proyek", "name": "siklus", "number": "1", "code": certificate.code,
            "user_id": str(learner.id), "unit_id": str(palu.id), "training_id": str(training.id),
            "kid": current_key_id(), "short_hash": certificate.version.short_hash,
            "filename": "css/app.css", "unknown": "enrollments", "token_id": str(api_token.id),
            "path": "01-siklus.md",
        },
    }  # fmt: skip


class FormFinder(HTMLParser):
    """Collect each <form>: method, action, enctype and the names of its fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.forms.append({**found, "fields": {}})
        elif tag in {"input", "select", "textarea", "button"} and self.forms and found.get("name"):
            fields: dict[str, str] = self.forms[-1]["fields"]  # type: ignore[assignment]
            fields[found["name"] or ""] = found.get("type") or tag


def build_path(rule: Rule, values: dict[str, str], hostile: tuple[str, str] | None) -> str:
    """The rule's path with real values, one argument replaced by a hostile one."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        value = hostile[1] if hostile and hostile[0] == name else values.get(name, "x")
        return quote(value, safe="/")

    return _ARGUMENT.sub(substitute, rule.rule)


def requests_for(rule: Rule, values: dict[str, str]) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(method, path, query) triples: hostile path values, then hostile queries."""
    methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    for method in methods:
        for name in rule.arguments - set(rule.defaults or {}):
            for value in HOSTILE_PATH:
                yield method, build_path(rule, values, (name, value)), {}
        for query in HOSTILE_QUERIES:
            yield method, build_path(rule, values, None), query


def short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:100] + f"…({len(text)} chars)"


class Walker:
    """Send requests, remembering every 5xx with its route and input."""

    def __init__(self, client: FlaskClient, bearer: str | None) -> None:
        self.client = client
        self.bearer = bearer
        self.failures: list[str] = []
        self.sent = 0

    def send(self, endpoint: str, method: str, path: str, **kwargs: object) -> int:
        headers = {"Authorization": f"Bearer {self.bearer}"} if self.bearer else {}
        if not path.startswith("/api/"):
            headers = {}
        self.sent += 1
        try:
            response = self.client.open(path, method=method, headers=headers, **kwargs)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - reported with the input that caused it
            self.failures.append(f"{endpoint} {method} {short(path)} {short(kwargs)}: {exc!r}")
            return 599
        status = response.status_code
        response.close()
        if status >= 500:
            self.failures.append(f"{endpoint} {method} {short(path)} {short(kwargs)}: {status}")
        return status

    def walk_routes(self, app: Flask, values: dict[str, str], csrf: str) -> None:
        for rule in sorted(
            app.url_map.iter_rules(), key=lambda r: ("POST" in (r.methods or ()), r.rule)
        ):
            if self.bearer and rule.endpoint in SESSION_ENDERS:
                continue
            for method, path, query in requests_for(rule, values):
                data = {"csrf_token": csrf} if method != "GET" else None
                self.send(rule.endpoint, method, path, query_string=query, data=data)

    def submit_forms(self, app: Flask, values: dict[str, str], csrf: str) -> None:
        for rule in app.url_map.iter_rules():
            if "GET" not in (rule.methods or ()) or rule.endpoint.startswith(("api.", "static")):
                continue
            page = self.client.get(build_path(rule, values, None))
            html = page.get_data(as_text=True) if page.mimetype == "text/html" else ""
            page.close()  # an unread streamed export would otherwise close much later
            if page.status_code != 200 or not html:
                continue
            finder = FormFinder()
            finder.feed(html)
            for form in finder.forms:
                self._submit(rule, form, build_path(rule, values, None), csrf)

    def _submit(self, rule: Rule, form: dict[str, object], here: str, csrf: str) -> None:
        action = str(form.get("action") or here)
        method = str(form.get("method") or "get").upper()
        fields: dict[str, str] = form["fields"]  # type: ignore[assignment]
        if action.startswith("/logout") or not fields:
            return
        for value in HOSTILE_FIELD:
            data: dict[str, object] = {}
            for name, kind in fields.items():
                if kind == "file":
                    data[name] = (BytesIO(value.encode()), "berkas.csv")
                elif name != "csrf_token":
                    data[name] = value
            if method == "GET":
                self.send(rule.endpoint, "GET", action, query_string=data)
            else:
                self.send(rule.endpoint, method, action, data={**data, "csrf_token": csrf})


def test_no_route_fails_for_an_admin_with_every_role(app: Flask, seeded: dict[str, object]):
    client: FlaskClient = seeded["client"]  # type: ignore[assignment]
    values: dict[str, str] = seeded["values"]  # type: ignore[assignment]
    walker = Walker(client, str(seeded["bearer"]))
    csrf = csrf_token(client, "/")
    walker.walk_routes(app, values, csrf)
    walker.submit_forms(app, values, csrf)
    assert walker.sent > 1000
    assert not walker.failures, "\n".join(walker.failures)


def test_no_route_fails_for_an_anonymous_visitor(app: Flask, seeded: dict[str, object]):
    client = app.test_client()
    values: dict[str, str] = seeded["values"]  # type: ignore[assignment]
    walker = Walker(client, None)
    csrf = csrf_token(client, "/login")
    walker.walk_routes(app, values, csrf)
    walker.submit_forms(app, values, csrf)
    assert not walker.failures, "\n".join(walker.failures)
