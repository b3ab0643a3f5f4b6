"""Admin forms for users, units and CSV import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from elearn.forms import Form
from elearn.models import EmployeeType, Role, UnitKind

ROLE_LABELS = {
    Role.LEARNER: _l("Peserta"),
    Role.COORDINATOR: _l("Koordinator"),
    Role.EVALUATOR: _l("Evaluator"),
    Role.ADMIN: _l("Admin"),
}

UNIT_KIND_LABELS = {
    UnitKind.INSTANSI: _l("Instansi"),
    UnitKind.PERANGKAT_DAERAH: _l("Perangkat daerah"),
    UnitKind.UNIT_KERJA: _l("Unit kerja"),
}


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(Form):
    nip = StringField(_l("NIP"), validators=[DataRequired(), Length(max=30)])
    full_name = StringField(_l("Nama lengkap"), validators=[DataRequired(), Length(max=200)])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    employee_type = SelectField(
        _l("Jenis pegawai"), choices=[SelectChoice(t.value, t.value) for t in EmployeeType]
    )
    unit_id = SelectField(_l("Unit kerja"), coerce=int)
    position = StringField(_l("Jabatan"), validators=[Optional(), Length(max=200)])
    rank = StringField(_l("Pangkat/golongan"), validators=[Optional(), Length(max=100)])
    roles = CheckboxListField(
        _l("Peran"), choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()]
    )
    scope_unit_ids = CheckboxListField(
        _l("Lingkup unit (koordinator/evaluator, termasuk sub-unit)"), coerce=int
    )
    password = PasswordField(
        _l("Kata sandi awal (kosongkan saat mengubah)"), validators=[Optional(), Length(max=200)]
    )


class UnitForm(Form):
    code = StringField(
        _l("Kode unit"),
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Huruf kecil, angka dan tanda hubung.")),
        ],
    )
    name = StringField(_l("Nama"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Jenis"), choices=[SelectChoice(k.value, label) for k, label in UNIT_KIND_LABELS.items()]
    )
    parent_id = SelectField(_l("Induk"), coerce=int)
    timezone = SelectField(
        _l("Zona waktu"),
        choices=[
            SelectChoice("", _l("Ikuti induk")),
            SelectChoice("Asia/Jakarta", "WIB (Asia/Jakarta)"),
            SelectChoice("Asia/Pontianak", "WIB (Asia/Pontianak)"),
            SelectChoice("Asia/Makassar", "WITA (Asia/Makassar)"),
            SelectChoice("Asia/Jayapura", "WIT (Asia/Jayapura)"),
        ],
    )
    siasn_unor_id = StringField(_l("ID UNOR SIASN"), validators=[Optional(), Length(max=64)])


class ImportForm(Form):
    file = FileField(
        _l("Berkas CSV"),
        validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("Hanya berkas CSV."))],
    )


class ConfirmForm(Form):
    """An empty form: a POST button that carries the CSRF token."""
