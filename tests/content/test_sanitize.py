"""The sanitiser against hand-written and published XSS payloads."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from elearn.content.render import render_markdown, sanitize_html
from elearn.content.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from tests.testdata import require_shared

XSS_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata" / "xss"
BANNED_TAGS = {
    "script", "style", "iframe", "svg", "math", "object", "embed", "form", "input",
    "button", "textarea", "link", "meta", "base",
}  # fmt: skip
BANNED_SCHEMES = ("javascript:", "vbscript:", "data:")

# Our own payloads, so the checks run without the third-party corpus.
BUILTIN_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '"><script>alert(1)</script>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>',
    '<a href="&#0000106avascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="jav&NewLine;ascript:alert(1)">x</a>',
    '<a href="java\x00script:alert(1)">x</a>',
    '<a href="\x01 &#14; javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example"><input name=p><button>Kirim</button></form>',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<link rel=stylesheet href=https://evil.example/x.css>"
    '<meta http-equiv=refresh content="0;url=https://evil.example"><base href=https://evil.example/>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "<body onload=alert(1)>",
    "<textarea><script>alert(1)</script></textarea>",
    "<template><script>alert(1)</script></template>",
    "<xmp><script>alert(1)</script></xmp>",
    '<a href=x onmouseover=alert(1) style="position:fixed;inset:0">x</a>',
    "[x](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1) 'judul')",
    "<javascript:alert(1)>",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x][1]\n\n[1]: vbscript:msgbox(1)",
]


class _Inspector(HTMLParser):
    """Collect every element and attribute as a browser-like parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def problems(output: str) -> list[str]:
    """Return what is unsafe in sanitiser ``output`` (empty when it is safe)."""
    found = []
    if "<script" in output.lower():
        found.append("<script")
    inspector = _Inspector()
    inspector.feed(output)
    inspector.close()
    for tag, attrs in inspector.elements:
        if tag in BANNED_TAGS or tag not in ALLOWED_TAGS:
            found.append(f"element <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                found.append(f"attribute {name} on <{tag}>")
            elif name not in ALLOWED_ATTRIBUTES.get(tag, ()) and (tag, name) != ("a", "rel"):
                found.append(f"unexpected attribute {name} on <{tag}>")
            if name in ("href", "src") and value is not None:
                # Browsers ignore control characters and whitespace inside a scheme.
                squeezed = re.sub(r"[\x00-\x20\x7f-\x9f]", "", value).lower()
                if squeezed.startswith(BANNED_SCHEMES):
                    found.append(f"{name}={value!r} on <{tag}>")
    return found


def embeddings(payload: str) -> list[str]:
    """Return Markdown documents placing ``payload`` where Markdown treats text differently.

    The first three (HTML block, inline HTML, table cell) take different paths
    through Python-Markdown; the rest nest it in blocks.
    """
    cell = payload.replace("|", "\\|")
    return [
        payload,
        f"Teks *biasa* {payload} lanjut.",
        f"| Kolom |\n|---|\n| {cell} |",
        f"1. Butir\n\n    {payload}",
        f'!!! note "Catatan"\n    {payload}',
        f"> {payload}",
    ]


def outputs_for(payload: str, *, markdown_contexts: int = 6) -> list[str]:
    """Return the sanitiser's output for ``payload`` as HTML and embedded in Markdown."""
    results = [sanitize_html(payload), sanitize_html(payload, asset_base="/c/x/v/1/assets")]
    documents = embeddings(payload)[:markdown_contexts]
    return results + [render_markdown(document).html for document in documents]


@pytest.mark.parametrize("payload", BUILTIN_PAYLOADS)
def test_builtin_payload_is_neutralised(payload: str) -> None:
    for output in outputs_for(payload):
        assert problems(output) == [], output


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<svg><script>alert(1)</script></svg>",
        "<style>body{} alert(1)</style>",
        "<textarea>alert(1)</textarea>",
        "<template><b>alert(1)</b></template>",
        "<xmp>alert(1)</xmp>",
        "<iframe>alert(1)</iframe>",
        "<noscript>alert(1)</noscript>",
    ],
)
def test_contents_of_script_like_elements_do_not_show_as_text(payload: str) -> None:
    for output in outputs_for(payload):
        assert "alert" not in output


def test_the_checker_itself_flags_unsafe_html() -> None:
    assert problems('<a href="java\tscript:x" onclick="y">') == [
        "href='java\\tscript:x' on <a>",
        "attribute onclick on <a>",
    ]
    assert problems("<ScRipt>") and problems("<form>") and problems('<p style="x">')
    assert problems("<p>aman</p>") == []


def _corpus_files() -> list[Path]:
    if not XSS_DIR.is_dir():
        return []
    files = sorted((XSS_DIR / "payloadsallthethings" / "intruders").glob("*.txt"))
    return files + sorted((XSS_DIR / "seclists").rglob("*.txt"))


@pytest.mark.parametrize("path", _corpus_files(), ids=lambda path: path.name)
def test_corpus_payloads_are_neutralised(path: Path) -> None:
    payloads = sorted({line for line in path.read_text(encoding="utf-8").splitlines() if line})
    assert payloads, f"{path} has no payloads"
    failures: list[tuple[str, str, str]] = []
    for payload in payloads:
        # Three Markdown contexts keep this near 15 s (six: 35 s); the built-in list uses six.
        outputs = outputs_for(payload, markdown_contexts=3)
        failures += [
            (payload, output, ", ".join(found)) for output in outputs if (found := problems(output))
        ]
        # Stored HTML is a fixed point: sanitising it again changes nothing
        # (checked on the raw HTML, the Markdown block and the table cell).
        failures += [
            (payload, output, "changes on a second pass")
            for output in outputs[::2]
            if sanitize_html(output) != output
        ]
    assert failures == [], f"{len(failures)} failures, first: {failures[0]}"


def test_corpus_is_present_or_skipped() -> None:
    require_shared(XSS_DIR)
    assert len(_corpus_files()) == 20


# --- what the allowlist keeps and removes --------------------------------------------------


def test_disallowed_tags_are_stripped_but_their_text_stays_escaped() -> None:
    html = '<form action="/x">Isi <b>tebal</b> <button>Klik</button> 1 &lt; 2</form>'
    assert sanitize_html(html) == "Isi <b>tebal</b> Klik 1 &lt; 2"


def test_text_that_looks_like_markup_is_escaped() -> None:
    assert sanitize_html("a < b > c & d") == "a &lt; b &gt; c &amp; d"


def test_comments_are_removed_with_markup_inside() -> None:
    html = '<p>a<!-- <img src="x"> --><!--[if IE]><script>x</script><![endif]-->b</p>'
    assert sanitize_html(html) == "<p>ab</p>"


def test_named_and_numeric_entities_survive() -> None:
    assert sanitize_html("<p>&sum;&eta;&nabla; &#8617; &amp;</p>") == (
        "<p>&sum;&eta;&nabla; &#8617; &amp;</p>"
    )


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<div class="admonition note">x</div>', '<div class="admonition note">x</div>'),
        ('<span class="nf">f</span>', '<span class="nf">f</span>'),
        ('<div class="btn btn-danger">x</div>', "<div>x</div>"),
        ('<div class="admonition modal">x</div>', "<div>x</div>"),
        ('<h2 id="tujuan-pelatihan">T</h2>', '<h2 id="tujuan-pelatihan">T</h2>'),
        ('<h2 id="a b">T</h2>', "<h2>T</h2>"),
        ('<div id="login">x</div>', "<div>x</div>"),
        ('<li id="fn:1">x</li>', '<li id="fn:1">x</li>'),
        ('<p class="merah" style="color:red" onclick="y">x</p>', "<p>x</p>"),
        (
            '<img src="a.png" alt="A" width="100" height="50%" loading="lazy" decoding="sync">',
            '<img src="a.png" alt="A" width="100" loading="lazy">',
        ),
        ('<img src="a.png" width="100px">', '<img src="a.png">'),
        ('<img src="a.png" width="0" height="99999">', '<img src="a.png">'),
        (
            '<img src="a.png" loading="eager" decoding="async">',
            '<img src="a.png" decoding="async">',
        ),
        ('<ol start="3" type="a"><li>x</li></ol>', '<ol start="3"><li>x</li></ol>'),
        ('<abbr title="Aparatur Sipil Negara">ASN</abbr>', None),
    ],
)
def test_attributes_are_limited_to_the_allowlist(html: str, expected: str | None) -> None:
    """``expected`` None means the input is already clean and must come back unchanged."""
    assert sanitize_html(html) == (html if expected is None else expected)


def test_table_cell_attributes_keep_only_valid_values() -> None:
    html = '<table><tr><td colspan="2" rowspan="x" align="center" width="9">x</td></tr></table>'
    assert sanitize_html(html) == (
        '<table><tbody><tr><td colspan="2" align="center">x</td></tr></tbody></table>'
    )


@pytest.mark.parametrize(
    "href",
    [
        "https://example.go.id/a?b=1&amp;c=2",
        "http://example.go.id/",
        "mailto:bkpsdm@example.go.id",
        "modul-2.html",
        "../lain/berkas.pdf",
        "#fn:1",
        "/courses/x",
    ],
)
def test_allowed_urls_are_kept(href: str) -> None:
    assert f'href="{href}"' in sanitize_html(f'<a href="{href}">x</a>')


@pytest.mark.parametrize(
    "href", ["ftp://x/y", "file:///etc/passwd", "tel:123", "jar:x", "data:,x", "about:blank"]
)
def test_other_schemes_are_dropped(href: str) -> None:
    assert sanitize_html(f'<a href="{href}">x</a>') == "<a>x</a>"


def test_external_links_get_rel_noopener_noreferrer_and_others_do_not() -> None:
    html = (
        '<a href="https://x.example" rel="opener">a</a><a href="//x.example">b</a>'
        '<a href="/\\x.example">c</a><a href="modul.html">d</a><a href="mailto:a@b.c">e</a>'
    )
    assert sanitize_html(html) == (
        '<a href="https://x.example" rel="noopener noreferrer">a</a>'
        '<a href="//x.example" rel="noopener noreferrer">b</a>'
        '<a href="/\\x.example" rel="noopener noreferrer">c</a>'
        '<a href="modul.html">d</a><a href="mailto:a@b.c">e</a>'
    )


def test_bare_urls_are_not_linkified() -> None:
    assert sanitize_html("<p>lihat https://x.example</p>") == "<p>lihat https://x.example</p>"


def test_quotes_and_ampersands_in_attributes_are_not_escaped_twice() -> None:
    # bleach alone turns '&' into '&amp;amp;' in values it serialises with single quotes.
    output = sanitize_html("<img alt='Rumus \"A&B\" &#x29;'>")
    assert output == '<img alt="Rumus &quot;A&amp;B&quot; &#x29;">'
    assert sanitize_html(output) == output


def test_output_is_stable_and_a_fixed_point() -> None:
    html = "<p>Satu<button><p>dua</p></button></p><table><td>x</td></table>"
    first = sanitize_html(html)
    assert sanitize_html(html) == first
    assert sanitize_html(first) == first


def test_asset_urls_are_rewritten_only_inside_assets() -> None:
    html = (
        '<img src="assets/a.png"><img src="./assets/b/c.png"><a href="assets/d.pdf#p2">d</a>'
        '<img src="images/e.png"><img src="assets/../secret.txt"><img src="/assets/f.png">'
    )
    assert sanitize_html(html, asset_base="/courses/mp/v/abc/assets/") == (
        '<img src="/courses/mp/v/abc/assets/a.png"><img src="/courses/mp/v/abc/assets/b/c.png">'
        '<a href="/courses/mp/v/abc/assets/d.pdf#p2">d</a><img src="images/e.png">'
        '<img src="assets/../secret.txt"><img src="/assets/f.png">'
    )
    assert sanitize_html('<img src="assets/a.png">') == '<img src="assets/a.png">'


def test_empty_input_gives_empty_output() -> None:
    assert sanitize_html("") == ""
