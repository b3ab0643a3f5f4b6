"""A mailer that keeps what it is given, for tests."""

from __future__ import annotations

from elearn.mail.message import Message


class MemoryMailer:
    """Keep every sent message in ``sent``, in order."""

    def __init__(self) -> None:
        self.sent: list[Message] = []

    def send(self, message: Message) -> None:
        self.sent.append(message)
