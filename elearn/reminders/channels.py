"""Where a reminder goes besides the app: one small interface, e-mail its first channel.

A WhatsApp or SMS gateway is another class with ``name`` and ``deliver``: it gets the same
``Notice`` and decides whether it can reach the learner (a phone number, say).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from elearn.jobs.service import Jobs
from elearn.mail.job import queue_mail
from elearn.mail.message import Message
from elearn.reminders import texts
from elearn.reminders.kinds import Kind


@dataclass(frozen=True)
class Notice:
    """One reminder with what a channel needs to word and address it."""

    reminder_id: int
    kind: Kind
    user_id: int
    name: str
    email: str | None
    locale: str
    zone: ZoneInfo
    course_title: str  # "" for a period's reminder (a JP-pace line, a digest)
    course_slug: str
    due_at: datetime | None  # None for nudges and a period's reminders
    period: str | None = None  # "2026-03", "2026-W12"
    details: dict[str, Any] | None = None  # what a period's reminder says


class Channel(Protocol):
    name: str

    def deliver(self, notice: Notice) -> bool:
        """Hand ``notice`` on (at most once per reminder); False if it cannot reach the learner."""


class MailChannel:
    """E-mail through the ``mail.send`` job, keyed by the reminder: one message per reminder."""

    name = "email"

    def __init__(self, jobs: Jobs, public_base_url: str) -> None:
        self.jobs = jobs
        self.base = public_base_url

    def deliver(self, notice: Notice) -> bool:
        if not notice.email:
            return False
        tr = texts.translations_for(notice.locale)
        deadline = (
            texts.deadline_text(notice.due_at, notice.zone, notice.locale)
            if notice.due_at is not None
            else ""
        )
        message = Message(
            to=notice.email,
            subject=texts.mail_subject(notice.kind, notice.course_title, tr, notice.details),
            text=texts.mail_body(
                notice.kind,
                name=notice.name,
                course=notice.course_title,
                deadline=deadline,
                course_url=f"{self.base}/courses/{notice.course_slug}",
                notifications_url=f"{self.base}/me/notifications",
                tr=tr,
                details=notice.details,
                locale=notice.locale,
                base_url=self.base,
            ),
        )
        # The key makes a second pass (or a parallel one) find this job instead of sending
        # again; the job's own key makes a retried send read as the same message.
        queue_mail(
            self.jobs, message, key=f"reminder:{notice.reminder_id}", owner_id=notice.user_id
        )
        return True
