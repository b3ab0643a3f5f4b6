"""Syntax highlighting of code blocks with Pygments, as modules have always been shown.

The text of a block is kept byte for byte (no stripped or added newlines, tabs as written);
only the ``span`` classes of the highlight (``.highlight`` rules in ``app.css``) are added.
"""

from __future__ import annotations

import html
from functools import lru_cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(wrapcode=True)
_OPEN = '<div class="highlight"><pre><span></span><code>'
_CLOSE = "</code></pre></div>\n"


@lru_cache(maxsize=64)
def _lexer(language: str) -> Lexer:
    options = {"stripnl": False, "ensurenl": False}
    try:
        return get_lexer_by_name(language, **options) if language else TextLexer(**options)
    except ClassNotFound:
        return TextLexer(**options)


def highlight_code(code: str, language: str) -> str:
    """Return ``code`` as a highlighted block; unknown or no language gives plain text."""
    lexer = _lexer(language.lower()[:40])
    if isinstance(lexer, TextLexer) or not code:
        return f"{_OPEN}{html.escape(code, quote=False)}{_CLOSE}"
    return highlight(code, lexer, _FORMATTER)
