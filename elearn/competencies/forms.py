"""Forms of the competency admin pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from elearn.competencies.labels import KIND_LABELS, LEVEL_CHOICES
from elearn.forms import Form
from elearn.models import CompetencyKind


class CompetencyForm(Form):
    """A dictionary entry's name, kind and the five level descriptions (the code stays)."""

    name = StringField(_l("Nama"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Jenis"),
        choices=[SelectChoice(kind.value, KIND_LABELS[kind]) for kind in CompetencyKind],
    )
    level_1 = TextAreaField(_l("Level 1"), validators=[DataRequired(), Length(max=2000)])
    level_2 = TextAreaField(_l("Level 2"), validators=[DataRequired(), Length(max=2000)])
    level_3 = TextAreaField(_l("Level 3"), validators=[DataRequired(), Length(max=2000)])
    level_4 = TextAreaField(_l("Level 4"), validators=[DataRequired(), Length(max=2000)])
    level_5 = TextAreaField(_l("Level 5"), validators=[DataRequired(), Length(max=2000)])

    def level_fields(self) -> list[TextAreaField]:
        return [self.level_1, self.level_2, self.level_3, self.level_4, self.level_5]


class StandardForm(Form):
    """Set the level one jabatan requires of one competency."""

    position = StringField(_l("Jabatan"), validators=[DataRequired(), Length(max=200)])
    competency_id = SelectField(_l("Kompetensi"), coerce=int)
    required_level = SelectField(_l("Level yang dipersyaratkan"), coerce=int, choices=LEVEL_CHOICES)
