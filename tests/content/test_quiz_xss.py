"""Payloads in quiz text (Markdown quiz syntax and every GIFT text format) come out inert."""

import json
from html.parser import HTMLParser

import pytest

from elearn.content.gift import parse_gift_quiz
from elearn.content.quizformat import parse_markdown_quiz
from elearn.content.quizrecord import quiz_record
from elearn.content.render import render_markdown

BANNED = {"script", "style", "iframe", "svg", "math", "object", "embed", "form", "input"}


class Inspector(HTMLParser):
    """Collect anything that could run: banned tags, on* attributes, dangerous URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BANNED:
            self.found.append(tag)
        for name, value in attrs:
            lowered = (value or "").strip().lower()
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag}[{name}]")
            if name in {"href", "src"} and lowered.startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.found.append(f"{tag}[{name}={lowered[:20]}]")


def dangerous(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    return inspector.found


def all_html(record: dict) -> str:
    return json.dumps(record)


MARKDOWN_PAYLOADS = [
    "[klik](javascript:alert(1))",
    "![x](javascript:alert(1))",
    '<img src=x onerror="alert(1)">',
    "<script>alert(1)</script>",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "Teks {: onclick=alert(1) }",
    '```js" onmouseover="alert(1)\nkode\n```',
    "<svg><script>alert(1)</script></svg>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<details open ontoggle=alert(1)>x</details>",
]


@pytest.mark.parametrize("payload", MARKDOWN_PAYLOADS)
def test_markdown_module_payloads_are_inert(payload: str) -> None:
    assert dangerous(render_markdown(payload).html) == []


@pytest.mark.parametrize("payload", MARKDOWN_PAYLOADS)
def test_markdown_quiz_payloads_are_inert(payload: str) -> None:
    line = payload.replace("\n", " ")  # headings, options and feedback are single lines
    quiz = parse_markdown_quiz(
        f"Intro\n\n{payload}\n\n## Soal {line}\n\n{payload}\n\n- [x] {line}\n- [ ] b\n\n> {line}\n",
        "q.quiz.md",
        "Kuis",
    )
    record = quiz_record(quiz, asset_base=None)
    question = record["questions"][0]
    for html in [record["intro_html"], question["text_html"], question["general_feedback_html"],
                 *(c["html"] for c in question["choices"])]:  # fmt: skip
        assert dangerous(html) == [], html


@pytest.mark.parametrize("fmt", ["", "[html]", "[moodle]", "[markdown]", "[plain]"])
def test_gift_payloads_are_inert_in_every_text_format(fmt: str) -> None:
    gift = (
        f"::Judul::{fmt}<script>alert(1)</script><img src=x onerror=alert(2)>"
        "<a href='javascript:alert(3)'>x</a> Pilih {"
        f"\n=<b onmouseover=alert(4)>Benar</b>#<svg onload=alert(5)>"
        "\n~Salah#<iframe src=javascript:alert(6)>"
        "\n####<style>body\\{display:none\\}</style><math><mi>x</mi></math>"
        "\n}\n"
    )
    record = quiz_record(parse_gift_quiz(gift, "q.gift", "Kuis"), asset_base=None)
    question = record["questions"][0]
    parts = [question["text_html"], question["general_feedback_html"]]
    parts += [c["html"] for c in question["choices"]] + [
        c["feedback_html"] for c in question["choices"]
    ]
    for html in parts:
        assert dangerous(html) == [], html
    assert "alert(1)" not in question["text_html"] or fmt == "[plain]"
