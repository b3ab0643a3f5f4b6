"""Coordinator forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from elearn.content.assets import ALLOWED_ASSET_TYPES
from elearn.forms import Form


class UploadForm(Form):
    file = FileField(
        _l("Berkas kursus (.zip)"),
        validators=[FileRequired(), FileAllowed(["zip"], _l("Hanya berkas .zip."))],
    )
    unit_id = SelectField(_l("Unit pengelola (untuk kursus baru)"), coerce=int)


class ProgramUploadForm(Form):
    file = FileField(
        _l("Berkas program (.zip)"),
        validators=[FileRequired(), FileAllowed(["zip"], _l("Hanya berkas .zip."))],
    )
    unit_id = SelectField(_l("Unit pengelola (untuk program dan kursus baru)"), coerce=int)


class ActionForm(Form):
    """A POST button carrying the CSRF token (publish, archive)."""


class DraftForm(Form):
    """A change to a course draft, carrying the revision it was based on."""

    revision = HiddenField(validators=[InputRequired(), Regexp(r"^\d+$")])

    @property
    def base_revision(self) -> int:
        return int(self.revision.data)


class OpenDraftForm(Form):
    """Start (or start over) the course's draft from a version whose folder is kept."""

    version = SelectField(_l("Mulai dari versi"), coerce=int)
    revision = HiddenField(validators=[Optional(), Regexp(r"^\d+$")])


class EditFileForm(DraftForm):
    text = TextAreaField(_l("Isi berkas"), render_kw={"spellcheck": "false", "rows": 24})
    preview = SubmitField(_l("Pratinjau"))
    save = SubmitField(_l("Simpan"))


class NewFileForm(DraftForm):
    path = StringField(
        _l("Nama berkas baru"),
        validators=[InputRequired(), Length(max=120)],
        render_kw={"placeholder": "03-penutup.md", "autocomplete": "off"},
    )


class AssetForm(DraftForm):
    file = FileField(
        _l("Gambar atau PDF untuk assets/"),
        validators=[
            FileRequired(),
            FileAllowed(
                [s.lstrip(".") for s in ALLOWED_ASSET_TYPES],
                _l("Jenis berkas aset tidak diizinkan."),
            ),
        ],
    )
