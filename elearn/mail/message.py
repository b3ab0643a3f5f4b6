"""What a mailer sends, and the one interface every mailer has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Message:
    """One message to one recipient."""

    to: str
    subject: str
    text: str
    html: str | None = None
    reply_to: str | None = None
    # Fixed by the ``mail.send`` job from its key, so a resent job's copy reads as the same mail.
    message_id: str | None = None


class MailError(Exception):
    """The message was not accepted; ``permanent`` when sending it again cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Mailer(Protocol):
    def send(self, message: Message) -> None:
        """Hand ``message`` on, or raise ``MailError``."""
