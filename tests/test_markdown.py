"""The portal's Markdown renders exactly as Python-Markdown with the same extensions."""

from __future__ import annotations

from conftest import ROOT
from portal_model import render
from portal_model.frontmatter import split

INLINE = [
    "plain prose, nothing to mark up",
    "中文段落，没有任何标记。第二句话。",
    "`code` and ``double `tick` code`` and \\`escaped\\`",
    "\\*not emphasis\\* and \\[not a link\\] and a lone \\ backslash",
    "*em* _em_ **strong** __strong__ ***both*** snake_case_word 2*3*4",
    "强调：**重要通知**，以及*斜体*。",
    "[link](https://example.org/ \"title\") and [ref][r] and [r] and ![img](a.png)",
    "![ref image][r] and ![r] and [^note] footnote",
    "<https://example.org/auto> and <someone@example.org> and <b>inline html</b>",
    "&amp; &copy; &#169; &#xA9; AT&T and a < b > c",
    "line one  \nline two (a hard break) and line three\nsoft",
    "trailing spaces at the end  ",
    "a [link with `code` and *em*](x.html) inside",
    "nested **strong with [a link](y.html) and `code`** here",
    "*[HTML]: Hyper Text Markup Language\n\nThe HTML abbreviation",
    "Term\n:   definition with *em*",
    "| a | b |\n| --- | --- |\n| *x* | `y` |\n| plain | 中文 |",
    "> quote with **strong**\n> and plain",
    "1. one\n2. two with [link](z)\n\n- plain item\n- item with &amp;",
    "## Heading with *em* {#custom-id}\n\nplain {: .cls }",
    "<div markdown=\"1\">*inside* a block</div>",
    "```\nfenced *not em* <b>\n```\n\nafter",
    "    indented code *not em*\n\nafter",
    "[r]: https://example.org/ref\n[^note]: the footnote text with *em*",
]


def test_quick_inline_step_renders_as_markdown_does() -> None:
    quick, stock = render.markdown_renderer(), render.markdown_renderer(quick=False)
    assert any(isinstance(p, render.QuickInline) for p in quick.treeprocessors)
    assert not any(isinstance(p, render.QuickInline) for p in stock.treeprocessors)
    for text in INLINE:
        assert quick.reset().convert(text) == stock.reset().convert(text), text
    everything = "\n\n".join(INLINE)
    assert quick.reset().convert(everything) == stock.reset().convert(everything)


def test_every_demo_source_renders_as_markdown_does() -> None:
    quick, stock = render.markdown_renderer(), render.markdown_renderer(quick=False)
    sources = sorted((ROOT / "content").rglob("*.md"))
    assert len(sources) > 100
    for source in sources:
        body = split(source.read_text(encoding="utf-8"), source).body
        assert quick.reset().convert(body) == stock.reset().convert(body), source
