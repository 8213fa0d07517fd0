"""portal_sitemap: sitemap.xml with hreflang alternates for every language, and robots.txt.

Written once for the whole portal from the content model, in a worker alongside the language
runs (``portal_build.alongside``): it needs only the model, so it fills a core the runs leave
idle instead of following them (half a second at 4 × 10,000 items).

A sitemap holds at most 50,000 URLs and 50 MB (sitemaps.org); a larger portal (four languages
of 10,000 items and their generated Traditional-Chinese site pass 50,000 pages) gets
``sitemap-1.xml``, ``sitemap-2.xml`` … and ``sitemap.xml`` becomes the index of them, so
robots.txt and search engines' settings name the same file either way.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import portal_model
from portal_build import alongside, before_languages, timed
from portal_i18n import alternates
from portal_model import Item, Site
from portal_model.pages import list_pages

XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
HEADER = f'{XML}<urlset xmlns="{NS}" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
FOOTER = "</urlset>\n"
#: The protocol's limits for one sitemap file (``PORTAL_SITEMAP_MAX_URLS`` lowers the first).
MAX_URLS = 50_000
MAX_BYTES = 50 * 1024 * 1024
#: Text XML needs no escape for, in an element or in a double-quoted attribute.
_PLAIN = re.compile(r"[^&<>\"'\n\r\t]*\Z")


def write(site: Site, output: Path, settings: dict[str, Any]) -> None:
    base = settings["PORTAL_SITE_URL"].rstrip("/")
    files = _split(_entries(site, base), int(settings.get("PORTAL_SITEMAP_MAX_URLS", MAX_URLS)))
    if len(files) == 1:
        (output / "sitemap.xml").write_text(files[0], encoding="utf-8")
    else:
        parts = [f'{XML}<sitemapindex xmlns="{NS}">\n']
        for number, text in enumerate(files, 1):
            (output / f"sitemap-{number}.xml").write_text(text, encoding="utf-8")
            parts.append(f"  <sitemap><loc>{_esc(base)}/sitemap-{number}.xml</loc></sitemap>\n")
        parts.append("</sitemapindex>\n")
        (output / "sitemap.xml").write_text("".join(parts), encoding="utf-8")
    (output / "robots.txt").write_text(
        f"User-agent: *\nAllow: /\n\nSitemap: {base}/sitemap.xml\n", encoding="utf-8")


def _entries(site: Site, base: str) -> list[str]:
    """A ``<url>`` element per page of every language."""
    entries = []
    # Translations share their alternates: each group's links are formatted once.
    links: dict[Any, str] = {}
    for lang in site.languages:
        for target in [*site.items[lang.code], *list_pages(site, lang.code)]:
            if isinstance(target, Item):
                url, group = target.url, id(target.translations)
                when = (target.updated or target.date).date().isoformat()
                lastmod = f"    <lastmod>{when}</lastmod>\n"
            else:
                url, group, lastmod = lang.url(target), target, ""
            block = links.get(group)
            if block is None:
                block = links[group] = _links(site, target, base)
            loc = f"    <loc>{_esc(base + url)}</loc>\n"
            entries.append(f"  <url>\n{loc}{lastmod}{block}  </url>\n")
    return entries


def _split(entries: list[str], max_urls: int) -> list[str]:
    """The sitemap files: as few as hold the entries within the protocol's limits."""
    files: list[str] = []
    chunk: list[str] = []
    empty = len((HEADER + FOOTER).encode())
    size = empty
    for entry in entries:
        weight = len(entry.encode())
        if chunk and (len(chunk) == max_urls or size + weight > MAX_BYTES):
            files.append(HEADER + "".join(chunk) + FOOTER)
            chunk, size = [], empty
        chunk.append(entry)
        size += weight
    files.append(HEADER + "".join(chunk) + FOOTER)
    return files


def _links(site: Site, target: Item | str, base: str) -> str:
    """The hreflang alternates of a page (every language's version, and x-default)."""
    others = alternates(site, target)
    links = [(other.tag, url) for other, url in others]
    default = next((url for other, url in others if other == site.default), None)
    if len(links) > 1 and default:
        links.append(("x-default", default))
    return "".join(f'    <xhtml:link rel="alternate" hreflang={_quote(hreflang)} '
                   f"href={_quote(base + href)}/>\n" for hreflang, href in links)


def _quote(value: str) -> str:
    """An attribute value, quoted and escaped (as ``quoteattr``, which took a fifth of the
    sitemap's time, though URLs and language tags seldom need escaping)."""
    return f'"{value}"' if _PLAIN.match(value) else quoteattr(value)


def _esc(text: str) -> str:
    if _PLAIN.match(text):
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _before_languages(site: Site, output: Path, settings: dict[str, Any]) -> None:
    if not site.show_drafts:  # a preview build is never announced to search engines
        alongside(_write_current, output, settings)


def _write_current(output: Path, settings: dict[str, Any]) -> dict[str, Any]:
    with timed("site"):
        write(portal_model.current(), output, settings)
    return {}


def register() -> None:
    before_languages.connect(_before_languages)
