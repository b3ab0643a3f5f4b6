"""The real SMTP server of tests/mail, for the reminder e-mail tests; pace lines off."""

from dataclasses import replace

import pytest
from flask import Flask

from elearn.settings import ReminderSettings, current_settings, with_changes
from tests.mail.conftest import smtp_server

__all__ = ["smtp_server"]


@pytest.fixture(autouse=True)
def _without_pace_lines(request: pytest.FixtureRequest) -> None:
    """Count deadline reminders and nudges alone: the monthly JP-pace line would join every
    pass of learners with no JP yet. tests/reminders/test_pace.py turns it back on."""
    if "app" not in request.fixturenames or request.module.__name__.endswith(".test_pace"):
        return
    app = request.getfixturevalue("app")
    with_changes(app, reminders=replace(current_reminders(app), jp_pace=False))


def current_reminders(app: Flask) -> ReminderSettings:
    with app.app_context():
        return current_settings().reminders
