"""The hostile course: a course folder whose every text is an XSS payload.

Payloads come from our own list and, when shared/testdata/xss (beside the repository) is
present, about 200 lines spread over every file of that corpus (see its NOTICE.md).
Used by test_xss.py; nothing here needs a browser.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from elearn.content.checks import EXTERNAL, image_references

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata" / "xss"
CORPUS_FILES = ("payloadsallthethings/intruders", "seclists/robot-friendly", "seclists/Polyglots")
PER_FILE = 13  # 20 files, some short: about 200 distinct payloads from all of them
SLUG = "uji-xss"
# Our own payloads, one a line: every trick the corpus may lack, each named to find it fast.
OWN = """<script>alert('s1')</script>
<SCRIPT SRC=/static/css/app.css></SCRIPT>
<img src=x onerror=alert('s2')>
<img src="javascript:alert('s3')">
<svg onload=alert('s4')>
<svg><script>alert('s5')</script></svg>
<math><mtext><table><mglyph><style><img src=x onerror=alert('s6')>
<iframe srcdoc="<script>alert('s7')</script>"></iframe>
<iframe src="javascript:alert('s8')"></iframe>
<a href="javascript:alert('s9')">a</a>
<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert('s10')">b</a>
<a href="jav&#x09;ascript:alert('s11')">c</a>
<a href=" JaVaScRiPt:alert('s12')">d</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">e</a>
<div style="background:url(javascript:alert('s13'))">f</div>
<div style="width: expression(alert('s14'))">g</div>
<style>*{x:expression(alert(1))}</style>
<object data="data:text/html,<script>alert('s15')</script>"></object>
<embed src="javascript:alert('s16')">
<form action="javascript:alert('s17')"><button>h</button></form>
<input autofocus onfocus=alert('s18')>
<details open ontoggle=alert('s19')>
<body onload=alert('s20')>
<video><source onerror=alert('s21')></video>
<audio src=x onerror=alert('s22')>
<marquee onstart=alert('s23')>m</marquee>
<meta http-equiv="refresh" content="0;url=javascript:alert('s24')">
<base href="javascript:alert('s25')//">
</textarea><script>alert('s26')</script>
</title><script>alert('s27')</script>
"><script>alert('s28')</script>
'><img src=x onerror=alert('s29')>
<noscript><p title="</noscript><img src=x onerror=alert('s30')>">
<template><img src=x onerror=alert('s31')></template>
<img src=x:alert(alt) onerror=eval(src) alt=0>
{{7*7}} {{constructor.constructor('alert(1)')()}} ${alert('s32')}
<!--<img src=x onerror=alert('s33')>-->
<![CDATA[<script>alert('s34')</script>]]>
<a href="vbscript:msgbox('s35')">i</a>
<img srcset="x 1x, javascript:alert(1) 2x">
<x onclick=alert('s36')>j</x>
<svg><a xlink:href="javascript:alert('s37')"><text>k</text></a></svg>
<math href="javascript:alert('s38')">l</math>
<a href="data:image/svg+xml,<svg onload=alert(1)>">n</a>""".split("\n")
CODE = ["<script>alert('kode')</script>", "\"><img src=x onerror=alert('kode2')>", "{{7*7}}"]
ACCEPTED = "<script>alert('jawaban')</script>"  # the right short answer: learners type it
WRONG = "\"><img src=x onerror=alert('salah')>"  # a wrong short answer, shown on review
REFLECTED = "\"><script>alert('cari')</script>'"


def corpus_payloads() -> list[str]:
    """About 200 distinct lines spread over every corpus file; none without the corpus."""
    chosen: dict[str, None] = {}
    for folder in CORPUS_FILES:
        for path in sorted((CORPUS / folder).glob("*.txt")):
            lines = [line.strip("\r") for line in path.read_text(encoding="utf-8").split("\n")]
            lines = [
                line
                for line in lines
                if line.strip() and len(line) <= 400 and not _external_image(line)
            ]
            chosen.update(dict.fromkeys(lines[:: max(1, len(lines) // PER_FILE)][:PER_FILE]))
    return list(chosen)


def _external_image(line: str) -> bool:
    """Whether ``courses check`` refuses the line (an image from outside the course).

    Such a course cannot be published at all, which is its own defence; those corpus lines
    still go through the renderer and sanitiser in tests/content/test_sanitize.py.
    """
    return any(EXTERNAL.match(image.url) for image in image_references([line]))


def one_line(payloads: list[str]) -> list[str]:
    """Payloads that can sit on one line of a quiz without being read as quiz syntax."""
    return [
        p for p in payloads
        if "```" not in p and "~~~" not in p and not re.match(r"[\s#>=*+\-\d]", p)
    ]  # fmt: skip


def gift(text: str) -> str:
    """Escape GIFT's special characters."""
    return re.sub(r"([\\~=#{}:])", r"\\\1", text)


MARKDOWN_TRAPS = """[TOC]

## <img src=x onerror=alert('judul')> Bagian

```html
{code}
```

- <svg onload=alert('daftar')>
- [a](javascript:alert('md1')) [b](&#106;avascript:alert('md2')) ![c](javascript:alert('md3'))
- [d][x] <https://contoh.invalid/"onmouseover="alert('md4')>

[x]: javascript:alert('md5')

| <img src=x onerror=alert('tabel')> | "><script>alert('tabel2')</script> |
|---|---|
| <a href="javascript:alert('sel')">sel</a> | <details open ontoggle=alert('sel2')> |

!!! warning "<script>alert('admonisi')</script>"
    <img src=x onerror=alert('admonisi2')>

Catatan[^1].

[^1]: <svg onload=alert('catatan')>
"""


def _front(title: str, *lines: str) -> str:
    return "\n".join(["---", f"title: {json.dumps(title)}", *lines, "---", ""])


def _gift_question(name: str, text: str, answers: str) -> str:
    return f"::{gift(name)}::{text} {{{answers}}}"


def write_course(folder: Path, corpus: list[str]) -> None:
    """Write the hostile course: payloads in titles, text, options, answers and feedback.

    An unclosed <style> or <textarea> rightly swallows the rest of a module, so each quiz
    option and feedback (sanitised one by one) carries one payload as well.
    """
    folder.mkdir(parents=True)
    blocks = "\n\n".join
    half = len(corpus) // 2
    inline = one_line(OWN + corpus)
    own = [gift(p) for p in OWN]
    markdown_quiz = [
        f"Pengantar {OWN[2]} [t](javascript:alert('pengantar'))",
        f"## Soal 1 {OWN[4]}\n{OWN[7]}\n\n- [x] {OWN[2]}\n- [ ] {OWN[27]}\n\n> {OWN[0]}",
        f"## Soal 2 tulis skrip\n= {ACCEPTED}\n\n> {OWN[2]}",
        "## Soal 3 tulis apa saja\n= jawaban yang tidak akan ditebak",
        *(
            f"## Pilihan {n}\n- [x] {inline[n]}\n- [ ] {inline[n + 1]}\n\n> {inline[n + 2]}"
            for n in range(0, len(inline) - 2, 3)
        ),
    ]
    gift_quiz = [
        _gift_question(
            OWN[0], f"[html]{own[2]}{own[7]}", f"={own[4]}#{own[0]} ~{own[9]} ####{own[10]}"
        ),
        _gift_question("G2", f"[moodle]{own[9]}", f"={gift(ACCEPTED)}"),
        _gift_question(
            "G3", f"[markdown]**Pasangkan** {own[2]}", f"={own[0]} -> {own[27]} =dua -> {own[28]}"
        ),
        _gift_question("G4", f"[plain]{own[0]}", f"T#{own[4]}#ok"),
        *(
            _gift_question(f"K{n}", f"[html]{gift(p)}", f"=benar#{gift(p)} ~salah")
            for n, p in enumerate(inline[:30])
        ),
    ]
    files = {
        "course.md": _front(
            "Uji XSS " + OWN[0],
            f"summary: {json.dumps(OWN[2] + REFLECTED)}",
            "category: uji-xss",
            "competency: teknis",
            "jp: 2",
        )
        + blocks(OWN[:10] + corpus[:20]),
        "01-materi-html.md": _front("Materi " + OWN[4])
        + MARKDOWN_TRAPS.format(code="\n".join(CODE))
        + "\n"
        + blocks(OWN),
        "02-materi-korpus-a.md": blocks(corpus[:half] or ["Tanpa korpus."]),
        "03-materi-korpus-b.md": blocks(corpus[half:] or ["Tanpa korpus."]),
        "04-kuis-markdown.quiz.md": _front("Kuis " + OWN[0], "pass_mark: 50")
        + blocks(markdown_quiz),
        "05-kuis-gift.gift": _front("GIFT " + OWN[4], "pass_mark: 50") + blocks(gift_quiz),
    }
    for name, text in files.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
