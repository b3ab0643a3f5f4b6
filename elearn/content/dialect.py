"""Our Markdown dialect: CommonMark + GitHub's extensions + our extras, on markdown-it-py.

Authors preview their text on GitHub or in an editor that follows CommonMark, so block
structure (lists, continuation indents, fences in list items, lazy lines) is CommonMark's. On
top: the GFM extensions (tables, strikethrough, autolinks, task lists) and what modules had
before (footnotes, ``!!!`` admonitions, heading anchors, ``[TOC]``, Pygments highlighting).

The HTML made here is **not safe**: only ``elearn.content.render`` calls ``markdown_html``, and
it passes the result through ``sanitize_html``.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.footnote import footnote_plugin

from elearn.content.highlight import highlight_code

TOC_LEVELS = (2, 3)


@dataclass(frozen=True)
class TocEntry:
    """A heading listed in a document's table of contents; ``title`` is plain text."""

    level: int
    anchor: str
    title: str


@dataclass(frozen=True)
class MarkdownHtml:
    """Unsanitised HTML of a document and its level 2–3 table of contents."""

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
# Python-Markdown's reading of the line after "!!!": type words, then an optional quoted title.
_ADMONITION_RE = re.compile(r'\s*([\w\-]+(?: +[\w\-]+)*)(?: +"(.*?)")? *')
_TASK_RE = re.compile(r"\[([ xX])\][ \t]")
_TOC_MARKER = "[TOC]"
_GFM_AUTOLINK_RE = re.compile(r"(?:www\.|https?://)", re.IGNORECASE)
_FOOTNOTE_LABEL_RE = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)


def _fix_admonitions(state: StateCore) -> None:
    """Give every admonition a known type and an Indonesian default title.

    Unknown types become ``note``: the sanitiser would otherwise drop the whole class
    attribute and the box would lose its styling.
    """
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "admonition_open":
            continue
        match = _ADMONITION_RE.fullmatch(token.info)
        written = match.group(1).split()[0].lower() if match else "note"
        kind = ADMONITION_ALIASES.get(written, written)
        if kind not in ADMONITION_TITLES:
            kind = "note"
        token.attrs = {"class": f"admonition {kind}"}
        title = match.group(2) if match and match.group(2) is not None else ADMONITION_TITLES[kind]
        if tokens[index + 1].type == "admonition_title_open":
            tokens[index + 2].content = title


def _plain_text(children: Sequence[Token] | None) -> str:
    """Return the text a reader sees in inline tokens (markup and raw HTML tags left out)."""
    parts: list[str] = []
    for child in children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_plain_text(child.children))
    return "".join(parts)


def _first_block(tokens: list[Token]) -> int | None:
    """Index of the document's first block, skipping HTML comments; None if there is none."""
    for index, token in enumerate(tokens):
        if token.level != 0:
            continue
        if token.type == "html_block" and not _COMMENT_RE.sub("", token.content).strip():
            continue
        return index
    return None


def _same_title(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _drop_title(state: StateCore) -> None:
    """Leave out a first ``# heading`` that repeats the title the page already shows."""
    title = state.env.get("elearn_title")
    index = _first_block(state.tokens)
    if title is None or index is None:
        return
    opening = state.tokens[index]
    if opening.type == "heading_open" and opening.tag == "h1":
        if _same_title(_plain_text(state.tokens[index + 1].children), title):
            del state.tokens[index : index + 3]


def _unique(anchor: str, used: set[str]) -> str:
    """Make ``anchor`` unique the way Python-Markdown did: "x", "x_1", "x_2", …"""
    while anchor in used:
        match = re.fullmatch(r"(.*)_([0-9]+)", anchor)
        anchor = f"{match.group(1)}_{int(match.group(2)) + 1}" if match else f"{anchor}_1"
    used.add(anchor)
    return anchor


def _heading_anchors(state: StateCore) -> None:
    """Give every heading a unique ASCII ``id``; collect the table of contents."""
    used: set[str] = set()
    headings: list[TocEntry] = []
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        title = _plain_text(state.tokens[index + 1].children)
        anchor = _unique(slugify(title), used)
        token.attrSet("id", anchor)
        headings.append(TocEntry(int(token.tag[1]), anchor, title))
    state.env["elearn_headings"] = headings
    _insert_toc(state, headings)


def _insert_toc(state: StateCore, headings: list[TocEntry]) -> None:
    """Replace a paragraph holding only ``[TOC]`` with a list of the document's headings."""
    tokens = state.tokens
    for index in range(len(tokens) - 2, 0, -1):
        token = tokens[index]
        if token.type == "inline" and token.content.strip() == _TOC_MARKER:
            if tokens[index - 1].type == "paragraph_open":
                block = Token("html_block", "", 0)
                block.content = _toc_html(headings)
                tokens[index - 1 : index + 2] = [block]


def _toc_html(headings: list[TocEntry]) -> str:
    parts = ['<div class="toc">']
    levels: list[int] = []
    for entry in headings:
        while levels and levels[-1] > entry.level:
            parts.append("</li></ul>")
            levels.pop()
        if levels and levels[-1] == entry.level:
            parts.append("</li>")
        else:
            parts.append("<ul>")
            levels.append(entry.level)
        parts.append(f'<li><a href="#{entry.anchor}">{html.escape(entry.title)}</a>')
    parts.append("</li></ul>" * len(levels))
    return "".join(parts) + "</div>\n"


def _task_items(state: StateCore) -> None:
    """Show GFM task list items (``- [ ]``, ``- [x]``) with a ballot box.

    GitHub draws a disabled checkbox; form elements do not pass the sanitiser, so the
    state is shown as ☐ or ☑ in the text.
    """
    tokens = state.tokens
    for index in range(2, len(tokens)):
        token = tokens[index]
        if not (
            token.type == "inline"
            and tokens[index - 1].type == "paragraph_open"
            and tokens[index - 2].type == "list_item_open"
            and token.children
            and token.children[0].type == "text"
        ):
            continue
        first = token.children[0]
        if match := _TASK_RE.match(first.content):
            box = "☐" if match.group(1) == " " else "☑"
            first.content = f"{box} {first.content[match.end() :]}"


def _gfm_autolinks(state: StateCore) -> None:
    """Keep only the bare links GitHub makes: ``www.…``, ``http(s)://…`` and e-mail addresses.

    linkify-it also links bare domains ("GitHub.com"), which GitHub shows as text; without
    those fuzzy links it would drop ``www.`` ones too, so they are undone here instead.
    """
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        children = token.children
        index = 0
        while index < len(children) - 2:
            opening = children[index]
            if opening.type == "link_open" and opening.markup == "linkify":
                text = children[index + 1].content
                href = str(opening.attrs.get("href", ""))
                if not (_GFM_AUTOLINK_RE.match(text) or href.startswith("mailto:")):
                    children[index : index + 3] = [children[index + 1]]
            index += 1


def _table_alignment(state: StateCore) -> None:
    """Write column alignment as ``align``: the sanitiser allows no ``style``."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and token.attrs.get("style"):
            align = str(token.attrs.pop("style")).removeprefix("text-align:")
            token.attrSet("align", align)


def _code(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    info = unescapeAll(token.info).strip()
    return highlight_code(token.content, info.split(maxsplit=1)[0] if info else "")


def _text(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    # Quotes need no escaping outside attributes; "&quot;" for every '"' only adds weight.
    return html.escape(tokens[idx].content, quote=False)


def _code_inline(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f"<code>{html.escape(tokens[idx].content, quote=False)}</code>"


def _footnote_id(meta: dict[str, Any]) -> str:
    label = meta.get("label")
    return label if label and _FOOTNOTE_LABEL_RE.fullmatch(label) else str(meta["id"] + 1)


def _reference_id(meta: dict[str, Any], sub_id: int) -> str:
    # Python-Markdown's ids, which stored pages link to: fnref:x, then fnref2:x, fnref3:x, …
    return f"fnref{sub_id + 1 if sub_id else ''}:{_footnote_id(meta)}"


def _footnote_ref(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    meta = tokens[idx].meta
    return (
        f'<sup id="{_reference_id(meta, meta.get("subId", 0))}"><a class="footnote-ref" '
        f'href="#fn:{_footnote_id(meta)}">{meta["id"] + 1}</a></sup>'
    )


def _footnote_open(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<li id="fn:{_footnote_id(tokens[idx].meta)}">\n'


def _footnote_anchor(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    meta = tokens[idx].meta
    title = f"Kembali ke catatan kaki {meta['id'] + 1} di teks"
    return (
        f'&#160;<a class="footnote-backref" href="#{_reference_id(meta, meta["subId"])}" '
        f'title="{title}">&#8617;</a>'
    )


_FOOTNOTE_RULES = {
    "footnote_ref": _footnote_ref,
    "footnote_block_open": lambda *_: '<div class="footnote">\n<hr>\n<ol>\n',
    "footnote_block_close": lambda *_: "</ol>\n</div>\n",
    "footnote_open": _footnote_open,
    "footnote_close": lambda *_: "</li>\n",
    "footnote_anchor": _footnote_anchor,
}


class _Parser(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # noqa: N802 - markdown-it's name
        """Accept every URL: the sanitiser is the one place that judges them.

        markdown-it would otherwise show ``[a](javascript:…)`` as literal text.
        """
        return True


def _new_parser() -> MarkdownIt:
    md = _Parser("commonmark", {"html": True, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.use(footnote_plugin, inline=False).use(admon_plugin)
    md.core.ruler.after("block", "elearn_admonitions", _fix_admonitions)
    md.core.ruler.after("linkify", "elearn_autolinks", _gfm_autolinks)
    md.core.ruler.after("inline", "elearn_title", _drop_title)
    md.core.ruler.after("elearn_title", "elearn_anchors", _heading_anchors)
    md.core.ruler.push("elearn_tasks", _task_items)
    md.core.ruler.push("elearn_tables", _table_alignment)
    md.add_render_rule("text", _text)
    md.add_render_rule("code_inline", _code_inline)
    md.add_render_rule("fence", _code)
    md.add_render_rule("code_block", _code)
    for name, rule in _FOOTNOTE_RULES.items():
        md.add_render_rule(name, rule)
    return md


_local = threading.local()


def _parser() -> MarkdownIt:
    # One parser per thread: the autolink matcher (linkify-it) keeps state between calls.
    parser: MarkdownIt | None = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = _new_parser()
    return parser


def markdown_html(source: str, *, title: str | None = None) -> MarkdownHtml:
    """Render Markdown to **unsanitised** HTML; only ``render.py`` may call this.

    With ``title``, a first ``# heading`` with the same text is left out: the page shows
    the title already.
    """
    env: dict[str, Any] = {"elearn_title": title}
    body = _parser().render(source, env)
    headings = env.get("elearn_headings", [])
    toc = tuple(entry for entry in headings if entry.level in TOC_LEVELS)
    return MarkdownHtml(body, toc)


def document_title(source: str) -> str | None:
    """Return the text of the ``# heading`` a document starts with, or None."""
    tokens = _parser().parse(source, {})
    index = _first_block(tokens)
    if index is None or tokens[index].type != "heading_open" or tokens[index].tag != "h1":
        return None
    return _plain_text(tokens[index + 1].children).strip() or None
