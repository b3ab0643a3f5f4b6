"""Forms of the SIASN pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from elearn.forms import Form
from elearn.models import CodeList
from elearn.records.routes import COMPETENCIES, ROUTES
from elearn.siasn.mapping import DEFAULT_KEY

LIST_LABELS = {
    CodeList.INSTANSI: _l("Instansi (instansiId)"),
    CodeList.LOKASI: _l("Lokasi (lokasiId)"),
    CodeList.JENIS_KURSUS: _l("Jenis kursus (jenisKursus)"),
    CodeList.JENIS_DIKLAT: _l("Jenis diklat (jenisDiklatId)"),
    CodeList.LATIHAN_STRUKTURAL: _l("Latihan struktural (latihanStrukturalId)"),
}


def key_choices() -> list[SelectChoice]:
    return [
        SelectChoice(DEFAULT_KEY, _l("Semua (bawaan)")),
        *(SelectChoice(value, label) for value, label in COMPETENCIES),
        *(SelectChoice(value, _l(label)) for value, label, _, _ in ROUTES),
    ]


class CodeForm(Form):
    list_name = SelectField(
        _l("Daftar"), choices=[SelectChoice(k.value, v) for k, v in LIST_LABELS.items()]
    )
    key = SelectField(_l("Berlaku untuk"), choices=key_choices)
    code = StringField(_l("Kode SIASN"), validators=[DataRequired(), Length(max=64)])
    label = StringField(_l("Nama"), validators=[Length(max=200)])


class PushForm(Form):
    """A POST button carrying the CSRF token (push, delete)."""

    retry = BooleanField(_l("Kirim ulang yang ditolak"))
