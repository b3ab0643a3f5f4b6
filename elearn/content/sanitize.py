"""The one HTML sanitiser: every piece of author HTML passes here before it is stored.

One allowlist (tags, attributes, class tokens, URL schemes) and one function,
``sanitize_html``. Markdown output, raw HTML embedded in Markdown, GIFT/Moodle
text: all of it ends up here, so a hole can only be fixed in one place.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any, cast
from urllib.parse import unquote

import bleach
from bleach import html5lib_shim
from bleach.html5lib_shim import BleachHTMLParser, Filter  # type: ignore[attr-defined]
from pygments.token import STANDARD_TYPES

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "sub", "sup", "small",
        "abbr", "code", "pre", "kbd", "blockquote",
        "ul", "ol", "li", "dl", "dt", "dd",
        "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
        "a", "img", "div", "span", "figure", "figcaption", "details", "summary",
    }
)  # fmt: skip

# Elements removed together with everything inside them. Stripping only the tag
# would leave script source, CSS or SVG text visible on the page.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "noscript", "iframe", "frame", "frameset",
        "object", "embed", "applet", "svg", "math", "textarea", "title", "xmp",
        "noembed", "noframes", "plaintext", "head", "select", "audio", "video",
    }
)  # fmt: skip

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CELL_ATTRIBUTES = frozenset({"colspan", "rowspan", "align", "class"})
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    **{tag: frozenset({"id"}) for tag in _HEADINGS},
    "a": frozenset({"href", "title", "class"}),
    "img": frozenset({"src", "alt", "title", "width", "height", "loading", "decoding"}),
    "td": _CELL_ATTRIBUTES,
    "th": _CELL_ATTRIBUTES,
    "ol": frozenset({"start"}),
    "abbr": frozenset({"title"}),
    "sup": frozenset({"id"}),  # footnote references
    "li": frozenset({"id"}),  # footnote bodies
    "div": frozenset({"class"}),
    "p": frozenset({"class"}),  # admonition titles
    "span": frozenset({"class"}),
    "table": frozenset({"class"}),
}

_ADMONITION_TYPES = frozenset(
    {
        "note", "abstract", "summary", "info", "todo", "tip", "hint", "important",
        "success", "question", "warning", "caution", "attention", "failure", "danger",
        "error", "bug", "example", "quote", "seealso",
    }
)  # fmt: skip
# Exactly the class tokens our Markdown dialect emits (admonition, footnotes,
# toc, Pygments highlighting; see elearn.content.dialect); anything else could borrow the
# application's own CSS to fake interface elements.
ALLOWED_CLASSES = (
    frozenset({"admonition", "admonition-title", "footnote", "footnote-ref", "footnote-backref"})
    | frozenset({"toc", "highlight", "highlighttable", "linenos", "linenodiv", "normal"})
    | frozenset({"code", "hll", "filename"})
    | _ADMONITION_TYPES
    | frozenset(name for name in STANDARD_TYPES.values() if name)
)

ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_ID_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_:.-]{0,127}")
_NUMBER_RE = re.compile(r"[0-9]{1,4}")
# Pixels, as the stored images have; no units or percentages, no room for anything else.
_SIZE_RE = re.compile(r"[1-9][0-9]{0,3}")
_ALIGNMENTS = frozenset({"left", "center", "right", "justify"})
_VALUE_CHECKS: dict[str, Callable[[str], bool]] = {
    "id": lambda value: _ID_RE.fullmatch(value) is not None,
    "class": lambda value: bool(value.split()) and set(value.split()) <= ALLOWED_CLASSES,
    "colspan": lambda value: _NUMBER_RE.fullmatch(value) is not None,
    "rowspan": lambda value: _NUMBER_RE.fullmatch(value) is not None,
    "start": lambda value: re.fullmatch(r"-?[0-9]{1,9}", value) is not None,
    "width": lambda value: _SIZE_RE.fullmatch(value) is not None,
    "height": lambda value: _SIZE_RE.fullmatch(value) is not None,
    "align": lambda value: value.lower() in _ALIGNMENTS,
    "loading": lambda value: value == "lazy",
    "decoding": lambda value: value == "async",
}


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    """Decide one attribute; URL schemes are checked separately by bleach."""
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    check = _VALUE_CHECKS.get(name)
    return check is None or check(value)


_Token = dict[str, Any]
_URL_NOISE_RE = re.compile(r"[\x00-\x20\x7f-\xa0\s`]+")
_SCHEME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_EXTERNAL_SCHEMES = frozenset({"http", "https"})
_NETWORK_PATH_RE = re.compile(r"[/\\]{2}")


def _url_scheme(value: str) -> str | None:
    """Return the scheme a browser would see in ``value`` (lower case), or None if relative."""
    # Decode like a browser before looking, so "&#106;avascript:" and
    # "java\tscript:" are recognised for what they are.
    normalized = _URL_NOISE_RE.sub("", html.unescape(value))
    if _NETWORK_PATH_RE.match(normalized):
        return "https"  # "//host/x" leaves the site; browsers read a backslash as "/"
    match = _SCHEME_RE.match(normalized)
    return match.group(1).lower() if match else None


class _DropContent(Filter):
    """Drop the elements of ``DROPPED_WITH_CONTENT`` and everything inside them."""

    def __iter__(self) -> Iterator[_Token]:
        depth = 0
        for token in super().__iter__():
            kind = token["type"]
            if depth:
                if kind == "StartTag":
                    depth += 1
                elif kind == "EndTag":
                    depth -= 1
                continue
            if kind in ("StartTag", "EmptyTag") and token["name"] in DROPPED_WITH_CONTENT:
                depth = 1 if kind == "StartTag" else 0
                continue
            yield token


ImageSizes = Mapping[str, tuple[int, int]]
"""(width, height) in pixels of each stored image, by its path inside ``assets/``."""

ItemLinks = Mapping[str, str]
"""The page URL of each module and quiz of a course, by every name a link may use for it
(its file name, ``02-rencana.md``, and its name, ``02-rencana``)."""

_IMAGE_SIZE_ATTRIBUTES = ("width", "height", "loading", "decoding")


class _AttributeFilter(Filter):
    """Check URLs once more, mark external links and point ``assets/`` at the course version.

    An image from the course's ``assets/`` gets the size of the stored file (whatever
    the author wrote) and loads lazily, so the page does not jump as images arrive.
    """

    def __init__(
        self,
        source: Any,
        asset_base: str | None = None,
        image_sizes: ImageSizes | None = None,
        item_links: ItemLinks | None = None,
    ) -> None:
        super().__init__(source)
        self.asset_base = asset_base.rstrip("/") if asset_base is not None else None
        self.image_sizes = image_sizes or {}
        self.item_links = item_links or {}

    def __iter__(self) -> Iterator[_Token]:
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token.get("data"):
                token["data"] = self._fix_attributes(token["name"], token["data"])
            yield token

    def _fix_attributes(self, tag: str, attributes: dict[Any, str]) -> dict[Any, str]:
        fixed: dict[Any, str] = {}
        external = False
        size: tuple[int, int] | None = None
        for key, value in attributes.items():
            if key[1] in ("href", "src"):
                scheme = _url_scheme(value)
                if scheme is not None and scheme not in ALLOWED_PROTOCOLS:
                    continue  # bleach should have caught it; never let it through
                external = external or (tag == "a" and scheme in _EXTERNAL_SCHEMES)
                if scheme is None and tag == "a" and self.item_links:
                    value = _rewrite_item_link(value, self.item_links)
                if scheme is None and self.asset_base is not None:
                    value, path = _rewrite_asset(value, self.asset_base)
                    if tag == "img" and key[1] == "src" and path is not None:
                        size = self.image_sizes.get(path)
            # Values keep their entities unresolved; a literal '"' would make the
            # serializer switch to single quotes, where bleach escapes '&' twice.
            fixed[key] = value.replace('"', "&quot;")
        if external:
            fixed[(None, "rel")] = "noopener noreferrer"
        if size is not None:
            for name in _IMAGE_SIZE_ATTRIBUTES:
                fixed.pop((None, name), None)
            fixed[(None, "width")], fixed[(None, "height")] = str(size[0]), str(size[1])
            fixed[(None, "loading")], fixed[(None, "decoding")] = "lazy", "async"
        return fixed


def _rewrite_asset(url: str, asset_base: str) -> tuple[str, str | None]:
    """Map ``assets/x`` or ``./assets/x`` to ``asset_base/x``; leave other URLs alone.

    Return the URL and, when it was rewritten, the file's path inside ``assets/``.
    """
    path = url[2:] if url.startswith("./") else url
    if not path.startswith("assets/"):
        return url, None
    rest = path.removeprefix("assets/")
    # Only rewrite paths that stay inside assets/ ("assets/../x" is left broken).
    file_part = rest.split("?", 1)[0].split("#", 1)[0]
    if file_part and posixpath.normpath(file_part).startswith(".."):
        return url, None
    return f"{asset_base}/{rest}", unquote(html.unescape(file_part))


def _rewrite_item_link(url: str, item_links: ItemLinks) -> str:
    """Map a link to a sibling file (``02-rencana.md#langkah``) to that module's page.

    Authors link modules as GitHub shows them, by file name; on our pages the
    relative URL would resolve against ``/learn/<course>/<name>`` and miss.
    Anything that is not one of the course's own files is left as written.
    """
    target, hash_mark, anchor = url.removeprefix("./").partition("#")
    page = item_links.get(unquote(html.unescape(target)))
    if page is None:
        return url
    return f"{page}{hash_mark}{anchor}"


_EtreeWalker: Any = html5lib_shim.getTreeWalker("etree")  # type: ignore[attr-defined]


class _LinearWalker(_EtreeWalker):
    """html5lib's etree walker, keeping each open element's position on a stack.

    The stock walker finds a parent's position again with ``list.index`` each
    time it climbs out of an element: quadratic in the number of siblings, so a
    5,000-row table took most of a minute to sanitise.
    """

    def __init__(self, tree: Any) -> None:
        super().__init__(tree)
        self._positions: list[int | None] = []

    def getFirstChild(self, node: Any) -> Any:  # noqa: N802 - html5lib's name
        child = super().getFirstChild(node)
        if child is not None and child[3] is None:  # went down into an element
            self._positions.append(node[1] if isinstance(node, tuple) else None)
        return child

    def getNextSibling(self, node: Any) -> Any:  # noqa: N802 - html5lib's name
        sibling = super().getNextSibling(node)
        if sibling is not None and node[3] == "text" and sibling[3] is None:
            self._positions.append(node[1])  # from an element's text to its first child
        return sibling

    def getParentNode(self, node: Any) -> Any:  # noqa: N802 - html5lib's name
        if not isinstance(node, tuple):
            return None
        element, key, parents, flag = node
        if flag == "text":
            return element if not parents else (element, key, parents, None)
        parent = parents.pop()
        position = self._positions.pop()
        return parent if not parents else (parent, position, parents, None)


class _Cleaner(bleach.Cleaner):
    """A bleach Cleaner that parses like a browser and drops dangerous subtrees first.

    Stock bleach removes disallowed tags while tokenizing, which keeps a
    script's source as visible text; parsing without that step and filtering
    the tree lets ``_DropContent`` remove the whole element.
    """

    def __init__(
        self,
        asset_base: str | None,
        image_sizes: ImageSizes | None = None,
        item_links: ItemLinks | None = None,
    ) -> None:
        super().__init__(
            tags=ALLOWED_TAGS,
            attributes=_allow_attribute,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[
                partial(
                    _AttributeFilter,
                    asset_base=asset_base,
                    image_sizes=image_sizes,
                    item_links=item_links,
                )
            ],
        )
        self.parser = BleachHTMLParser(
            tags=None, strip=True, consume_entities=False, namespaceHTMLElements=False
        )
        self.walker = cast(Any, lambda dom: _DropContent(_LinearWalker(dom)))


def sanitize_html(
    html_text: str,
    *,
    asset_base: str | None = None,
    image_sizes: ImageSizes | None = None,
    item_links: ItemLinks | None = None,
) -> str:
    """Return ``html_text`` reduced to the allowlist, with asset URLs under ``asset_base``.

    ``image_sizes`` gives the stored size of the course's images (see ``_AttributeFilter``);
    links to the course's own module and quiz files go to their pages (``item_links``).
    """
    # A new Cleaner per call: bleach's parser keeps state and is not thread-safe.
    # The second pass re-parses the first pass's output the way a browser will
    # (stripping tags can leave e.g. a <p> nested in a <p>), so what we store is
    # a fixed point: sanitising it again changes nothing.
    once = _Cleaner(None).clean(html_text)
    return _Cleaner(asset_base, image_sizes, item_links).clean(once)
