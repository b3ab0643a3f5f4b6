"""A plan's statuses and its activities' kinds in words, defined once for the pages and the form."""

from __future__ import annotations

from flask_babel import gettext

from elearn.i18n import N_
from elearn.models import ActivityKind, PlanStatus

# Indonesian labels kept as data; shown with gettext in the reader's language.
STATUS_LABELS: dict[str, str] = {
    PlanStatus.DRAFT: N_("Rancangan"),
    PlanStatus.SUBMITTED: N_("Menunggu persetujuan atasan"),
    PlanStatus.CHANGES_REQUESTED: N_("Perlu diperbaiki"),
    PlanStatus.APPROVED: N_("Disetujui atasan"),
}
KIND_LABELS: dict[str, str] = {
    ActivityKind.COURSE: N_("Kursus"),
    ActivityKind.EXTERNAL: N_("Pelatihan di luar platform"),
    ActivityKind.MENTORING: N_("Coaching/mentoring"),
    ActivityKind.PROGRAM: N_("Program pembelajaran"),
}


def plan_status_label(value: str) -> str:
    """The plan status's label in the page's language (the stored value if unknown)."""
    label = STATUS_LABELS.get(value)
    return gettext(label) if label is not None else value


def activity_kind_label(value: str) -> str:
    """The activity kind's label in the page's language (the stored value if unknown)."""
    label = KIND_LABELS.get(value)
    return gettext(label) if label is not None else value
