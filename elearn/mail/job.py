"""The ``mail.send`` job: send one message, at most once per key, retried with the queue's backoff.

The job's key makes a second submission return the first job, and a finished job is
never run again. Its Message-ID comes from the key too, so the one copy a crashed worker
may leave behind before the retry reads as the same mail to the recipient's client.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable

from elearn.jobs.registry import JobContext, JobKind, Outcome, PermanentFailure
from elearn.jobs.service import Jobs
from elearn.mail.message import Mailer, MailError, Message
from elearn.models.job import Job

MAIL_KIND = "mail.send"
_FIELDS = ("to", "subject", "text", "html", "reply_to")


def queue_mail(jobs: Jobs, message: Message, *, key: str, owner_id: int | None = None) -> Job:
    """Submit ``message`` for sending; the same ``key`` again returns the first job."""
    args = {name: getattr(message, name) for name in _FIELDS}
    args["id_seed"] = hashlib.sha256(key.encode()).hexdigest()[:32]
    return jobs.submit(MAIL_KIND, args, key=f"{MAIL_KIND}:{key}", owner_id=owner_id)


def mail_send_kind(mailer: Callable[[], Mailer], message_id_domain: str) -> JobKind:
    """The kind; ``mailer`` is asked at run time, so a test's bound mailer is the one used."""

    def run(context: JobContext) -> Outcome:
        args = context.args
        message = Message(**{name: args.get(name) for name in _FIELDS})  # type: ignore[arg-type]
        message = dataclasses.replace(
            message, message_id=f"<{args['id_seed']}@{message_id_domain}>"
        )
        try:
            mailer().send(message)
        except MailError as exc:
            if exc.permanent:
                raise PermanentFailure(str(exc)) from exc
            raise
        return Outcome(info={"to": message.to})

    return JobKind(MAIL_KIND, run, max_attempts=6)
