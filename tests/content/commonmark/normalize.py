"""Normalise HTML so that two renderings of the same Markdown compare equal.

Like the normaliser of the CommonMark test suite (``test/normalize.py`` in cmark): whitespace
between block tags and runs of whitespace in text outside ``<pre>`` do not count, attributes
are sorted, entities are resolved and re-escaped one way, ``<br />`` equals ``<br>``.

On top of that it removes what our renderer adds on purpose, so only the document structure
is compared: heading ``id`` anchors, and the Pygments markup of code blocks
(``<div class="highlight"><pre><span></span><code>…spans…</code></pre></div>`` becomes
``<pre><code>text</code></pre>``; the ``language-…`` class of the reference is dropped).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

BLOCK_TAGS = frozenset(
    {
        "article", "blockquote", "body", "dd", "details", "div", "dl", "dt", "figcaption",
        "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "section",
        "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SPACE_RE = re.compile(r"\s+")


class _Normaliser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.in_pre = 0
        self.open_divs: list[bool] = []  # per open <div>: is it a Pygments wrapper?
        self.last_block = True  # the last thing written was a block tag (or nothing)

    def _attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> str:
        kept = []
        for name, value in sorted(attrs):
            if name == "id" and tag in _HEADINGS:
                continue
            if name == "class" and tag == "code":
                continue
            kept.append(name if value is None else f'{name}="{html.escape(value)}"')
        return "".join(f" {item}" for item in kept)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "div":
            highlight = ("class", "highlight") in attrs
            self.open_divs.append(highlight)
            if highlight:
                return
        if tag == "span" and self.in_pre:
            return
        if tag == "pre":
            self.in_pre += 1
        self._strip_space_before(tag)
        self.out.append(f"<{tag}{self._attrs(tag, attrs)}>")
        self.last_block = tag in BLOCK_TAGS

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "img", "input"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.open_divs and self.open_divs.pop():
            return
        if tag == "span" and self.in_pre:
            return
        if tag == "pre":
            self.in_pre -= 1
        self._strip_space_before(tag)
        self.out.append(f"</{tag}>")
        self.last_block = tag in BLOCK_TAGS

    def handle_data(self, data: str) -> None:
        if not self.in_pre:
            data = _SPACE_RE.sub(" ", data)
            if self.last_block:
                data = data.lstrip()
        if data:
            self.out.append(html.escape(data, quote=False))
            self.last_block = False

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")
        self.last_block = False

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def _strip_space_before(self, tag: str) -> None:
        if tag in BLOCK_TAGS and not self.in_pre and self.out and not self.out[-1].startswith("<"):
            self.out[-1] = self.out[-1].rstrip()
            if not self.out[-1]:
                self.out.pop()


def normalize_html(text: str) -> str:
    """Return ``text`` in a canonical form for comparing rendered Markdown."""
    parser = _Normaliser()
    parser.feed(text)
    parser.close()
    return "".join(parser.out).strip()
