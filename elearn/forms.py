"""The base of every form: WTForms' own messages in the page's language.

WTForms ships no Indonesian catalogue and Flask-WTF only looks in WTForms' own folder,
so "This field is required." stayed English in the Indonesian UI. Our forms subclass
``Form``, whose translations come from ``translations/<locale>/LC_MESSAGES/wtforms.mo``
(English needs none: WTForms' message ids are English).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from flask_babel import get_locale
from flask_wtf import FlaskForm

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DOMAIN = "wtforms"


@functools.cache
def _catalogue(locale: str) -> NullTranslations:
    # Read once per process and locale; a missing .mo gives WTForms' English.
    return Translations.load(str(TRANSLATIONS_DIR), [locale], domain=DOMAIN)


class _ActiveLanguage:
    """WTForms' translations interface, answering in the request's language."""

    def gettext(self, string: str) -> str:
        return _catalogue(str(get_locale() or "id")).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _catalogue(str(get_locale() or "id")).ungettext(singular, plural, n)


ACTIVE_LANGUAGE = _ActiveLanguage()


class Form(FlaskForm):
    """A Flask-WTF form whose validator messages follow the active language."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> _ActiveLanguage:
            return ACTIVE_LANGUAGE
