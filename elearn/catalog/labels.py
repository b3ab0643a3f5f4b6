"""How the catalog names course categories and competency types to people.

Course front matter stores both as slugs (``category: manajemen-proyek``); pages show these
labels in the active language instead.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "administrasi-digital": _l("Administrasi digital"),
    "kepemimpinan": _l("Kepemimpinan"),
    "manajemen-proyek": _l("Manajemen proyek"),
}
COMPETENCY_LABELS = {
    "teknis": _l("Teknis"),
    "manajerial": _l("Manajerial"),
    "sosial-kultural": _l("Sosial kultural"),
}


def category_label(slug: str) -> str:
    """The category's label; a category without one reads as its slug in words."""
    label = CATEGORY_LABELS.get(slug)
    return str(label) if label is not None else slug.replace("-", " ").capitalize()


def competency_label(value: str) -> str:
    """The competency type's label, or the stored value when it has none."""
    label = COMPETENCY_LABELS.get(value)
    return str(label) if label is not None else value
