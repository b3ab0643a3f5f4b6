"""Markdown rendering, text formats and asset references."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from elearn.content.quiz import Text, TextFormat
from elearn.content.render import (
    RenderedDoc,
    TocEntry,
    asset_references,
    render_markdown,
    render_text,
    slugify,
)
from tests.content.test_sanitize import problems
from tests.testdata import require_shared

TESTDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata"
PERCEPTRON = TESTDATA / "ai-lesson" / "lessons" / "3-NeuralNetworks" / "03-Perceptron" / "README.md"
WEBDEV_LESSONS = TESTDATA / "webdev-id" / "translations" / "id"
ASSET_BASE = "/courses/manajemen-proyek/v/abc123/assets"


def test_table_uses_align_attributes_not_styles() -> None:
    html = render_markdown("| Nama | Nilai |\n|:-----|------:|\n| Ani | 90 |\n").html
    assert '<th align="left">Nama</th>' in html
    assert '<td align="right">90</td>' in html
    assert "style" not in html


def test_fenced_code_inside_a_list_item_stays_in_the_item_and_is_highlighted() -> None:
    source = "1. Buka terminal:\n\n    ```bash\n    ls -la\n    ```\n\n2. Selesai.\n"
    html = render_markdown(source).html
    first_item = re.search(r"<li>(.*?)</li>", html, re.DOTALL)
    assert first_item is not None
    assert '<div class="highlight"><pre><span></span><code>ls' in first_item.group(1)
    assert "Selesai." not in first_item.group(1)
    assert "```" not in html


def test_code_blocks_escape_their_content() -> None:
    html = render_markdown('```html\n<script>alert("x")</script>\n```\n').html
    assert "<script" not in html
    assert "&lt;" in html and "alert" in html


def test_footnote_reference_and_body_link_to_each_other() -> None:
    html = render_markdown("Teks[^a].\n\n[^a]: Catatan *kaki*.\n").html
    assert '<sup id="fnref:a"><a class="footnote-ref" href="#fn:a">1</a></sup>' in html
    assert '<li id="fn:a">' in html
    assert 'href="#fnref:a" title="Kembali ke catatan kaki 1 di teks"' in html
    assert '<div class="footnote">' in html


def test_footnotes_do_not_leak_between_documents() -> None:
    render_markdown("Teks[^a].\n\n[^a]: Catatan.\n")
    assert "footnote" not in render_markdown("Teks biasa.").html


@pytest.mark.parametrize(
    ("source", "kind", "title"),
    [
        ('!!! note "Judul Saya"\n    Isi.\n', "note", "Judul Saya"),
        ("!!! warning\n    Isi.\n", "warning", "Peringatan"),
        ("!!! penting\n    Isi.\n", "important", "Penting"),
        ('!!! entah "Judul"\n    Isi.\n', "note", "Judul"),
        ("!!! danger kedip\n    Isi.\n", "danger", "Bahaya"),
    ],
)
def test_admonitions_get_a_known_type_and_indonesian_default_title(
    source: str, kind: str, title: str
) -> None:
    html = render_markdown(source).html
    assert html == (
        f'<div class="admonition {kind}">\n<p class="admonition-title">{title}</p>\n'
        "<p>Isi.</p>\n</div>\n"
    )


def test_heading_anchors_are_unique_ascii_and_listed_in_the_toc() -> None:
    source = (
        "# Judul\n\n## Peran & Tugas ASN\n\n## Peran & Tugas ASN\n\n### Peran & Tugas ASN\n\n"
        "#### Terlalu dalam\n\n## Ékonomi daerah\n\n## 🚀\n\n## `kode` <em>miring</em>\n"
    )
    doc = render_markdown(source)
    assert doc.toc == (
        TocEntry(2, "peran-tugas-asn", "Peran & Tugas ASN"),
        TocEntry(2, "peran-tugas-asn_1", "Peran & Tugas ASN"),
        TocEntry(3, "peran-tugas-asn_2", "Peran & Tugas ASN"),
        TocEntry(2, "ekonomi-daerah", "Ékonomi daerah"),
        TocEntry(2, "bagian", "🚀"),
        TocEntry(2, "kode-miring", "kode miring"),
    )
    ids = re.findall(r' id="([^"]+)"', doc.html)
    assert len(ids) == len(set(ids)) == 8
    assert all(re.fullmatch(r"[a-z0-9_-]+", anchor) for anchor in ids)
    assert '<h1 id="judul">' in doc.html and '<h4 id="terlalu-dalam">' in doc.html


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Pengantar", "pengantar"),
        ("Bab 2: Tata Kelola & Akuntabilitas", "bab-2-tata-kelola-akuntabilitas"),
        ("  Apa itu SIASN?  ", "apa-itu-siasn"),
        ("Café naïve", "cafe-naive"),
        ("✅ ✅", "bagian"),
    ],
)
def test_slugify_gives_ascii_anchors(heading: str, slug: str) -> None:
    assert slugify(heading, "-") == slug


def test_asset_urls_are_rewritten_under_asset_base() -> None:
    source = (
        '![Gantt](assets/gantt.png "Jadwal")\n\n[Templat](./assets/templat.docx)\n\n'
        "<img src='assets/foto/tim.jpg' alt='Tim'/>\n\n"
        "![lain](images/x.png) [luar](https://example.go.id/a.png)\n"
    )
    html = render_markdown(source, asset_base=ASSET_BASE).html
    assert f'<img src="{ASSET_BASE}/gantt.png" alt="Gantt" title="Jadwal">' in html
    assert f'<a href="{ASSET_BASE}/templat.docx">Templat</a>' in html
    assert f'<img src="{ASSET_BASE}/foto/tim.jpg" alt="Tim">' in html
    assert 'src="images/x.png"' in html
    assert 'href="https://example.go.id/a.png" rel="noopener noreferrer"' in html


def test_asset_urls_stay_relative_without_asset_base() -> None:
    assert 'src="assets/gantt.png"' in render_markdown("![g](assets/gantt.png)").html


def test_raw_html_in_markdown_is_sanitised() -> None:
    source = 'Teks <span onclick="x()" style="color:red">merah</span>\n\n<script>x()</script>\n'
    assert render_markdown(source).html == "<p>Teks <span>merah</span></p>\n\n"


def test_markdown_links_with_bad_schemes_lose_their_href() -> None:
    html = render_markdown("[a](javascript:alert(1)) ![b](data:image/png;base64,AAAA)").html
    assert html == '<p><a>a</a> <img alt="b"></p>\n'


def test_rendering_is_deterministic_and_thread_safe() -> None:
    sources = [f"## Bagian {n}\n\nTeks[^{n}] **{n}**.\n\n[^{n}]: Catatan {n}.\n" for n in range(40)]
    expected = [render_markdown(source) for source in sources]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(render_markdown, sources)) == expected
    assert render_markdown(sources[0]) == expected[0]


# --- render_text ------------------------------------------------------------------------------


def test_render_text_markdown_matches_render_markdown() -> None:
    source = "**Tebal** dan ![g](assets/g.png)"
    text = Text(source, TextFormat.MARKDOWN)
    assert render_text(text, asset_base=ASSET_BASE) == (
        render_markdown(source, asset_base=ASSET_BASE).html
    )


def test_render_text_html_is_sanitised_and_rewritten() -> None:
    text = Text('<p onclick="x">Pilih <img src="assets/a.png"></p>', TextFormat.HTML)
    assert (
        render_text(text, asset_base=ASSET_BASE) == f'<p>Pilih <img src="{ASSET_BASE}/a.png"></p>'
    )


def test_render_text_plain_is_escaped_with_line_breaks() -> None:
    text = Text('a < b\r\n<script>x</script> & "c"', TextFormat.PLAIN)
    assert render_text(text) == 'a &lt; b<br>\n&lt;script&gt;x&lt;/script&gt; &amp; "c"'


def test_render_text_moodle_makes_paragraphs_and_line_breaks() -> None:
    source = (
        "Baris satu\nBaris <b>dua</b>\n\n\nParagraf dua<script>x</script>\n\n"
        "<ul>\n<li>butir</li>\n</ul>\n\n<img src='assets/a.png'>"
    )
    assert render_text(Text(source, TextFormat.MOODLE), asset_base=ASSET_BASE) == (
        "<p>Baris satu<br>\nBaris <b>dua</b></p>\n<p>Paragraf dua</p>\n"
        f'<ul> <li>butir</li> </ul>\n<p><img src="{ASSET_BASE}/a.png"></p>'
    )


@pytest.mark.parametrize("text_format", list(TextFormat))
def test_every_text_format_ends_in_the_sanitiser(text_format: TextFormat) -> None:
    payload = '<img src=x onerror="alert(1)"><a href="javascript:alert(2)">x</a><script>3</script>'
    html = render_text(Text(payload, text_format))
    assert problems(html) == []


def test_render_returns_a_frozen_document() -> None:
    doc = render_markdown("## A")
    assert isinstance(doc, RenderedDoc)
    with pytest.raises(AttributeError):
        doc.html = "x"  # type: ignore[misc]


# --- asset_references -------------------------------------------------------------------------


def test_asset_references_lists_lines_and_paths() -> None:
    source = (
        "# Modul\n"
        "\n"
        "![Gantt](assets/gantt.png)\n"
        "Unduh [templat](./assets/templat%20rapat.docx?v=2#hal).\n"
        "\n"
        "| a | b |\n"
        "|---|---|\n"
        "| <img src='assets/foto.jpg'/> | ![luar](https://example.go.id/x.png) |\n"
        "\n"
        "![lagi](assets/gantt.png) ![bukan](images/x.png) [ref][r]\n"
        "\n"
        "```\n"
        "![dalam kode](assets/abaikan.png)\n"
        "```\n"
        "\n"
        "[r]: assets/r.pdf\n"
    )
    assert asset_references(source) == [
        (3, "assets/gantt.png"),
        (4, "assets/templat rapat.docx"),
        (8, "assets/foto.jpg"),
        (10, "assets/gantt.png"),
        (16, "assets/r.pdf"),
    ]


def test_asset_references_is_empty_without_assets() -> None:
    assert asset_references("Teks [tautan](https://example.go.id) ![x](images/x.png)") == []


# --- real lessons -----------------------------------------------------------------------------


def test_perceptron_lesson_renders_cleanly() -> None:
    require_shared(PERCEPTRON)
    doc = render_markdown(PERCEPTRON.read_text(encoding="utf-8"), asset_base=ASSET_BASE)
    html = doc.html
    # The HTML comment with an <img> inside is gone, not turned into an element.
    assert "sciweavers" not in html and "<!--" not in html and "tex2img" not in html
    # The images in the table cell survive with only src and alt.
    assert '<td><img src="images/Rosenblatt-wikipedia.jpg" alt="Frank Rosenblatt"></td>' in html
    assert '<img src="images/Mark_I_perceptron_wikipedia.jpg" alt="The Mark 1 Perceptron">' in html
    assert '<img src="images/activation-func.png">' in html
    # CommonMark resolves entities to the characters they stand for.
    assert "-∑w<sup>T</sup>x<sub>i</sub>t<sub>i</sub>" in html
    assert "η∇E(w)" in html
    assert '<div class="highlight"><pre><span></span><code><span class="k">def</span>' in html
    # The link whose URL breaks before ")" still becomes one link.
    assert 'href="https://towardsdatascience.com/what-is-a-perceptron-' in html
    assert doc.toc[0] == TocEntry(2, "pre-lecture-quiz", "Pre-lecture quiz")
    assert TocEntry(2, "challenge", "🚀 Challenge") in doc.toc


# Highlighted code blocks per lesson, as GitHub shows them (test_gfm_lessons.py compares
# with cmark-gfm). In 1-data-types three fences sit under 3-space-indented paragraphs after
# a list: CommonMark nests them in the list (Python-Markdown showed them as literal ```).
CODE_BLOCKS = {
    "1-getting-started-lessons/README.md": 0,
    "1-getting-started-lessons/2-github-basics/README.md": 20,
    "2-js-basics/README.md": 0,
    "2-js-basics/1-data-types/README.md": 13,
    "2-js-basics/2-functions-methods/README.md": 14,
    "2-js-basics/3-making-decisions/README.md": 10,
    "2-js-basics/4-arrays-loops/README.md": 12,
    "3-terrarium/README.md": 0,
    "3-terrarium/solution/README.md": 0,
}


@pytest.mark.parametrize("name", sorted(CODE_BLOCKS))
def test_indonesian_lessons_render_cleanly(name: str) -> None:
    path = WEBDEV_LESSONS / name
    require_shared(path)
    doc = render_markdown(path.read_text(encoding="utf-8"))
    assert "CO_OP_TRANSLATOR_METADATA" not in doc.html  # the metadata comment is dropped
    assert "<!--" not in doc.html
    anchors = [entry.anchor for entry in doc.toc]
    assert len(anchors) == len(set(anchors)) >= 1
    for anchor in anchors:
        assert f' id="{anchor}"' in doc.html
    assert doc.html.count('<div class="highlight">') == CODE_BLOCKS[name]


def test_every_webdev_lesson_is_covered_or_skipped() -> None:
    require_shared(WEBDEV_LESSONS)
    found = {str(path.relative_to(WEBDEV_LESSONS)) for path in WEBDEV_LESSONS.rglob("README.md")}
    assert found == set(CODE_BLOCKS)


def test_code_in_webdev_list_items_stays_in_the_list() -> None:
    path = WEBDEV_LESSONS / "2-js-basics" / "1-data-types" / "README.md"
    require_shared(path)
    html = render_markdown(path.read_text(encoding="utf-8")).html
    item = re.search(r"<li>\s*<p><strong>Deklarasikan variabel</strong>.*?</li>", html, re.DOTALL)
    assert item is not None
    assert '<span class="kd">let</span>' in item.group(0)
