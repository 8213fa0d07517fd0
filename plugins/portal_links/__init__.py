"""portal_links: a link in an item's text to an address of the portal that the build does not
make, or a link without words, stops the build, naming the file, the line and the fix.

Checked against the finished tree, just before it goes live: what a reader would get is what
counts, whichever plugin made the page (items, lists, the catalogue, feeds, PDFs, attachments,
the redirects of renamed pages). Links to other sites are not fetched.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from portal_build import site_built
from portal_model import ContentError, Item, Problem, Site
from portal_model.errors import line_of

#: Where a link in a sanitized fragment goes; the sanitizer leaves no other quoting.
HREF = 'href="'
ANCHOR = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
TAG = re.compile(r"<[^>]*>")
ALT = re.compile(r'<img\b[^>]*\balt="([^"]+)"')


def links(fragment: str) -> list[str]:
    """The href of every link of a sanitized HTML fragment, as written."""
    return [href for href, _ in ANCHOR.findall(fragment)]


def wordless(inner: str) -> bool:
    """Whether a link's content gives it no name: no text, no image description (a screen
    reader then reads out its address)."""
    return not html.unescape(TAG.sub("", inner)).strip() and not ALT.search(inner)


def target(page_url: str, href: str) -> str | None:
    """The path a link of the page at ``page_url`` leads to on this site, without query and
    fragment (as a web server normalizes it); None for other sites, mail and telephone
    links, and links within the page."""
    href = html.unescape(href)
    if href.startswith(("#", "//")) or ":" in href.split("/", 1)[0]:
        return None
    path = href.split("#", 1)[0].split("?", 1)[0]
    if not path.startswith("/"):  # relative to the page's folder (page URLs end in /)
        path = page_url.rsplit("/", 1)[0] + "/" + path
    normal = posixpath.normpath(unquote(path))
    return normal + "/" if path.endswith("/") and normal != "/" else normal


def exists(output: Path, path: str) -> bool:
    """Whether the output answers ``path`` with a file (a folder with its index.html)."""
    found = output / path.lstrip("/")
    return (found / "index.html").is_file() if path.endswith("/") or found.is_dir() \
        else found.is_file()


def check(site: Site, output: Path) -> list[Problem]:
    """Every link of every item's text to an address the output lacks, once per link its
    source writes (a generated language's page repeats its source's links)."""
    problems: dict[tuple[Path, str], Problem] = {}
    for lang in sorted(site.languages, key=lambda lang: bool(lang.derived_from)):
        for item in site.items[lang.code]:
            if HREF not in item.html:
                continue
            for href, inner in ANCHOR.findall(item.html):
                if wordless(inner) and not lang.derived_from:
                    problems.setdefault((item.source, f"[]({href})"), _wordless(item, href))
                path = target(item.url, href)
                if path is None or exists(output, path):
                    continue
                written = html.unescape(href)
                if lang.derived_from and written.startswith(f"/{lang.prefix}/"):
                    written = written[len(lang.prefix) + 1:]  # as its source writes it
                problems.setdefault((item.source, written),
                                    _problem(site, item, href, path, written))
    return list(problems.values())


def _problem(site: Site, item: Item, href: str, path: str, written: str) -> Problem:
    hidden = next((i for items in site.drafts.values() for i in items if i.url == path), None)
    why = "leads to no page of the portal"
    if hidden is not None:
        why = ("leads to a draft" if hidden.is_draft else
               f"leads to {hidden.relpath}, which is scheduled for {hidden.date:%Y-%m-%d %H:%M}")
    where = f" (in the {item.lang.name} site)" if item.lang.derived_from else ""
    return Problem(item.source, line_of(item.source, f"({written}", written),
                   f"the link '{html.unescape(href)}' {why}{where}",
                   "link an address the site has: /<section>/<file name>/ in Chinese, "
                   "/en/<section>/<file name>/ in English; check the file name and language")


def _wordless(item: Item, href: str) -> Problem:
    written = html.unescape(href)
    return Problem(item.source, line_of(item.source, f"]({written}", written),
                   f"the link to '{written}' has no words: a screen reader reads out its address",
                   f"say where it leads between the brackets: [通知全文]({written})")


def _check_output(site: Site, output: Path, settings: dict[str, Any]) -> None:
    problems = check(site, output)
    if problems:
        raise ContentError(problems)


def register() -> None:
    site_built.connect(_check_output)
