"""The read-only JSON API for evaluators' scripts (/api/v1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, NoReturn

from flask import Blueprint, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException, NotFound

from elearn import clock
from elearn.api.bearer import authenticate_request, rate_limit_key
from elearn.api.errors import json_error, register_error_handlers
from elearn.api.openapi import OPENAPI_DOCUMENT
from elearn.api.pagination import Page, PageRequest
from elearn.api.params import (
    CERTIFICATE_FILTERS,
    ENROLLMENT_FILTERS,
    LEARNER_FILTERS,
    completions_filter,
    read_filter,
    read_updated_since,
    read_year,
    refuse,
    refuse_empty,
)
from elearn.api.resources import (
    Viewer,
    certificate_page,
    enrollment_page,
    jp_total_page,
)
from elearn.api.serializers import iso_utc
from elearn.extensions import csrf, db, limiter
from elearn.i18n import zone_of
from elearn.models import ApiToken
from elearn.replica import read_from_replica
from elearn.reports.audit import audit
from elearn.reports.filters import ReportFilter
from elearn.reports.scope import report_unit_ids
from elearn.settings import current_settings

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# GET only and never authenticated by cookies, so there is no cross-site request to forge.
csrf.exempt(bp)


def _rate_limit() -> str:
    """The API's rate limit per token (API_RATE_LIMIT)."""
    return current_settings().api_rate_limit


limiter.shared_limit(_rate_limit, scope="api", key_func=rate_limit_key)(bp)
register_error_handlers(bp)

Fetch = Callable[[ReportFilter, Viewer, PageRequest, datetime | None], Page[dict[str, Any]]]
PUBLIC_ENDPOINTS = frozenset({"api.openapi_document", "api.unknown"})
READ_METHODS = ["GET", "HEAD", "OPTIONS"]
ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@bp.before_request
def _authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    g.api_token = authenticate_request()
    if db.session.dirty:
        # Keeps a new last_used_at, even if the pull itself fails. Only then: a commit
        # expires the token and its owner, and scoping the pull read them, their roles,
        # scopes and unit again (5 statements a page).
        db.session.commit()


# After the token check: a missing token is a 401 whatever the parameters say.
bp.before_request(lambda: refuse_empty(request.args))
# After the token check, so a token made a moment ago is found on the primary.
bp.before_request(read_from_replica)


def _token() -> ApiToken:
    token: ApiToken = g.api_token
    return token


def _viewer() -> Viewer:
    owner = _token().user
    return Viewer(units=report_unit_ids(owner), zone=zone_of(owner))


def _answer(resource: str, page: Page[dict[str, Any]], described: dict[str, str]) -> Response:
    """Audit the pull, then send the page."""
    token = _token()
    audit(token.user, f"api.{resource}", {**described, "token": token.prefix}, len(page.rows))
    db.session.commit()
    response = jsonify({"data": list(page.rows), "next_cursor": page.next_cursor})
    response.headers["Cache-Control"] = "no-store"
    return response


def _described(report_filter: ReportFilter, page: PageRequest, **extra: str) -> dict[str, str]:
    found = {**report_filter.describe(), "limit": str(page.limit), **extra}
    if page.after_id:
        found["after_id"] = str(page.after_id)
    return {key: value for key, value in found.items() if value}


def _changes(resource: str, report_filter: ReportFilter, fetch: Fetch) -> Response:
    """A pull of rows that have an updated time: paged, optionally only recent changes."""
    page = PageRequest.from_args(request.args)
    since = read_updated_since(request.args)
    found = fetch(report_filter, _viewer(), page, since)
    extra = {"updated_since": iso_utc(since)} if since else {}
    return _answer(resource, found, _described(report_filter, page, **extra))


@bp.get("/enrollments")
def enrollments() -> Response:
    """Every enrolment of learners in the token owner's scope."""
    report_filter = read_filter(request.args, ENROLLMENT_FILTERS, "enrollments")
    return _changes("enrollments", report_filter, enrollment_page)


@bp.get("/completions")
def completions() -> Response:
    """Completed enrolments only."""
    return _changes("completions", completions_filter(request.args), enrollment_page)


@bp.get("/certificates")
def certificates() -> Response:
    """Certificates of learners in scope, revoked ones included."""
    report_filter = read_filter(request.args, CERTIFICATE_FILTERS, "certificates")
    fetch = partial(certificate_page, base_url=current_settings().public_base_url)
    return _changes("certificates", report_filter, fetch)


@bp.get("/jp-totals")
def jp_totals() -> Response:
    """Each learner's JP for a year, split by competency."""
    report_filter = read_filter(request.args, LEARNER_FILTERS, "jp-totals")
    refuse(request.args, ["updated_since"], "jp-totals")
    page = PageRequest.from_args(request.args)
    viewer = _viewer()
    year = read_year(request.args, clock.now().astimezone(viewer.zone).year)
    found = jp_total_page(report_filter, viewer, page, year, current_settings().jp_target_per_year)
    return _answer("jp-totals", found, _described(report_filter, page, year=str(year)))


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3.1 description of this API (public)."""
    return jsonify(OPENAPI_DOCUMENT)


@bp.route("/", defaults={"unknown": ""}, methods=ANY_METHOD, strict_slashes=False)
@bp.route("/<path:unknown>", methods=ANY_METHOD)
def unknown(unknown: str) -> NoReturn:
    """Answer unknown paths in JSON (other methods on them: ``_methods``)."""
    raise NotFound("no such API resource")


@bp.before_app_request
def _methods() -> Response | None:
    """Answer what routing alone gets wrong under /api/v1, before anything else runs.

    Every resource takes GET and HEAD; ``OPTIONS`` answers 204 listing just those (no
    token needed, as for a CORS preflight); any other method, TRACE and unregistered
    ones included, is a 405 with that ``Allow``. A path that is no resource is a 404
    whatever the method. Flask would answer OPTIONS itself with every method of the
    catch-all route, and a method no route lists with a 405 lacking ``Allow``.
    """
    prefix = bp.url_prefix or ""
    if request.path != prefix and not request.path.startswith(prefix + "/"):
        return None
    if not _is_resource(request.path):
        if request.routing_exception is None and request.method in ANY_METHOD:
            return None  # the catch-all route answers
        return json_error(404, "no such API resource")
    if request.method in ("GET", "HEAD"):
        return None
    allow = {"Allow": ", ".join(READ_METHODS)}
    if request.method == "OPTIONS":
        response = Response(status=204, headers=allow)
        del response.headers["Content-Type"]  # no body
        return response
    return json_error(405, f"method {request.method} is not allowed", allow)


def _is_resource(path: str) -> bool:
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _ = adapter.match(path, method="GET")
    except HTTPException:
        return False
    return endpoint != "api.unknown"
