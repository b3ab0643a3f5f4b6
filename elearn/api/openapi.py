"""The OpenAPI 3.1 description of /api/v1, written by hand to match the real responses.

Row objects forbid additional properties, so the schemathesis test catches any
drift between this document and what the views send.
"""

from __future__ import annotations

from typing import Any

from elearn.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from elearn.reports.filters import COMPETENCIES

Schema = dict[str, Any]

TIMESTAMP: Schema = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601 in UTC, e.g. 2026-03-02T08:00:00.000000Z",
}
OPTIONAL_TIMESTAMP: Schema = {**TIMESTAMP, "type": ["string", "null"]}
NIP: Schema = {"type": "string", "pattern": "^[0-9]{18}$", "description": "NIP or NI PPPK"}
COMPETENCY: Schema = {"type": "string", "enum": list(COMPETENCIES)}
# What the API accepts in a free-text filter: printable, at most 200 characters.
PLAIN_TEXT: Schema = {
    "type": "string",
    "maxLength": 200,
    # Printable, with at least one character that is not a space: a blank value is a 422
    # like an empty one (the API strips values before reading them).
    "pattern": "^[^\\u0000-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f][^\\u0000-\\u001f\\u007f]*$",
}


def _ref(kind: str, name: str) -> Schema:
    return {"$ref": f"#/components/{kind}/{name}"}


def _row(description: str, properties: dict[str, Schema]) -> Schema:
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
    }


ENROLLMENT = _row(
    "One enrolment of one learner in one course.",
    {
        "id": {"type": "integer", "minimum": 1, "description": "The enrolment id."},
        "nip": NIP,
        "name": {"type": "string"},
        "instansi": {"type": "string"},
        "unit": {"type": "string", "description": "The learner's unit path, today."},
        "course": {"type": "string", "description": "Course slug."},
        "course_title": {"type": "string"},
        "version": {"type": "integer", "minimum": 1},
        "category": {"type": "string"},
        "competency": COMPETENCY,
        "jp": {"type": "integer", "minimum": 0},
        "status": {"type": "string", "enum": ["in_progress", "completed"]},
        "enrolled_at": TIMESTAMP,
        "completed_at": OPTIONAL_TIMESTAMP,
        "certificate_number": {"type": ["string", "null"]},
        "updated_at": TIMESTAMP,
    },
)

CERTIFICATE = _row(
    "A certificate as issued; revoked ones stay listed with revoked_at set.",
    {
        "id": {"type": "integer", "minimum": 1, "description": "The certificate id."},
        "enrollment_id": {"type": "integer", "minimum": 1},
        "number": {"type": "string"},
        "code": {"type": "string", "pattern": "^[A-Za-z0-9_-]{22}$"},
        "verification_url": {"type": "string", "format": "uri"},
        "nip": NIP,
        "name": {"type": "string", "description": "As printed on the certificate."},
        "instansi": {"type": "string"},
        "unit": {"type": "string", "description": "The learner's unit path, today."},
        "course": {"type": "string"},
        "course_title": {"type": "string"},
        "jp": {"type": "integer", "minimum": 0},
        "competency": COMPETENCY,
        "issued_at": TIMESTAMP,
        "completed_on": {
            "type": "string",
            "format": "date",
            "description": "Completion day in the learner's time zone.",
        },
        "revoked_at": OPTIONAL_TIMESTAMP,
        "revoked_reason": {"type": ["string", "null"]},
        "updated_at": {**TIMESTAMP, "description": "The later of issued_at and revoked_at."},
    },
)

JP_TOTAL = _row(
    "One active learner's JP for the year (calendar year in the learner's time zone).",
    {
        "id": {"type": "integer", "minimum": 1, "description": "The learner's id."},
        "nip": NIP,
        "name": {"type": "string"},
        "employee_type": {"type": "string", "enum": ["PNS", "PPPK"]},
        "instansi": {"type": "string"},
        "unit": {"type": "string"},
        "year": {"type": "integer"},
        "jp_total": {"type": "integer", "minimum": 0},
        "jp_by_competency": {
            "type": "object",
            "additionalProperties": False,
            "required": list(COMPETENCIES),
            "properties": {c: {"type": "integer", "minimum": 0} for c in COMPETENCIES},
        },
    },
)

ERROR_OBJECT: Schema = {
    "type": "object",
    "additionalProperties": False,
    "required": ["status", "message"],
    "properties": {
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "message": {"type": "string"},
        "request_id": {
            "type": "string",
            "description": "Also in the X-Request-ID header; quote it when reporting.",
        },
    },
}
# The API's own errors (401, 403, 404, 405, 422, 429): RFC 9457 problem details, with the
# ``error`` object kept for scripts written before.
PROBLEM: Schema = {
    "type": "object",
    "description": "RFC 9457 problem details; `error` repeats them in the API's older shape.",
    "additionalProperties": False,
    "required": ["type", "title", "status", "detail", "error"],
    "properties": {
        "type": {"type": "string", "const": "about:blank"},
        "title": {"type": "string", "description": "The status code's reason phrase."},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {
            "type": "string",
            "description": "What was wrong; for a 422 it starts with the parameter's name.",
        },
        "error": ERROR_OBJECT,
    },
}
# 500 and 503 come from the application's handler, before or outside the API's own.
ERROR: Schema = {
    "type": "object",
    "additionalProperties": False,
    "required": ["error"],
    "properties": {"error": ERROR_OBJECT},
}


def _page(row: str) -> Schema:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["data", "next_cursor"],
        "properties": {
            "data": {"type": "array", "items": _ref("schemas", row)},
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Pass as `cursor` for the next page; null on the last page.",
            },
        },
    }


def _query(name: str, description: str, schema: Schema) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        # An empty value is refused rather than read as absent (an empty updated_since
        # would otherwise turn an incremental pull into a full one).
        "description": f"{description} Leave it out rather than empty: `{name}=` is a 422.",
        "schema": schema,
    }


PARAMETERS: dict[str, Schema] = {
    "since": _query(
        "since",
        "Enrolled or completed on or after this day (the token owner's time zone).",
        {"type": "string", "format": "date"},
    ),
    "until": _query(
        "until",
        "Enrolled or completed on or before this day (the token owner's time zone).",
        {"type": "string", "format": "date"},
    ),
    "unit": _query("unit", "A unit code: that unit and its sub-units.", PLAIN_TEXT),
    "course": _query("course", "A course slug.", PLAIN_TEXT),
    "category": _query("category", "A course category.", PLAIN_TEXT),
    "competency": _query("competency", "A kind of competency.", COMPETENCY),
    "status": _query(
        "status", "Enrolment status.", {"type": "string", "enum": ["in_progress", "completed"]}
    ),
    "completedStatus": _query(
        "status", "Always completed here; may be given.", {"type": "string", "enum": ["completed"]}
    ),
    "updatedSince": _query(
        "updated_since",
        "Only rows changed at or after this time (ISO 8601 with a zone), for incremental pulls.",
        {"type": "string", "format": "date-time"},
    ),
    "limit": _query(
        "limit",
        f"Rows per page (default {DEFAULT_LIMIT}).",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    ),
    "cursor": _query(
        "cursor",
        "The next_cursor of the previous page (opaque).",
        {"type": "string", "minLength": 1},
    ),
    "year": _query(
        "year",
        "Calendar year (default: this year in the token owner's time zone).",
        {"type": "integer", "minimum": 1900, "maximum": 2999},
    ),
}

PROBLEM_CONTENT: Schema = {"application/problem+json": {"schema": _ref("schemas", "Problem")}}

RESPONSES: dict[str, Schema] = {
    "Unauthorized": {
        "description": "Missing, invalid, expired or revoked token.",
        "headers": {
            "WWW-Authenticate": {"required": True, "schema": {"type": "string"}},
        },
        "content": PROBLEM_CONTENT,
    },
    "Forbidden": {
        "description": "The token's owner no longer holds an evaluator, coordinator or admin role.",
        "content": PROBLEM_CONTENT,
    },
    "Unprocessable": {
        "description": (
            "A bad query parameter: empty, malformed or out of range; `detail` (and"
            " `error.message`) starts with its name."
        ),
        "content": PROBLEM_CONTENT,
    },
    "TooManyRequests": {
        "description": "Rate limit per token exceeded (API_RATE_LIMIT).",
        "content": PROBLEM_CONTENT,
    },
    "Unavailable": {
        "description": "The database cannot be reached; retry after the given seconds.",
        "headers": {"Retry-After": {"required": True, "schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": _ref("schemas", "Error")}},
    },
}


def _operation(
    operation_id: str, summary: str, row: str, parameters: list[str]
) -> dict[str, Schema]:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "security": [{"bearerAuth": []}],
            "parameters": [_ref("parameters", name) for name in parameters],
            "responses": {
                "200": {
                    "description": f"One page of {row} rows, in ascending id order.",
                    "content": {"application/json": {"schema": _ref("schemas", f"{row}Page")}},
                },
                "401": _ref("responses", "Unauthorized"),
                "403": _ref("responses", "Forbidden"),
                "422": _ref("responses", "Unprocessable"),
                "429": _ref("responses", "TooManyRequests"),
                "503": _ref("responses", "Unavailable"),
            },
        }
    }


FILTERS = ["since", "until", "unit", "course", "category", "competency"]
PAGING = ["limit", "cursor"]

OPENAPI_DOCUMENT: Schema = {
    "openapi": "3.1.0",
    "info": {
        "title": "eLearn ASN API",
        "version": "1.0.0",
        "description": (
            "Read-only data for evaluators' scripts, scoped to the token owner's units. "
            "Send `Authorization: Bearer <token>`; create tokens at /account/tokens. "
            "Every path takes GET and HEAD; OPTIONS answers 204 with `Allow: GET, HEAD, "
            "OPTIONS` and any other method 405 with that header. Errors are RFC 9457 "
            "problem details (`application/problem+json`)."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/enrollments": _operation(
            "listEnrollments",
            "Every enrolment",
            "Enrollment",
            [*FILTERS, "status", "updatedSince", *PAGING],
        ),
        "/completions": _operation(
            "listCompletions",
            "Completed enrolments",
            "Enrollment",
            [*FILTERS, "completedStatus", "updatedSince", *PAGING],
        ),
        "/certificates": _operation(
            "listCertificates",
            "Certificates, revoked ones included",
            "Certificate",
            [*FILTERS, "updatedSince", *PAGING],
        ),
        "/jp-totals": _operation(
            "listJpTotals", "JP per learner for a year", "JpTotal", ["year", "unit", *PAGING]
        ),
        "/openapi.json": {
            "get": {
                "operationId": "getOpenApiDocument",
                "summary": "This document",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI 3.1 document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "429": _ref("responses", "TooManyRequests"),
                },
            }
        },
    },
    "components": {
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "A personal access token (elat_...), shown once when created.",
            }
        },
        "parameters": PARAMETERS,
        "responses": RESPONSES,
        "schemas": {
            "Error": ERROR,
            "Problem": PROBLEM,
            "Enrollment": ENROLLMENT,
            "Certificate": CERTIFICATE,
            "JpTotal": JP_TOTAL,
            "EnrollmentPage": _page("Enrollment"),
            "CertificatePage": _page("Certificate"),
            "JpTotalPage": _page("JpTotal"),
        },
    },
}
