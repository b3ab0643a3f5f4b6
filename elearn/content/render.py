"""Turn author text (Markdown, HTML, plain, Moodle) into sanitised HTML.

This is the only module that takes the Markdown renderer's output
(``elearn.content.dialect``, unsafe HTML). Every path ends in ``sanitize_html``,
which lives in ``elearn.content.sanitize`` and is re-exported here.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

from elearn.content.dialect import TocEntry, document_title, markdown_html, slugify
from elearn.content.quiz import Text, TextFormat
from elearn.content.sanitize import ImageSizes, ItemLinks, sanitize_html

__all__ = [
    "RenderedDoc",
    "TocEntry",
    "asset_references",
    "document_title",
    "render_markdown",
    "render_text",
    "sanitize_html",
    "slugify",
]


@dataclass(frozen=True)
class RenderedDoc:
    html: str
    toc: tuple[TocEntry, ...]


def render_markdown(
    source: str,
    *,
    asset_base: str | None = None,
    image_sizes: ImageSizes | None = None,
    item_links: ItemLinks | None = None,
    title: str | None = None,
) -> RenderedDoc:
    """Render Markdown to sanitised HTML plus its level 2–3 table of contents.

    The dialect is CommonMark with GitHub's extensions and ours (``elearn.content.dialect``).
    With ``title`` (a module's), a first ``# heading`` repeating it is left out.
    """
    rendered = markdown_html(source, title=title)
    html_text = sanitize_html(
        rendered.html, asset_base=asset_base, image_sizes=image_sizes, item_links=item_links
    )
    return RenderedDoc(html_text, rendered.toc)


def _unix_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


_BLOCK_TAG_RE = re.compile(
    r"<(p|div|table|ul|ol|dl|h[1-6]|pre|blockquote|hr|figure|details)\b", re.IGNORECASE
)


def _moodle_auto_format(source: str) -> str:
    """Apply Moodle's auto-format: blank lines make paragraphs, single newlines make <br>."""
    paragraphs = re.split(r"\n[ \t]*\n", _unix_newlines(source))
    parts: list[str] = []
    for paragraph in paragraphs:
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        # Like Moodle's text_to_html: a newline next to a tag separates markup,
        # not lines of text, so tables and lists do not fill up with <br>.
        paragraph = re.sub(r"\s*\n\s*(?=<)|(?<=>)\s*\n\s*", " ", paragraph)
        paragraph = paragraph.replace("\n", "<br>\n")
        # A <p> cannot hold block elements; wrapping them would leave empty paragraphs.
        parts.append(paragraph if _BLOCK_TAG_RE.search(paragraph) else f"<p>{paragraph}</p>")
    return "\n".join(parts)


def render_text(
    text: Text, *, asset_base: str | None = None, image_sizes: ImageSizes | None = None
) -> str:
    """Render author text in any of the four formats to sanitised HTML."""
    if text.format is TextFormat.MARKDOWN:
        return render_markdown(text.source, asset_base=asset_base, image_sizes=image_sizes).html
    if text.format is TextFormat.HTML:
        return sanitize_html(text.source, asset_base=asset_base, image_sizes=image_sizes)
    if text.format is TextFormat.PLAIN:
        escaped = html.escape(_unix_newlines(text.source), quote=False)
        return sanitize_html(escaped.replace("\n", "<br>\n"))
    if text.format is TextFormat.MOODLE:
        moodle = _moodle_auto_format(text.source)
        return sanitize_html(moodle, asset_base=asset_base, image_sizes=image_sizes)
    raise ValueError(f"unknown text format: {text.format!r}")


class _UrlCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(value for name, value in attrs if name in ("href", "src") and value)


def _asset_path(url: str) -> str | None:
    """Return the course-relative file path of an ``assets/`` URL, else None."""
    path = url.removeprefix("./")
    if not path.startswith("assets/"):
        return None
    return unquote(path.split("#", 1)[0].split("?", 1)[0])


def asset_references(source: str) -> list[tuple[int, str]]:
    """List (line, path) of every image or link in ``source`` that points into ``assets/``.

    Paths are as written, minus ``./``, query and fragment, percent-decoded;
    the caller checks that each file exists inside the course's assets folder.
    Lines are 1-based within ``source``.
    """
    collector = _UrlCollector()
    collector.feed(render_markdown(source).html)
    collector.close()
    lines = _unix_newlines(source).split("\n")
    seen: dict[str, int] = {}  # url → index of the line after its last match
    found: list[tuple[int, str]] = []
    for url in collector.urls:
        path = _asset_path(url)
        if path is None:
            continue
        start = seen.get(url, 0)
        line = _find_line(lines, url, start) or _find_line(lines, url, 0) or 1
        seen[url] = line
        found.append((line, path))
    return sorted(found)


def _find_line(lines: list[str], url: str, start: int) -> int | None:
    """Return the 1-based number of the first line at or after ``start`` mentioning ``url``."""
    needles = {url, unquote(url), html.escape(url), url.removeprefix("./")}
    for index in range(start, len(lines)):
        if any(needle in lines[index] for needle in needles):
            return index + 1
    return None
