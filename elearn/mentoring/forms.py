"""Forms of coaching and mentoring records."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from elearn.forms import Form
from elearn.mentoring.sessions import MAX_MINUTES, MIN_MINUTES
from elearn.records.routes import COMPETENCIES


class SessionForm(Form):
    kind = SelectField(
        _l("Jenis sesi"),
        choices=[
            SelectChoice("mentoring", _l("Mentoring")),
            SelectChoice("coaching", _l("Coaching")),
        ],
    )
    mentor_nip = StringField(_l("NIP mentor/coach"), validators=[DataRequired(), Length(max=40)])
    held_on = DateField(_l("Tanggal sesi"), validators=[DataRequired()])
    starts_at = TimeField(_l("Jam mulai"), validators=[DataRequired()])
    duration_minutes = IntegerField(
        _l("Durasi (menit)"),
        validators=[
            DataRequired(),
            NumberRange(
                min=MIN_MINUTES,
                max=MAX_MINUTES,
                message=_l("Durasi sesi harus %(min)d–%(max)d menit."),
            ),
        ],
    )
    topic = StringField(_l("Topik"), validators=[DataRequired(), Length(max=300)])
    competency = SelectField(
        _l("Kompetensi yang dikembangkan"),
        choices=[SelectChoice(v, label) for v, label in COMPETENCIES],
    )
    outcome = TextAreaField(_l("Hasil/catatan sesi"), validators=[Optional(), Length(max=4000)])


class DecisionForm(Form):
    note = TextAreaField(_l("Alasan (wajib jika ditolak)"), validators=[Length(max=2000)])
    decision = SelectField(
        _l("Keputusan"),
        choices=[SelectChoice("confirm", _l("Konfirmasi")), SelectChoice("reject", _l("Tolak"))],
    )


class WithdrawForm(Form):
    """Only the CSRF token: withdrawing a pending request."""
