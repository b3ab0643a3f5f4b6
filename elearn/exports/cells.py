"""Making exported cells safe to open in a spreadsheet."""

from __future__ import annotations

# A cell starting with one of these is read as a formula by Excel, LibreOffice
# and Google Sheets (CSV injection); a leading apostrophe makes it plain text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """Return ``value`` as text that no spreadsheet will evaluate."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text
