"""Real Indonesian lessons render as GitHub renders them (cmark-gfm is the reference).

The lessons are the web-development lessons in ../shared/testdata/webdev-id (MIT, see its
NOTICE.md). The reference is cmark-gfm, GitHub's own renderer, through the ``cmarkgfm``
bindings, with GitHub's extensions on and raw HTML kept (our sanitiser deals with it).
"""

from __future__ import annotations

import html
import re
from functools import cache

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from elearn.content.dialect import markdown_html
from elearn.content.render import render_markdown
from tests.content.commonmark.normalize import normalize_html
from tests.testdata import SHARED_TESTDATA, require_shared

WEBDEV_LESSONS = SHARED_TESTDATA / "webdev-id" / "translations" / "id"
LESSONS = (
    "1-getting-started-lessons/README.md",
    "1-getting-started-lessons/2-github-basics/README.md",
    "2-js-basics/README.md",
    "2-js-basics/1-data-types/README.md",
    "2-js-basics/2-functions-methods/README.md",
    "2-js-basics/3-making-decisions/README.md",
    "2-js-basics/4-arrays-loops/README.md",
    "3-terrarium/README.md",
    "3-terrarium/solution/README.md",
)
# What cmark-gfm gives for the nine lessons: the figures GitHub shows.
TOTAL_LIST_ITEMS = 160
TOTAL_CODE_BLOCKS = 69

_PRE_RE = re.compile(r"<pre\b[^>]*>(?:<span></span>)?<code\b[^>]*>(.*?)</code></pre>", re.S)
_TAG_RE = re.compile(r"<[^>]+>")


def github_html(source: str) -> str:
    """Render ``source`` the way GitHub does (cmark-gfm with its extensions)."""
    return cmarkgfm.markdown_to_html_with_extensions(
        source,
        options=Options.CMARK_OPT_UNSAFE,
        extensions=["table", "strikethrough", "autolink", "tasklist"],
    )


def code_blocks(page: str) -> list[str]:
    """Return the text of every code block in ``page``, highlighting markup removed."""
    return [html.unescape(_TAG_RE.sub("", body)) for body in _PRE_RE.findall(page)]


@cache
def lesson(name: str) -> str:
    return require_shared(WEBDEV_LESSONS / name).read_text(encoding="utf-8")


def test_the_lesson_list_is_complete() -> None:
    found = {
        str(p.relative_to(require_shared(WEBDEV_LESSONS))) for p in WEBDEV_LESSONS.rglob("*.md")
    }
    assert found == set(LESSONS)


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_has_githubs_block_structure(name: str) -> None:
    source = lesson(name)
    # Heading anchors and Pygments markup aside (see normalize.py), the same HTML as GitHub's.
    assert normalize_html(markdown_html(source).html) == normalize_html(github_html(source))


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_keeps_every_list_item_and_code_block_after_sanitising(name: str) -> None:
    source = lesson(name)
    ours, reference = render_markdown(source).html, github_html(source)
    assert ours.count("<li>") == reference.count("<li>")
    assert code_blocks(ours) == code_blocks(reference)  # byte for byte
    assert "```" not in _TAG_RE.sub("", _PRE_RE.sub("", ours))


def test_lesson_totals_match_github() -> None:
    pages = [(render_markdown(lesson(n)).html, github_html(lesson(n))) for n in LESSONS]
    assert sum(ours.count("<li>") for ours, _ in pages) == TOTAL_LIST_ITEMS
    assert sum(ref.count("<li>") for _, ref in pages) == TOTAL_LIST_ITEMS
    assert sum(len(code_blocks(ours)) for ours, _ in pages) == TOTAL_CODE_BLOCKS


def test_list_right_after_a_bold_line_is_a_list() -> None:
    source = lesson("2-js-basics/1-data-types/README.md")
    assert "**Inilah yang dilakukan kode ini:**\n- **Membuat**" in source
    page = render_markdown(source).html
    assert (
        "<p><strong>Inilah yang dilakukan kode ini:</strong></p>\n<ul>\n"
        "<li><strong>Membuat</strong> konstanta"
    ) in page


def test_escaped_pipes_stay_inside_their_table_cells() -> None:
    page = render_markdown(lesson("2-js-basics/3-making-decisions/README.md")).html
    row = re.search(r"<tr>\s*<td><code>\|\|</code></td>(.*?)</tr>", page, re.S)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1), re.S)
    assert len(cells) == 2
    assert cells[1].startswith("<code>(5 &gt; 6) || (5 &lt; 6) //Satu sisi salah")
    assert "\\|" not in page


def test_fence_under_a_list_item_is_code_in_that_item() -> None:
    page = render_markdown(lesson("2-js-basics/1-data-types/README.md")).html
    item = re.search(r"<li>\s*<p><strong>Deklarasikan variabel</strong>.*?</li>", page, re.S)
    assert item is not None
    assert '<div class="highlight"><pre><span></span><code><span class="kd">let</span>' in (
        item.group(0)
    )


def test_reference_renderer_is_github_flavoured() -> None:
    """Guard the reference itself: it makes tables and keeps a 2-space nested list nested."""
    reference = github_html("| a |\n|---|\n| b \\| c |\n\n- x\n  - y\n")
    assert "<td>b | c</td>" in reference
    assert "<li>x\n<ul>\n<li>y</li>" in reference
