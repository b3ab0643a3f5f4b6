"""The real SMTP server of tests/mail, for the reminder e-mail tests."""

from tests.mail.conftest import smtp_server

__all__ = ["smtp_server"]
