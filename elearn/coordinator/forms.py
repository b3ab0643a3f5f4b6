"""Coordinator forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField


class UploadForm(FlaskForm):
    file = FileField(
        _l("Berkas kursus (.zip)"),
        validators=[FileRequired(), FileAllowed(["zip"], _l("Hanya berkas .zip."))],
    )
    unit_id = SelectField(_l("Unit pengelola (untuk kursus baru)"), coerce=int)


class ActionForm(FlaskForm):
    """A POST button carrying the CSRF token (publish, archive)."""
