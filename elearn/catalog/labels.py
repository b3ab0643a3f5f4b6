"""How the catalog names course categories and competency types to people.

Course front matter stores both as slugs (``category: manajemen-proyek``); pages show these
labels in the active language instead.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from elearn.i18n import N_, translate

# The labels' Indonesian texts by slug. The template filters translate them through the
# request's catalogue: a lazy label finds the domain, the locale and the catalogue again
# each time it is shown (~7 µs, a dozen times on a catalog page). Forms, built at import,
# take the lazy labels.
CATEGORY_TEXTS = {
    "administrasi-digital": N_("Administrasi digital"),
    "kepemimpinan": N_("Kepemimpinan"),
    "manajemen-proyek": N_("Manajemen proyek"),
}
COMPETENCY_TEXTS = {
    "teknis": N_("Teknis"),
    "manajerial": N_("Manajerial"),
    "sosial-kultural": N_("Sosial kultural"),
}
CATEGORY_LABELS = {slug: _l(text) for slug, text in CATEGORY_TEXTS.items()}
COMPETENCY_LABELS = {value: _l(text) for value, text in COMPETENCY_TEXTS.items()}


def category_label(slug: str) -> str:
    """The category's label; a category without one reads as its slug in words."""
    text = CATEGORY_TEXTS.get(slug)
    return translate(text) if text is not None else slug.replace("-", " ").capitalize()


def competency_label(value: str) -> str:
    """The competency type's label, or the stored value when it has none."""
    text = COMPETENCY_TEXTS.get(value)
    return translate(text) if text is not None else value
