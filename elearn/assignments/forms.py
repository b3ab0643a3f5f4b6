"""Forms of the assignment pages: one to assign, one to exempt a learner."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from elearn.models import TargetKind

TARGET_CHOICES = [
    SelectChoice(TargetKind.UNIT.value, _l("Unit kerja")),
    SelectChoice(TargetKind.POSITION.value, _l("Jabatan dalam unit kerja")),
    SelectChoice(TargetKind.LEARNER.value, _l("Daftar NIP (CSV)")),
]


class AssignmentForm(FlaskForm):
    # Choices are offered from the assigner's scope; the service checks scope again,
    # so a forged value is refused with 403 rather than as a form error.
    course_id = SelectField(_l("Kursus"), coerce=int, validate_choice=False)
    reason = StringField(
        _l("Alasan"), validators=[DataRequired(), Length(max=200)], render_kw={"maxlength": 200}
    )
    starts_on = DateField(_l("Tanggal mulai"), validators=[DataRequired()])
    due_on = DateField(_l("Tenggat"), validators=[DataRequired()])
    target = RadioField(
        _l("Ditugaskan kepada"), choices=TARGET_CHOICES, default=TargetKind.UNIT.value
    )
    unit_id = SelectField(_l("Unit kerja"), coerce=int, validate_choice=False)
    include_subunits = BooleanField(_l("Termasuk sub-unit"), default=True)
    position = StringField(_l("Jabatan"), validators=[Optional(), Length(max=200)])
    file = FileField(
        _l("Daftar NIP (.csv, kolom nip)"),
        validators=[FileAllowed(["csv"], _l("Hanya berkas .csv."))],
    )


class ExemptForm(FlaskForm):
    reason = StringField(
        _l("Alasan pembebasan"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"maxlength": 200},
    )
