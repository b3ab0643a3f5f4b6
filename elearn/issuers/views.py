"""Public pages of an instansi's issuer: /issuers/<slug> (Profile), its keys, DID document,
status lists and logo. Anyone may read them; verifiers cache them."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from werkzeug.wrappers import Response as WerkzeugResponse

from elearn.certificates.issuance import public_base_url
from elearn.extensions import limiter
from elearn.issuers.publish import (
    JSONLD_LIST,
    KEY_MAX_AGE,
    did_response,
    key_response,
    key_set_response,
    profile_response,
    status_list_response,
)
from elearn.issuers.registry import issuer_by_slug, logo_by_slug
from elearn.models import IssuerProfile
from elearn.settings import current_settings

bp = Blueprint("issuers", __name__, url_prefix="/issuers")


def _verify_limit() -> str:
    return current_settings().verify_rate_limit


def _base_url() -> str:
    return public_base_url(current_settings(), request.url_root)


def _issuer(slug: str) -> IssuerProfile:
    issuer = issuer_by_slug(slug) if len(slug) <= 64 else None
    if issuer is None:
        abort(404)
    return issuer


@bp.route("/<slug>")
def profile(slug: str) -> WerkzeugResponse:
    """The issuer's OB 3.0 Profile: JSON for verifiers, a page for people."""
    return profile_response(_issuer(slug), _base_url())


@bp.route("/<slug>/keys")
def keys(slug: str) -> WerkzeugResponse:
    return key_set_response(_issuer(slug), _base_url())


@bp.route("/<slug>/keys/<kid>")
def key(slug: str, kid: str) -> WerkzeugResponse:
    return key_response(_issuer(slug), kid)


@bp.route("/<slug>/did.json")
def did(slug: str) -> WerkzeugResponse:
    return did_response(_issuer(slug), _base_url())


@bp.route("/<slug>/status/<int:list_no>")
@limiter.limit(_verify_limit)
def status(slug: str, list_no: int) -> WerkzeugResponse:
    return status_list_response(_issuer(slug), list_no, _base_url(), jsonld=False)


@bp.route(f"/<slug>/status/<int:list_no>{JSONLD_LIST}")
@limiter.limit(_verify_limit)
def status_jsonld(slug: str, list_no: int) -> WerkzeugResponse:
    return status_list_response(_issuer(slug), list_no, _base_url(), jsonld=True)


@bp.route("/<slug>/logo.png")
def logo(slug: str) -> WerkzeugResponse:
    logo = logo_by_slug(slug) if len(slug) <= 64 else None
    if logo is None:
        abort(404)
    png, sha256 = logo
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = f"public, max-age={KEY_MAX_AGE}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(sha256[:32])
    return response.make_conditional(request)
