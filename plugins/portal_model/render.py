"""Markdown to safe HTML, plain text and summaries: done once per source, cached by hash."""

from __future__ import annotations

import html
import re

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import InlineProcessor

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "lang", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "time": {"datetime"},
    "ol": {"start", "reversed"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
UNSAFE = re.compile(r"<\s*(script|style|iframe|object|embed|form|input|button)\b|\son\w+\s*=|"
                    r"javascript:", re.IGNORECASE)
CJK_SUMMARY_CHARS = 110
SUMMARY_WORDS = 40

MARKDOWN = {
    "extensions": ["extra", "sane_lists", "toc"],
    "extension_configs": {"toc": {"slugify": slugify_unicode, "toc_depth": "2-4"}},
    "output_format": "html",
}
#: Every inline pattern of those extensions needs one of these to match: code (`), escapes
#: (\), links, images, footnotes and references ([), autolinks and inline HTML (<),
#: entities (&), emphasis (* _), a line break (two spaces, a new line); and text holding a
#: placeholder (\x02) is left to Markdown.
INLINE_PATTERNS = {"backtick", "escape", "footnote", "reference", "link", "image_link",
                   "image_reference", "short_reference", "short_image_ref", "autolink",
                   "automail", "linebreak", "html", "entity", "em_strong"}
MARKUP = re.compile(r"[`\\\[<&*_\x02]|  \n")


class QuickInline(InlineProcessor):
    """Markdown's inline step, which tries each of its fifteen patterns on every run of text
    (half of rendering a source), skips the text none of them can match: most paragraphs of
    plain prose. The output is the same (a test renders every kind of inline markup both
    ways); with patterns it does not know, Markdown is left as it is."""

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if MARKUP.search(data) is None:
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)  # type: ignore[misc]


def markdown_renderer(quick: bool = True) -> markdown.Markdown:
    """The portal's Markdown (``quick``: with ``QuickInline``)."""
    renderer = markdown.Markdown(**MARKDOWN)
    if quick and {item.name for item in renderer.inlinePatterns._priority} == INLINE_PATTERNS:
        renderer.treeprocessors.register(QuickInline(renderer), "inline", 20)
    return renderer


_markdown = markdown_renderer()


TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)")


def to_html(body: str) -> tuple[str, list[str]]:
    """Render Markdown and sanitize it; return the HTML and what the sanitizer had to remove:
    unsafe markup (``script``, ``onclick``, ``javascript:``) and, as ``<tag>``, elements pages
    do not show (a ``#`` heading's ``<h1>``, a pasted ``<video>``), whose text alone is kept."""
    raw = _markdown.reset().convert(body)
    unsafe = {m.group(0).strip(" <=").lower() for m in UNSAFE.finditer(raw)}
    dropped = {f"<{tag}>" for tag in map(str.lower, TAG.findall(raw))
               if tag not in ALLOWED_TAGS and tag not in unsafe}
    removed = sorted(unsafe | dropped)
    clean = nh3.clean(raw, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes=URL_SCHEMES, link_rel=None)
    return clean, removed


IMG = re.compile(r"<img\b[^>]*>")
ATTRIBUTE = re.compile(r'\b(src|alt)="([^"]*)"')


def images(fragment: str) -> list[tuple[str, str]]:
    """The source and text alternative of each image of a sanitized HTML fragment."""
    found = []
    for tag in IMG.findall(fragment):
        attributes = {name: html.unescape(value) for name, value in ATTRIBUTE.findall(tag)}
        found.append((attributes.get("src", ""), attributes.get("alt", "")))
    return found


def sized(fragment: str, sizes: dict[str, tuple[int, int]]) -> str:
    """Each image of ``sizes`` (by source) given its width and height, so the page keeps its
    place while it loads, and loaded only when the reader comes near it."""
    def size(tag: re.Match[str]) -> str:
        src = dict(ATTRIBUTE.findall(tag.group(0))).get("src", "")
        if html.unescape(src) not in sizes:
            return tag.group(0)
        width, height = sizes[html.unescape(src)]
        return f'{tag.group(0)[:-1]} width="{width}" height="{height}" loading="lazy">'
    return IMG.sub(size, fragment)


def to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, whitespace folded."""
    text = html.unescape(nh3.clean(fragment, tags=set()))
    return re.sub(r"\s+", " ", text).strip()


def summarize(text: str, cjk: bool) -> str:
    """Cut a summary by characters in Chinese, Japanese and Korean, by words elsewhere."""
    if cjk:
        return text if len(text) <= CJK_SUMMARY_CHARS else text[:CJK_SUMMARY_CHARS].rstrip() + "…"
    words = text.split()
    return text if len(words) <= SUMMARY_WORDS else " ".join(words[:SUMMARY_WORDS]) + " …"
