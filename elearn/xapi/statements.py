"""Learning events as xAPI 1.0.3 statements (see docs/xapi.md for the mapping)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from elearn.models import Course, CourseItem, CourseVersion, ItemKind, LearningEvent, Verb

PLATFORM = "eLearn ASN"

# Fixed namespaces: statement, actor and registration ids are uuid5 names under
# them, so a re-export gives the same ids. The home page is part of every name,
# so two deployments feeding one LRS never share an id.
STATEMENT_NAMESPACE = uuid.UUID("6f1b3c0e-52a4-4c8e-9a57-3d0f1e2b7c41")
ACTOR_NAMESPACE = uuid.UUID("0c9d6a2f-8e13-4b7a-b5d4-71e2a9c3f805")
REGISTRATION_NAMESPACE = uuid.UUID("b8e4f1a7-3c26-4d9b-8f05-a6c2e7d1934b")

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"


@dataclass(frozen=True)
class XapiVerb:
    iri: str
    id_id: str
    en_us: str

    def as_json(self) -> dict[str, Any]:
        """The statement's ``verb`` property."""
        return {"id": self.iri, "display": {"id-ID": self.id_id, "en-US": self.en_us}}


REGISTERED = XapiVerb(ADL_VERBS + "registered", "mendaftar", "registered")
COMPLETED = XapiVerb(ADL_VERBS + "completed", "menyelesaikan", "completed")
ATTEMPTED = XapiVerb(ADL_VERBS + "attempted", "mencoba", "attempted")
PASSED = XapiVerb(ADL_VERBS + "passed", "lulus", "passed")
FAILED = XapiVerb(ADL_VERBS + "failed", "tidak lulus", "failed")

# Which xAPI verb each learning event becomes. EVALUATED and VERSION_CHANGED
# are left out on purpose: see docs/xapi.md.
VERB_MAP: dict[Verb, XapiVerb] = {
    Verb.ENROLLED: REGISTERED,
    Verb.MODULE_COMPLETED: COMPLETED,
    Verb.ATTEMPT_STARTED: ATTEMPTED,
    Verb.ATTEMPT_SUBMITTED: COMPLETED,
    Verb.PASSED: PASSED,
    Verb.FAILED: FAILED,
    Verb.COMPLETED: COMPLETED,
}
EXPORTED_VERBS: frozenset[Verb] = frozenset(VERB_MAP)

ACTIVITY_TYPES = {
    "course": ADL_ACTIVITIES + "course",
    ItemKind.MODULE: ADL_ACTIVITIES + "module",
    ItemKind.QUIZ: ADL_ACTIVITIES + "assessment",
}

LANGUAGE_TAGS = {"id": "id-ID", "en": "en-US"}


class NotExported(ValueError):
    """The event's verb has no xAPI statement (evaluated, version-changed)."""


def statement_for(event: LearningEvent, *, home_page: str) -> dict[str, Any]:
    """Build the xAPI 1.0.3 statement for ``event``; raise NotExported for skipped verbs."""
    verb = VERB_MAP.get(Verb(event.verb))
    if verb is None:
        raise NotExported(f"{event.verb} events are not exported as xAPI statements")
    home = home_page.rstrip("/")
    version = event.version
    course_activity = _course_activity(home, version.course, version)
    item = event.item
    context: dict[str, Any] = {
        "registration": str(registration_id(event.enrollment_id, home_page=home)),
        "revision": version.short_hash,
        "platform": PLATFORM,
        "language": language_tag(version.language),
    }
    if item is not None:
        target = _item_activity(home, version.course, version, item)
        context["contextActivities"] = {"parent": [course_activity]}
    else:
        target = course_activity
    statement: dict[str, Any] = {
        "id": str(statement_id(event.id, home_page=home)),
        "actor": actor_for(event.user_id, home_page=home),
        "verb": verb.as_json(),
        "object": target,
        "context": context,
        "timestamp": xapi_timestamp(event.created_at),
    }
    result = _result(event)
    if result:
        statement["result"] = result
    return statement


def statement_id(event_id: int, *, home_page: str) -> uuid.UUID:
    """The statement id of an event: the same on every export and delivery."""
    return uuid.uuid5(STATEMENT_NAMESPACE, f"{home_page.rstrip('/')}|event:{event_id}")


def registration_id(enrollment_id: int, *, home_page: str) -> uuid.UUID:
    """The xAPI registration of an enrolment."""
    return uuid.uuid5(REGISTRATION_NAMESPACE, f"{home_page.rstrip('/')}|enrollment:{enrollment_id}")


def actor_name(user_id: int, *, home_page: str) -> str:
    """The learner's opaque account name: derived from the user id, never the NIP or email."""
    return str(uuid.uuid5(ACTOR_NAMESPACE, f"{home_page.rstrip('/')}|user:{user_id}"))


def actor_for(user_id: int, *, home_page: str) -> dict[str, Any]:
    """The Agent for a learner, identified by an account on this platform."""
    home = home_page.rstrip("/")
    return {
        "objectType": "Agent",
        "account": {"homePage": home, "name": actor_name(user_id, home_page=home)},
    }


def course_iri(home_page: str, slug: str) -> str:
    """The course's activity id, which is also its catalog page."""
    return f"{home_page.rstrip('/')}/courses/{quote(slug, safe='')}"


def item_iri(home_page: str, slug: str, short_hash: str, name: str) -> str:
    """A module's or quiz's activity id, tied to the version it belongs to."""
    return f"{course_iri(home_page, slug)}/v/{quote(short_hash, safe='')}/{quote(name, safe='')}"


def language_tag(language: str) -> str:
    """The RFC 5646 tag for a course language code."""
    return LANGUAGE_TAGS.get(language, language or "id-ID")


def xapi_timestamp(moment: datetime) -> str:
    """UTC with milliseconds and Z: ``2026-03-02T08:00:00.000Z``."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_duration(seconds: int) -> str:
    """An ISO 8601 duration in hours, minutes and seconds: ``PT4M30S``."""
    if seconds < 0:
        raise ValueError("negative duration")
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}H" if hours else "", f"{minutes}M" if minutes else ""]
    parts.append(f"{secs}S" if secs or not (hours or minutes) else "")
    return "PT" + "".join(parts)


def _course_activity(home: str, course: Course, version: CourseVersion) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": course_iri(home, course.slug),
        "definition": {
            "type": ACTIVITY_TYPES["course"],
            "name": {language_tag(version.language): version.title},
        },
    }


def _item_activity(
    home: str, course: Course, version: CourseVersion, item: CourseItem
) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": item_iri(home, course.slug, version.short_hash, item.name),
        "definition": {
            "type": ACTIVITY_TYPES[ItemKind(item.kind)],
            "name": {language_tag(version.language): item.title},
        },
    }


def _result(event: LearningEvent) -> dict[str, Any]:
    verb = Verb(event.verb)
    result: dict[str, Any] = {}
    if event.score is not None and verb in (Verb.ATTEMPT_SUBMITTED, Verb.PASSED, Verb.FAILED):
        result["score"] = _score(event.score)
    if verb in (Verb.MODULE_COMPLETED, Verb.ATTEMPT_SUBMITTED, Verb.COMPLETED):
        result["completion"] = True
    if verb in (Verb.PASSED, Verb.FAILED):
        result["success"] = verb == Verb.PASSED
    if event.duration_seconds is not None:
        result["duration"] = iso_duration(event.duration_seconds)
    return result


def _score(percent: float) -> dict[str, Any]:
    # The quiz engine keeps a percentage only, so raw is that percentage on 0–100.
    raw = round(min(max(float(percent), 0.0), 100.0), 2)
    return {"scaled": _number(round(raw / 100, 4)), "raw": _number(raw), "min": 0, "max": 100}


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value
