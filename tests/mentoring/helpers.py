"""Recording and deciding sessions through the pages, as a mentee and a mentor would."""

from __future__ import annotations

from typing import Any

from tests.conftest import csrf_token
from tests.learning.helpers import Learner


def session_data(mentor: Learner, **fields: object) -> dict[str, object]:
    return {
        "kind": "mentoring",
        "mentor_nip": mentor.user.nip,
        "held_on": "2026-02-20",
        "starts_at": "09:00",
        "duration_minutes": "100",
        "topic": "Menyusun rencana aksi SAKIP",
        "competency": "manajerial",
        "outcome": "Draf rencana aksi disepakati.",
        **fields,
    }


def record(mentee: Learner, mentor: Learner, **fields: object) -> Any:
    token = csrf_token(mentee.client, "/me/mentoring")
    data = {"csrf_token": token, **session_data(mentor, **fields)}
    return mentee.client.post("/me/mentoring", data=data)


def decide(mentor: Learner, session_id: int, decision: str = "confirm", note: str = "") -> Any:
    token = csrf_token(mentor.client, "/me/mentoring/requests")
    return mentor.client.post(
        f"/me/mentoring/requests/{session_id}",
        data={"csrf_token": token, "decision": decision, "note": note},
    )
