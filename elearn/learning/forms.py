"""Learner forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from elearn.forms import Form

SCALE = [SelectChoice(str(n), str(n)) for n in range(1, 6)]


class EvaluationForm(Form):
    """Kirkpatrick level 1: the learner's reaction to the course, 1 (low) to 5 (high)."""

    relevance = RadioField(
        _l("Materi relevan dengan pekerjaan saya"), choices=SCALE, validators=[DataRequired()]
    )
    clarity = RadioField(
        _l("Materi disajikan dengan jelas"), choices=SCALE, validators=[DataRequired()]
    )
    applicability = RadioField(
        _l("Saya dapat menerapkannya di tempat kerja"), choices=SCALE, validators=[DataRequired()]
    )
    comment = TextAreaField(_l("Saran atau komentar (opsional)"), validators=[Length(max=2000)])
