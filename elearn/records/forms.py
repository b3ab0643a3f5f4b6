"""Career-record forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from elearn.forms import Form
from elearn.records.routes import COMPETENCIES, ROUTES


class TrainingForm(Form):
    name = StringField(_l("Nama kegiatan"), validators=[DataRequired(), Length(max=300)])
    organiser = StringField(_l("Penyelenggara"), validators=[DataRequired(), Length(max=300)])
    route = SelectField(
        _l("Jenis kegiatan"),
        choices=[
            # Lazy, not str(): a str() here ran at import, so the groups stayed Indonesian.
            SelectChoice(
                value, _l(label), optgroup=_l("Klasikal") if classical else _l("Nonklasikal")
            )
            for value, label, classical, _ in ROUTES
        ],
    )
    competency = SelectField(
        _l("Jenis kompetensi"), choices=[SelectChoice(v, label) for v, label in COMPETENCIES]
    )
    started_on = DateField(_l("Tanggal mulai"), validators=[DataRequired()])
    finished_on = DateField(_l("Tanggal selesai"), validators=[DataRequired()])
    jp = IntegerField(
        _l("Jam Pelajaran (JP)"), validators=[DataRequired(), NumberRange(min=1, max=1000)]
    )
    certificate_number = StringField(
        _l("Nomor sertifikat"), validators=[Optional(), Length(max=120)]
    )
    evidence = FileField(
        _l("Bukti (PDF, JPG atau PNG, maks. 2 MB)"),
        validators=[
            FileRequired(),
            FileAllowed(["pdf", "jpg", "jpeg", "png"], _l("Hanya PDF, JPG atau PNG.")),
        ],
    )


class ReviewForm(Form):
    note = TextAreaField(_l("Catatan (wajib jika ditolak)"), validators=[Length(max=2000)])
    decision = SelectField(
        _l("Keputusan"),
        choices=[SelectChoice("verify", _l("Verifikasi")), SelectChoice("reject", _l("Tolak"))],
    )
