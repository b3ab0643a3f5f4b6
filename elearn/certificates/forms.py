"""Certificate forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from elearn.forms import Form


class RevokeForm(Form):
    reason = TextAreaField(_l("Alasan pencabutan"), validators=[DataRequired(), Length(max=1000)])


class UnrevokeForm(Form):
    reason = TextAreaField(
        _l("Alasan membatalkan pencabutan"), validators=[DataRequired(), Length(max=1000)]
    )
