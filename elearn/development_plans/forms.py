"""Forms of the development plan: one activity, the supervisor's decision, a button."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from elearn.development_plans.labels import KIND_LABELS
from elearn.forms import Form
from elearn.models import ActivityKind
from elearn.records.routes import PLATFORM_ROUTE, ROUTES

KIND_CHOICES = [
    # The form says where a course comes from; the pages call it a course.
    SelectChoice(kind, _l("Kursus di katalog") if kind == ActivityKind.COURSE else _l(label))
    for kind, label in KIND_LABELS.items()
]


class ActivityForm(Form):
    """A planned activity; the course and competency lists are filled by the view."""

    kind = SelectField(_l("Jenis kegiatan"), choices=KIND_CHOICES)
    competency_code = SelectField(_l("Kompetensi yang dikembangkan"), choices=[])
    target_level = IntegerField(
        _l("Level yang dituju"), validators=[Optional(), NumberRange(min=1, max=5)]
    )
    course = SelectField(_l("Kursus (untuk jenis kursus)"), choices=[])
    program_slug = StringField(
        _l("Kode program (untuk jenis program)"), validators=[Optional(), Length(max=100)]
    )
    title = StringField(
        _l("Nama kegiatan (kosongkan untuk kursus: judul kursus dipakai)"),
        validators=[Optional(), Length(max=300)],
    )
    route = SelectField(
        _l("Jalur pembelajaran"),
        choices=[
            SelectChoice(
                value, _l(label), optgroup=_l("Klasikal") if classical else _l("Nonklasikal")
            )
            for value, label, classical, _ in ROUTES
        ],
        default=PLATFORM_ROUTE,
    )
    organiser = StringField(_l("Penyelenggara"), validators=[Optional(), Length(max=200)])
    starts_on = DateField(_l("Tanggal mulai"), validators=[Optional()])
    due_on = DateField(_l("Tanggal target selesai"), validators=[DataRequired()])
    jp = IntegerField(
        _l("Jam Pelajaran (JP)"), validators=[Optional(), NumberRange(min=0, max=1000)], default=0
    )
    budget_rupiah = IntegerField(
        _l("Anggaran (rupiah)"),
        validators=[Optional(), NumberRange(min=0, max=10_000_000_000)],
        default=0,
    )
    curriculum_fit = TextAreaField(
        _l("Kesesuaian dengan kurikulum"), validators=[Optional(), Length(max=2000)]
    )


class DecisionForm(Form):
    """The supervisor's answer: approve, or ask for changes saying which."""

    comment = TextAreaField(
        _l("Catatan (wajib jika meminta perubahan)"), validators=[Length(max=4000)]
    )
    approve = SubmitField(_l("Setujui"))
    request_changes = SubmitField(_l("Minta perubahan"))


class NotesForm(Form):
    """The plan's free-text notes, written by the learner or their supervisor."""

    notes = TextAreaField(_l("Catatan rencana"), validators=[Optional(), Length(max=5000)])
    # Set on the supervisor's page: their "year" names no plan of their own.
    plan_id = HiddenField()


class PlanButtonForm(Form):
    """Only the CSRF token: start, submit, reopen, remove."""
