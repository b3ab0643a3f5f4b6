"""Course-wide checks beyond what parsing needs: images and links, as learners will meet them.

Images and links are found in the source lines (so each problem has its exact
line), then checked against what the renderer makes of the document: an image
or link written inside a code example is not one. External images are errors,
since the page's Content Security Policy blocks them; everything else here is
a warning.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import unquote

from elearn.content.errors import SourceError, warning
from elearn.content.gift_text import hide_escapes, restore_escapes
from elearn.content.images import store_image
from elearn.content.markdown_checks import layout_problems, scan
from elearn.content.render import render_markdown
from elearn.problem_text import Problem

MAX_IMAGE_BYTES = 200 * 1024  # as stored; more is slow on a phone over a weak connection
_IMAGE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})
MARKDOWN_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(\s*<?(?P<url>[^\s)>]+)")
REFERENCE_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\[(?P<ref>[^\]]*)\]")
MARKDOWN_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?(?P<url>[^\s)>]+)")
DEFINITION = re.compile(r"^ {0,3}\[(?P<label>[^\]^][^\]]*)\]:[ \t]*<?(?P<url>[^\s>]+)")
HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
HTML_LINK = re.compile(r"<a\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(
    r"""\b(?P<name>src|alt|href)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s>]+))""",
    re.IGNORECASE,
)
EXTERNAL = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


@dataclass(frozen=True)
class Document:
    """A Markdown document of the course: the overview or a module."""

    path: str  # as shown in messages
    body: str
    first_line: int  # the body's first line in the file


@dataclass(frozen=True)
class QuizSource:
    path: str
    text: str  # the whole file
    gift: bool


@dataclass(frozen=True)
class Reference:
    """An image or link as written in the source."""

    line: int  # 0-based within the text scanned
    url: str
    alt: str | None = None  # images: None when an HTML <img> has no alt attribute


def course_problems(
    documents: list[Document],
    quizzes: list[QuizSource],
    items: dict[str, str],
    assets: dict[str, bytes],
) -> list[SourceError]:
    """Check images, links and Markdown layout of a whole course.

    ``items`` maps every way of naming a module or quiz in a link (its file name,
    its name) to the path of its document; ``assets`` maps paths inside
    ``assets/`` to their bytes.
    """
    pages = {document.path: _Page(document) for document in documents}
    image_size = _ImageSizes(assets)
    problems: list[SourceError] = []
    for page in pages.values():
        document = page.document
        problems.extend(layout_problems(document.body, document.first_line, document.path))
        lines = _prose(document.body)
        images = list(image_references(lines))
        if images:
            shown = page.images()
            images = [image for image in images if _plain(image.url) in shown]
        problems.extend(_image_problems(images, document.path, document.first_line, image_size))
        links = [link for link in _links(lines) if _needs_check(link.url)]
        if links:
            rendered = page.links()
            links = [link for link in links if _plain(link.url) in rendered]
            problems.extend(_link_problems(links, page, pages, items))
    for quiz in quizzes:
        images = list(image_references(_quiz_lines(quiz)))
        problems.extend(_image_problems(images, quiz.path, 1, image_size))
    return sorted(problems)


def _prose(body: str) -> list[str]:
    """The lines of ``body``, with fenced code, comments and code spans blanked out."""
    lines = body.split("\n")
    prose, _ = scan(lines)
    kept = {line.index: line.text for line in prose}
    return [kept.get(index, "") for index in range(len(lines))]


def _quiz_lines(quiz: QuizSource) -> list[str]:
    lines = quiz.text.split("\n")
    if quiz.gift:
        # Comments are not shown; "\:" in a URL is an escaped ':'.
        return [
            "" if line.strip().startswith("//") else restore_escapes(hide_escapes(line))
            for line in lines
        ]
    return _prose(quiz.text)


def _plain(url: str) -> str:
    return unquote(html.unescape(url))


def _attributes(tag: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in ATTRIBUTE.finditer(tag):
        value = match["dq"] if match["dq"] is not None else match["sq"] or match["bare"] or ""
        found.setdefault(match["name"].lower(), html.unescape(value))
    return found


def image_references(lines: list[str]) -> Iterator[Reference]:
    definitions: dict[str, str] = {}
    for line in lines:
        if definition := DEFINITION.match(line):
            definitions.setdefault(_label(definition["label"]), definition["url"])
    for index, line in enumerate(lines):
        for match in MARKDOWN_IMAGE.finditer(line):
            yield Reference(index, match["url"], match["alt"])
        for match in REFERENCE_IMAGE.finditer(line):
            url = definitions.get(_label(match["ref"] or match["alt"]))
            if url is not None:
                yield Reference(index, url, match["alt"])
        for match in HTML_IMAGE.finditer(line):
            attributes = _attributes(match.group(0))
            if attributes.get("src"):
                yield Reference(index, attributes["src"], attributes.get("alt"))


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()


def _links(lines: list[str]) -> Iterator[Reference]:
    for index, line in enumerate(lines):
        for match in MARKDOWN_LINK.finditer(line):
            yield Reference(index, match["url"])
        if definition := DEFINITION.match(line):
            yield Reference(index, definition["url"])
        for match in HTML_LINK.finditer(line):
            if href := _attributes(match.group(0)).get("href"):
                yield Reference(index, href)


class _ImageSizes:
    """The stored size of each large image, re-encoded once when first asked."""

    def __init__(self, assets: dict[str, bytes]) -> None:
        self.assets = assets
        self.sizes: dict[str, int] = {}

    def stored(self, name: str) -> int | None:
        data = self.assets.get(name)
        suffix = PurePosixPath(name).suffix.lower()
        if data is None or suffix not in _IMAGE_TYPES:
            return None
        if len(data) <= MAX_IMAGE_BYTES:
            return len(data)  # re-encoding never makes a file larger
        if name not in self.sizes:
            self.sizes[name] = len(store_image(suffix, data).data)
        return self.sizes[name]


def _image_problems(
    images: list[Reference], path: str, first_line: int, sizes: _ImageSizes
) -> Iterator[SourceError]:
    for image in images:
        line = first_line + image.line
        if EXTERNAL.match(image.url):
            yield SourceError(
                path,
                line,
                Problem(
                    "gambar dari luar kursus (%(url)s) diblokir oleh kebijakan keamanan halaman "
                    "(CSP) dan tidak akan tampil; simpan gambarnya di assets/ lalu tulis "
                    "assets/nama-berkas",
                    url=image.url[:80],
                ),
            )
            continue
        if image.alt is None or not image.alt.strip():
            yield warning(
                path,
                line,
                Problem(
                    "gambar tanpa teks alternatif; tulis keterangan singkat di antara [ ] "
                    '(atau alt="...") untuk pembaca layar dan saat gambar gagal dimuat'
                ),
            )
        name = _asset_name(image.url)
        stored = sizes.stored(name) if name is not None else None
        if stored is not None and stored > MAX_IMAGE_BYTES:
            yield warning(
                path,
                line,
                Problem(
                    "gambar '%(name)s' berukuran %(kb)d KB setelah dioptimalkan (anjuran paling "
                    "besar %(limit)d KB); perkecil ukuran atau kompres gambarnya",
                    name=name,
                    kb=round(stored / 1024),
                    limit=MAX_IMAGE_BYTES // 1024,
                ),
            )


def _asset_name(url: str) -> str | None:
    path = url.removeprefix("./")
    if not path.startswith("assets/"):
        return None
    return unquote(path.removeprefix("assets/").split("#", 1)[0].split("?", 1)[0])


def _needs_check(url: str) -> bool:
    """Tell whether ``url`` points inside the course: an anchor, a module or a quiz."""
    if url.startswith("#"):
        return len(url) > 1
    path = url.removeprefix("./")
    if SCHEME.match(url) or url.startswith("/") or path.startswith("assets/"):
        return False
    target = path.split("#", 1)[0].split("?", 1)[0]
    return bool(target) and "/" not in target


def _link_problems(
    links: list[Reference], page: _Page, pages: dict[str, _Page], items: dict[str, str]
) -> Iterator[SourceError]:
    document = page.document
    for link in links:
        line = document.first_line + link.line
        target, _, anchor = link.url.removeprefix("./").partition("#")
        target = unquote(target.split("?", 1)[0])
        anchor = unquote(anchor)
        if not target:
            if anchor not in page.anchors():
                yield warning(
                    document.path,
                    line,
                    Problem(
                        "tautan '#%(anchor)s' tidak menuju judul mana pun di halaman ini",
                        anchor=anchor,
                    ),
                )
            continue
        if target not in items:
            yield warning(
                document.path,
                line,
                Problem(
                    "tautan ke '%(target)s': tidak ada modul atau kuis dengan nama itu di kursus "
                    "ini (tautan ke situs lain ditulis lengkap dengan https://)",
                    target=target,
                ),
            )
            continue
        other = pages.get(items[target])
        if anchor and other is not None and anchor not in other.anchors():
            yield warning(
                document.path,
                line,
                Problem(
                    "tautan ke '%(target)s#%(anchor)s': tidak ada judul dengan jangkar itu di "
                    "modul tersebut",
                    target=target,
                    anchor=anchor,
                ),
            )


class _Page:
    """A document and, rendered when first needed, its images, links and anchors."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self._found: _Collector | None = None

    def _collect(self) -> _Collector:
        if self._found is None:
            self._found = _Collector()
            self._found.feed(render_markdown(self.document.body).html)
            self._found.close()
        return self._found

    def images(self) -> set[str]:
        return self._collect().images

    def links(self) -> set[str]:
        return self._collect().links

    def anchors(self) -> set[str]:
        return self._collect().anchors


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: set[str] = set()
        self.links: set[str] = set()
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if tag == "img" and "src" in values:
            self.images.add(_plain(values["src"]))
        if tag == "a" and "href" in values:
            self.links.add(_plain(values["href"]))
        if "id" in values:
            self.anchors.add(values["id"])
