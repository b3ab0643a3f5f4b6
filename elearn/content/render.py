"""Turn author text (Markdown, HTML, plain, Moodle) into sanitised HTML.

This is the only place in the project that renders Markdown. Every path ends
in ``sanitize_html``, which lives in ``elearn.content.sanitize`` and is
re-exported here.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import markdown
from markdown.treeprocessors import Treeprocessor

from elearn.content.quiz import Text, TextFormat
from elearn.content.sanitize import ImageSizes, sanitize_html

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

__all__ = [
    "RenderedDoc",
    "TocEntry",
    "asset_references",
    "render_markdown",
    "render_text",
    "sanitize_html",
]

TOC_LEVELS = (2, 3)


@dataclass(frozen=True)
class TocEntry:
    """A heading listed in a document's table of contents; ``title`` is plain text."""

    level: int
    anchor: str
    title: str


@dataclass(frozen=True)
class RenderedDoc:
    html: str
    toc: tuple[TocEntry, ...]


def slugify(value: str, separator: str = "-") -> str:
    """Return an ASCII anchor for a heading ("Peran & Tugas ASN" → "peran-tugas-asn")."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", separator, ascii_text.lower()).strip(separator)
    # Headings made only of emoji or symbols still need an anchor.
    return slug or "bagian"


# Indonesian names authors are likely to type, mapped to the types the CSS knows.
ADMONITION_ALIASES = {
    "catatan": "note",
    "tips": "tip",
    "petunjuk": "hint",
    "penting": "important",
    "peringatan": "warning",
    "perhatian": "attention",
    "hati-hati": "caution",
    "bahaya": "danger",
    "contoh": "example",
    "kutipan": "quote",
    "ringkasan": "summary",
    "pertanyaan": "question",
    "sukses": "success",
    "berhasil": "success",
    "gagal": "failure",
    "kesalahan": "error",
}
ADMONITION_TITLES = {
    "note": "Catatan",
    "abstract": "Abstrak",
    "summary": "Ringkasan",
    "info": "Info",
    "todo": "Tugas",
    "tip": "Tips",
    "hint": "Petunjuk",
    "important": "Penting",
    "success": "Berhasil",
    "question": "Pertanyaan",
    "warning": "Peringatan",
    "caution": "Hati-hati",
    "attention": "Perhatian",
    "failure": "Gagal",
    "danger": "Bahaya",
    "error": "Kesalahan",
    "bug": "Bug",
    "example": "Contoh",
    "quote": "Kutipan",
    "seealso": "Lihat juga",
}


class _AdmonitionTypes(Treeprocessor):
    """Give every admonition a known type and an Indonesian default title.

    Unknown types become ``note``: the sanitiser would otherwise drop the
    whole class attribute and the box would lose its styling.
    """

    def run(self, root: Element) -> None:
        for div in root.iter("div"):
            classes = div.get("class", "").split()
            if not classes or classes[0] != "admonition":
                continue
            written = classes[1] if len(classes) > 1 else "note"
            kind = ADMONITION_ALIASES.get(written, written)
            if kind not in ADMONITION_TITLES:
                kind = "note"
            div.set("class", f"admonition {kind}")
            title = div.find("p")
            # Python-Markdown's default title is the type capitalised, in English.
            if title is not None and title.get("class") == "admonition-title":
                if title.text == written.capitalize() and len(title) == 0:
                    title.text = ADMONITION_TITLES[kind]


class _AdmonitionTypesExtension(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_AdmonitionTypes(md), "elearn_admonition_types", 5)


def _new_markdown() -> markdown.Markdown:
    # A fresh instance per document: Markdown objects keep per-document state
    # (footnotes, heading ids) and are not thread-safe.
    return markdown.Markdown(
        extensions=[
            "tables",
            "pymdownx.superfences",
            "footnotes",
            "admonition",
            "toc",
            "sane_lists",
            _AdmonitionTypesExtension(),
        ],
        extension_configs={
            # align="..." instead of style="text-align: ...": the sanitiser allows no style.
            "tables": {"use_align_attribute": True},
            "toc": {"slugify": slugify},
            "footnotes": {"BACKLINK_TITLE": "Kembali ke catatan kaki %d di teks"},
            "pymdownx.highlight": {"use_pygments": True, "guess_lang": False},
        },
        output_format="html",
    )


def _toc_entries(tokens: Iterable[dict[str, Any]]) -> Iterable[TocEntry]:
    for token in tokens:
        if token["level"] in TOC_LEVELS:
            yield TocEntry(token["level"], token["id"], html.unescape(token["name"]))
        yield from _toc_entries(token["children"])


def render_markdown(
    source: str, *, asset_base: str | None = None, image_sizes: ImageSizes | None = None
) -> RenderedDoc:
    """Render Markdown to sanitised HTML plus its level 2–3 table of contents."""
    md = _new_markdown()
    body = md.convert(source)
    toc = tuple(_toc_entries(getattr(md, "toc_tokens", [])))
    html_text = sanitize_html(body, asset_base=asset_base, image_sizes=image_sizes)
    return RenderedDoc(html_text, toc)


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
