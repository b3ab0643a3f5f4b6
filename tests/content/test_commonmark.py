"""Spec conformance of the renderer; the figures come from benchmarks/commonmark_conformance.py."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import cmarkgfm
import pytest

from elearn.content.dialect import markdown_html
from elearn.content.render import render_markdown
from tests.content.commonmark.gfm_tables import GFM_TABLE_EXAMPLES, Example
from tests.content.commonmark.normalize import normalize_html

SPEC = json.loads((Path(__file__).parent / "commonmark" / "spec.json").read_text("utf-8"))
MUST_PASS_SECTIONS = ("List items", "Lists", "Fenced code blocks")
# The GFM autolink extension links bare URLs and addresses, as GitHub does; CommonMark does not.
GFM_AUTOLINK_EXAMPLES = frozenset({602, 608, 611, 612})


def passes(markdown: str, expected: str) -> bool:
    return normalize_html(markdown_html(markdown).html) == normalize_html(expected)


@pytest.mark.parametrize(
    "example",
    [e for e in SPEC if e["section"] in MUST_PASS_SECTIONS],
    ids=lambda e: f"{e['section']}-{e['example']}",
)
def test_every_list_and_fence_example_passes(example: dict[str, str]) -> None:
    assert passes(example["markdown"], example["html"])


def test_the_only_other_failures_are_githubs_autolinks() -> None:
    failing = {e["example"] for e in SPEC if not passes(e["markdown"], e["html"])}
    assert failing == GFM_AUTOLINK_EXAMPLES
    for example in SPEC:
        if example["example"] in GFM_AUTOLINK_EXAMPLES:
            github = cmarkgfm.markdown_to_html_with_extensions(
                example["markdown"], extensions=["autolink"]
            )
            assert passes(example["markdown"], github)
    by_section = Counter(e["section"] for e in SPEC)
    assert len(SPEC) == sum(by_section.values()) == 652
    assert (len(SPEC) - len(failing)) / len(SPEC) >= 0.95


@pytest.mark.parametrize("example", GFM_TABLE_EXAMPLES, ids=lambda e: str(e.number))
def test_gfm_table_examples(example: Example) -> None:
    assert passes(example.markdown, example.html)
    # The expected HTML is GitHub's own, and alignment survives the sanitiser.
    github = cmarkgfm.markdown_to_html_with_extensions(example.markdown, extensions=["table"])
    assert github == example.html
    assert normalize_html(render_markdown(example.markdown).html) == normalize_html(example.html)
