"""Coordinator forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField

from elearn.forms import Form


class UploadForm(Form):
    file = FileField(
        _l("Berkas kursus (.zip)"),
        validators=[FileRequired(), FileAllowed(["zip"], _l("Hanya berkas .zip."))],
    )
    unit_id = SelectField(_l("Unit pengelola (untuk kursus baru)"), coerce=int)


class ActionForm(Form):
    """A POST button carrying the CSRF token (publish, archive)."""
