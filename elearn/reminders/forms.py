"""Forms of the notifications page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from elearn.forms import Form


class NudgeForm(Form):
    """Whether the learner wants inactivity nudges."""

    wanted = BooleanField(_l("Kirimi saya pengingat bila saya lama tidak belajar"))
