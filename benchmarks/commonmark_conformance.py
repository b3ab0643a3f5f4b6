"""Print how many CommonMark spec examples (and GFM table examples) our renderer gets right.

The examples are ``tests/content/commonmark/spec.json`` (CommonMark 0.31.2, 652 examples) and
the eight GFM table examples in ``tests/content/commonmark/gfm_tables.py``. Each example's
Markdown goes through the module renderer with everything authors get switched on (GFM tables,
strikethrough, autolinks, task lists, footnotes, admonitions, heading anchors, Pygments), and is
compared with the spec's HTML **before sanitising**: the sanitiser removes raw HTML, comments,
unknown tags and unsafe URLs on purpose, which the spec's HTML-block and raw-HTML examples keep.
Both sides are normalised (``tests/content/commonmark/normalize.py``): whitespace between
blocks, attribute order and entity spelling do not count, and what we add on purpose (heading
``id`` anchors, Pygments markup of code blocks, the ``language-`` class) is removed. A second
figure counts the examples whose sanitised HTML equals the sanitised spec HTML.

Run: .venv/bin/python benchmarks/commonmark_conformance.py [--failures SECTION]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from elearn.content.dialect import markdown_html  # noqa: E402
from elearn.content.sanitize import sanitize_html  # noqa: E402
from tests.content.commonmark.gfm_tables import GFM_TABLE_EXAMPLES  # noqa: E402
from tests.content.commonmark.normalize import normalize_html  # noqa: E402

SPEC = ROOT / "tests" / "content" / "commonmark" / "spec.json"
GFM_TABLES = "GFM: Tables (extension)"
TARGETS = {"List items": 1.0, "Lists": 1.0, "Fenced code blocks": 1.0, GFM_TABLES: 1.0}
OVERALL_TARGET = 0.95


def examples() -> list[dict[str, object]]:
    """Return the CommonMark spec examples followed by the GFM table examples."""
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    tables = [
        {"section": GFM_TABLES, "example": e.number, "markdown": e.markdown, "html": e.html}
        for e in GFM_TABLE_EXAMPLES
    ]
    return [*spec, *tables]


def passes(render: Callable[[str], str], markdown: str, expected: str) -> bool:
    """Tell whether ``render(markdown)`` equals ``expected`` once both are normalised."""
    return normalize_html(render(markdown)) == normalize_html(expected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", metavar="SECTION", help="print failing examples")
    args = parser.parse_args()

    def unsanitised(source: str) -> str:
        return markdown_html(source).html

    total: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    sanitised_passed = 0
    started = time.perf_counter()
    for example in examples():
        section, markdown, expected = (str(example[k]) for k in ("section", "markdown", "html"))
        total[section] += 1
        ok = passes(unsanitised, markdown, expected)
        passed[section] += ok
        sanitised = normalize_html(sanitize_html(unsanitised(markdown)))
        sanitised_passed += sanitised == normalize_html(sanitize_html(expected))
        if not ok and args.failures in (section, "all"):
            print(f"--- example {example['example']} ({section})\n{markdown!r}")
            print(f"expected {normalize_html(expected)!r}")
            print(f"got      {normalize_html(unsanitised(markdown))!r}")
    elapsed = time.perf_counter() - started

    # A Markdown table, to paste into docs/course-format.md.
    print("| Section | Passed | Examples | Rate | Target |\n|---|--:|--:|--:|---|")
    for section in total:
        rate = passed[section] / total[section]
        target = TARGETS.get(section)
        mark = "" if target is None else f"{target:.0%}: {'ok' if rate >= target else 'MISSED'}"
        print(f"| {section} | {passed[section]} | {total[section]} | {rate:.1%} | {mark} |")
    spec_total = sum(n for s, n in total.items() if s != GFM_TABLES)
    spec_passed = sum(n for s, n in passed.items() if s != GFM_TABLES)
    overall = spec_passed / spec_total
    verdict = "ok" if overall >= OVERALL_TARGET else "MISSED"
    print(
        f"| **CommonMark overall** | {spec_passed} | {spec_total} | {overall:.1%} "
        f"| {OVERALL_TARGET:.0%}: {verdict} |"
    )
    all_total = sum(total.values())
    print(
        f"| after sanitising (all {all_total}) | {sanitised_passed} | {all_total} "
        f"| {sanitised_passed / all_total:.1%} | |"
    )
    print(f"{all_total} examples rendered in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
