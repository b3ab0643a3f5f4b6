"""Build the app's mailer once in ``create_app``; views and commands take it from here."""

from __future__ import annotations

from flask import Flask, current_app

from elearn.mail.log_mailer import LogMailer
from elearn.mail.message import Mailer
from elearn.mail.smtp import SmtpMailer
from elearn.settings import MailSettings, Settings

_EXTENSION_KEY = "elearn.mailer"


def init_mail(app: Flask, settings: Settings) -> None:
    """SMTP when MAIL_SERVER is set, else a mailer that only logs (``make run`` offline)."""
    bind_mailer(app, build_mailer(settings.mail))


def build_mailer(settings: MailSettings) -> Mailer:
    if settings.server:
        return SmtpMailer(settings)
    return LogMailer()


def bind_mailer(app: Flask, mailer: Mailer) -> None:
    """Make ``mailer`` the one ``app`` sends with (tests bind a ``MemoryMailer``)."""
    app.extensions[_EXTENSION_KEY] = mailer


def current_mailer(app: Flask | None = None) -> Mailer:
    """The mailer of the app handling this request or command."""
    mailer: Mailer = (app or current_app).extensions[_EXTENSION_KEY]
    return mailer
