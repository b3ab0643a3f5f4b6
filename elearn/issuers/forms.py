"""The admin's form for an issuer profile."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from elearn.forms import Form


class IssuerForm(Form):
    name = StringField(_l("Nama penerbit"), validators=[DataRequired(), Length(max=200)])
    address = TextAreaField(_l("Alamat"), validators=[Optional(), Length(max=500)])
    city = StringField(
        _l("Kota (tempat penerbitan pada sertifikat)"), validators=[Optional(), Length(max=100)]
    )
    logo = FileField(
        _l("Logo (PNG atau JPEG, paling besar 1 MB)"),
        validators=[FileAllowed(["png", "jpg", "jpeg"], _l("Logo harus PNG atau JPEG."))],
    )
    remove_logo = BooleanField(_l("Hapus logo"))
