"""Forms of the token page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from elearn.api.tokens import MAX_EXPIRY_DAYS, NAME_MAX
from elearn.forms import Form


class TokenForm(Form):
    name = StringField(_l("Nama token"), validators=[DataRequired(), Length(max=NAME_MAX)])
    expires_days = IntegerField(
        _l("Berlaku (hari)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_EXPIRY_DAYS)],
    )


class RevokeTokenForm(Form):
    """Only the CSRF token: revoking needs no other input."""
