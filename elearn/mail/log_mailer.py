"""A mailer for ``make run`` without an SMTP server: it only logs who would have got what."""

from __future__ import annotations

import logging

from elearn.mail.message import Message

log = logging.getLogger(__name__)


class LogMailer:
    """Log each message's recipient and subject; never the body (it may hold a reset link)."""

    def send(self, message: Message) -> None:
        log.info("mail not sent (no MAIL_SERVER): to=%s subject=%s", message.to, message.subject)
