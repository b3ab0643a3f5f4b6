"""A real SMTP server (aiosmtpd) on a free local port, and the mail settings that reach it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from elearn.settings import MailSettings


class Inbox:
    """What the server accepted: each message parsed, with its envelope recipients."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """An SMTP server on 127.0.0.1 for one test: its inbox and port."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()  # returns once the server answers
    try:
        yield inbox, port
    finally:
        controller.stop()


def mail_settings(port: int) -> MailSettings:
    """Plain SMTP to 127.0.0.1:port (the test server speaks neither TLS nor AUTH)."""
    return MailSettings(
        server="127.0.0.1",
        port=port,
        use_tls=False,
        use_ssl=False,
        username="",
        password="",
        sender="eLearn ASN <noreply@elearn.test>",
        timeout_seconds=30,
    )
