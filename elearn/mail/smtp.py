"""Send mail through an SMTP server with the standard library (smtplib, email.message)."""

from __future__ import annotations

import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from elearn.mail.message import MailError, Message
from elearn.settings import MailSettings


class SmtpMailer:
    """One connection per message: sends are rare, and no idle connection can go stale."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    def send(self, message: Message) -> None:
        email = build_email(message, self.settings.sender)
        where = f"{self.settings.server}:{self.settings.port}"
        try:
            with self._connect() as smtp:
                if self.settings.use_tls and not self.settings.use_ssl:
                    smtp.starttls(context=ssl.create_default_context())
                if self.settings.username:
                    smtp.login(self.settings.username, self.settings.password)
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailError(f"{where} refused {message.to}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            reply = exc.smtp_error
            if isinstance(reply, bytes):
                reply = reply.decode("utf-8", "replace")
            permanent = 500 <= exc.smtp_code < 600  # 5xx: the server will say no again
            raise MailError(
                f"{where} answered {exc.smtp_code} {reply}", permanent=permanent
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"cannot send through {where}: {exc}") from exc

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        host, port, timeout = settings.server, settings.port, settings.timeout_seconds
        if self.settings.use_ssl:
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        return smtplib.SMTP(host, port, timeout=timeout)


def build_email(message: Message, sender: str) -> EmailMessage:
    """The MIME message: UTF-8 text, an HTML alternative when given; headers encoded as needed."""
    email = EmailMessage()  # the default policy encodes non-ASCII headers (RFC 2047), UTF-8 bodies
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message.message_id or make_msgid(domain=sender_domain(sender))
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    email.set_content(message.text, charset="utf-8")
    if message.html is not None:
        email.add_alternative(message.html, subtype="html", charset="utf-8")
    return email


def sender_domain(sender: str) -> str:
    """The sender's mail domain, for Message-IDs; ``localhost`` if it has none."""
    email = EmailMessage()
    email["From"] = sender
    addresses: tuple[Address, ...] = email["From"].addresses
    return (addresses[0].domain if addresses else "") or "localhost"
