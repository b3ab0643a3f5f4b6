"""What authors write renders as GitHub shows it: block structure, GFM extensions, our extras."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from elearn.content.render import render_markdown


def html(source: str) -> str:
    return render_markdown(source).html


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # A list straight after a paragraph line, no blank line between.
        (
            "**Judul:**\n- a\n- b\n",
            "<p><strong>Judul:</strong></p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n",
        ),
        # Two-space nesting, as GitHub and most editors indent.
        ("- a\n  - b\n- c\n", "<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>\n<li>c</li>\n</ul>\n"),
        # Three-space continuation under "1. ".
        (
            "1. Satu\n\n   Lanjutan.\n2. Dua\n",
            "<ol>\n<li>\n<p>Satu</p>\n<p>Lanjutan.</p>\n</li>\n<li>\n<p>Dua</p>\n</li>\n</ol>\n",
        ),
        # Lazy continuation: an unindented line still belongs to the item's paragraph.
        ("- satu\ndua\n", "<ul>\n<li>satu\ndua</li>\n</ul>\n"),
        (
            "> > dalam\n> luar\n",
            "<blockquote>\n<blockquote>\n<p>dalam\nluar</p>\n</blockquote>\n</blockquote>\n",
        ),
        ("3. mulai\n4. lanjut\n", '<ol start="3">\n<li>mulai</li>\n<li>lanjut</li>\n</ol>\n'),
    ],
)
def test_commonmark_block_structure(source: str, expected: str) -> None:
    assert html(source) == expected


def test_fence_in_a_list_item_keeps_its_text_byte_for_byte() -> None:
    source = "1. Jalankan:\n   ```\n   \tpertama\n\n     kedua  \n   ```\n2. Selesai\n"
    page = html(source)
    item = re.search(r"<li>(.*?)</li>", page, re.S)
    assert item is not None
    assert "<pre><span></span><code>\tpertama\n\n  kedua  \n</code></pre>" in item.group(1)


def test_table_alignment_and_escaped_pipes() -> None:
    page = html("| Operator | Arti |\n|:--:|--:|\n| `\\|\\|` | a \\| b |\n")
    assert '<th align="center">Operator</th>' in page
    assert '<td align="center"><code>||</code></td>\n<td align="right">a | b</td>' in page


def test_strikethrough_task_lists_and_autolinks() -> None:
    assert html("~~lama~~ baru") == "<p><s>lama</s> baru</p>\n"
    assert html("- [ ] belum\n- [x] sudah\n") == "<ul>\n<li>☐ belum</li>\n<li>☑ sudah</li>\n</ul>\n"
    assert html("[ ] bukan butir daftar") == "<p>[ ] bukan butir daftar</p>\n"
    page = html("Lihat www.bkn.go.id, https://jdih.go.id/x. atau tanya@bkn.go.id; GitHub.com")
    assert '<a href="http://www.bkn.go.id" rel="noopener noreferrer">www.bkn.go.id</a>' in page
    assert (
        '<a href="https://jdih.go.id/x" rel="noopener noreferrer">https://jdih.go.id/x</a>.' in page
    )
    assert '<a href="mailto:tanya@bkn.go.id">tanya@bkn.go.id</a>' in page
    assert page.endswith("; GitHub.com</p>\n")  # a bare domain stays text, as on GitHub


def test_toc_marker_lists_the_headings() -> None:
    page = html("[TOC]\n\n## Satu\n\n### Dua\n\n## Tiga\n")
    assert page.startswith(
        '<div class="toc"><ul><li><a href="#satu">Satu</a><ul><li><a href="#dua">Dua</a>'
        '</li></ul></li><li><a href="#tiga">Tiga</a></li></ul></div>\n'
    )


def test_footnote_referenced_twice_links_back_to_both() -> None:
    page = html("A[^n] dan B[^n].\n\n[^n]: Catatan.\n")
    assert '<sup id="fnref:n"><a class="footnote-ref" href="#fn:n">1</a></sup>' in page
    assert '<sup id="fnref2:n"><a class="footnote-ref" href="#fn:n">1</a></sup>' in page
    assert 'href="#fnref:n"' in page and 'href="#fnref2:n"' in page
    assert '<div class="footnote">\n<hr>\n<ol>\n<li id="fn:n">' in page


def test_admonition_body_may_hold_lists_and_code() -> None:
    page = html("!!! tip\n    - satu\n    - dua\n\n    ```\n    kode\n    ```\n\nSesudah.\n")
    assert page.startswith(
        '<div class="admonition tip">\n<p class="admonition-title">Tips</p>\n<ul>'
    )
    assert "<code>kode\n</code>" in page
    assert page.endswith("</div>\n<p>Sesudah.</p>\n")


def test_unsafe_urls_still_reach_the_sanitiser_as_links() -> None:
    assert html("[x](javascript:alert(1)) [y](vbscript:z)") == "<p><a>x</a> <a>y</a></p>\n"


def test_only_render_reaches_the_unsanitised_markdown() -> None:
    """One door: Markdown libraries are used by dialect.py, whose HTML only render.py takes."""
    package = Path(__file__).resolve().parents[2] / "elearn"
    users: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                names = {alias.name for alias in node.names}
            else:
                continue
            for name in names:
                root = name.split(".")[0]
                if root in ("markdown", "markdown_it", "mdit_py_plugins") or name == (
                    "elearn.content.dialect.markdown_html"
                ):
                    users.setdefault(root if root != "elearn" else name, set()).add(
                        path.relative_to(package).as_posix()
                    )
    assert users == {
        "markdown_it": {"content/dialect.py"},
        "mdit_py_plugins": {"content/dialect.py"},
        "elearn.content.dialect.markdown_html": {"content/render.py"},
    }
