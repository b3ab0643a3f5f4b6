"""How competency kinds and levels are named to people (the one list of them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from elearn.catalog.labels import COMPETENCY_LABELS
from elearn.models import CompetencyKind

# The catalog's labels for a course's ``competency:`` are the same kinds.
KIND_LABELS = {kind: COMPETENCY_LABELS[kind.value] for kind in CompetencyKind}
LEVEL_CHOICES = [SelectChoice(n, _l("Level %(n)d", n=n)) for n in range(1, 6)]
