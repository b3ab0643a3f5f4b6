"""The table examples of the GitHub Flavored Markdown Spec 0.29-gfm (CC BY-SA 4.0, see NOTICE.md).

Expected HTML as GitHub renders it, with alignment as ``align`` attributes.
"""

from __future__ import annotations

from typing import NamedTuple


class Example(NamedTuple):
    number: int
    markdown: str
    html: str


def _table(head: str, body: str | None = None) -> str:
    html = f"<table>\n<thead>\n{head}</thead>\n"
    if body is not None:
        html += f"<tbody>\n{body}</tbody>\n"
    return html + "</table>\n"


def _row(*cells: str, tag: str = "td") -> str:
    """A table row; a cell written ``text@align`` gets that alignment."""
    inner = ""
    for cell in cells:
        text, _, align = cell.partition("@")
        attribute = f' align="{align}"' if align else ""
        inner += f"<{tag}{attribute}>{text}</{tag}>\n"
    return f"<tr>\n{inner}</tr>\n"


GFM_TABLE_EXAMPLES = (
    Example(
        198,
        "| foo | bar |\n| --- | --- |\n| baz | bim |\n",
        _table(_row("foo", "bar", tag="th"), _row("baz", "bim")),
    ),
    Example(
        199,
        "| abc | defghi |\n:-: | -----------:\nbar | baz\n",
        _table(_row("abc@center", "defghi@right", tag="th"), _row("bar@center", "baz@right")),
    ),
    Example(
        200,
        "| f\\|oo  |\n| ------ |\n| b `\\|` az |\n| b **\\|** im |\n",
        _table(
            _row("f|oo", tag="th"),
            _row("b <code>|</code> az") + _row("b <strong>|</strong> im"),
        ),
    ),
    Example(
        201,
        "| abc | def |\n| --- | --- |\n| bar | baz |\n> bar\n",
        _table(_row("abc", "def", tag="th"), _row("bar", "baz"))
        + "<blockquote>\n<p>bar</p>\n</blockquote>\n",
    ),
    Example(
        202,
        "| abc | def |\n| --- | --- |\n| bar | baz |\nbar\n\nbar\n",
        _table(_row("abc", "def", tag="th"), _row("bar", "baz") + _row("bar", "")) + "<p>bar</p>\n",
    ),
    Example(
        203,
        "| abc | def |\n| --- |\n| bar |\n",
        "<p>| abc | def |\n| --- |\n| bar |</p>\n",
    ),
    Example(
        204,
        "| abc | def |\n| --- | --- |\n| bar |\n| bar | baz | boo |\n",
        _table(_row("abc", "def", tag="th"), _row("bar", "") + _row("bar", "baz")),
    ),
    Example(205, "| abc | def |\n| --- | --- |\n", _table(_row("abc", "def", tag="th"))),
)
