"""The follow-up survey's one screen."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from elearn.forms import Form
from elearn.learning.forms import SCALE


class FollowUpForm(Form):
    """Kirkpatrick level 3: is the competency applied at work, 1 (not at all) to 5 (fully)."""

    rating = RadioField(
        _l("Kompetensi dari kursus ini diterapkan di tempat kerja (1 = belum, 5 = sepenuhnya)"),
        choices=SCALE,
        validators=[DataRequired()],
    )
    comment = TextAreaField(
        _l("Contoh penerapan atau hambatannya (opsional)"), validators=[Length(max=2000)]
    )
