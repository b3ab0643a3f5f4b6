"""Every message the code marks for translation has an English text in the catalogue.

A page switched to English must not fall back to Indonesian for a message a change forgot to
translate (the assignment pages did, until this test).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "elearn/translations/en/LC_MESSAGES/messages.po"
METHODS = [("elearn/**.py", "python"), ("elearn/templates/**.html", "jinja2")]
# The project's own marker names: lazy_gettext is imported as _l, and a Problem
# (elearn/problem_text.py) is a message shared by the CLI and the web UI.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "Problem": None}


def marked_messages() -> dict[str, str]:
    """msgid → where it was first marked."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def test_every_marked_message_has_an_english_translation():
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    untranslated = []
    for msgid, where in marked_messages().items():
        entry = catalogue.get(msgid)
        strings = entry.string if entry is not None else ""
        filled = all(strings) if isinstance(strings, tuple) else bool(strings)
        if not filled or (entry is not None and entry.fuzzy):
            untranslated.append(f"{where}: {msgid!r}")
    assert not untranslated, "\n".join(untranslated)


def test_the_extraction_finds_the_markers_this_test_relies_on():
    # Guards the test above against passing on an extraction that silently found nothing.
    found = marked_messages()
    assert "Penugasan" in found  # _() in a template
    assert "prasyarat melingkar" in found  # Problem() in Python
    assert len(found) > 500
