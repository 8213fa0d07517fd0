"""portal_sitemap: sitemap.xml with hreflang alternates for every language, and robots.txt.

Written once for the whole portal from the content model, after all languages are built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from portal_build import site_built
from portal_i18n import alternates
from portal_model import Item, Site
from portal_model.pages import list_pages

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
          'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n')


def entries(site: Site) -> list[tuple[str, str | None, list[tuple[str, str]]]]:
    """(url, lastmod, [(hreflang, url)]) for every page of every language."""
    found = []
    for lang in site.languages:
        targets: list[Item | str] = [*site.items[lang.code], *list_pages(site, lang.code)]
        for target in targets:
            if isinstance(target, Item):
                url, when = target.url, (target.updated or target.date).date().isoformat()
            else:
                url, when = lang.url(target), None
            others = alternates(site, target)
            links = [(other.tag, other_url) for other, other_url in others]
            default = next((u for other, u in others if other == site.default), None)
            if len(links) > 1 and default:
                links.append(("x-default", default))
            found.append((url, when, links))
    return found


def write(site: Site, output: Path, settings: dict[str, Any]) -> None:
    base = settings["PORTAL_SITE_URL"].rstrip("/")
    parts = [HEADER]
    for url, lastmod, links in entries(site):
        parts.append(f"  <url>\n    <loc>{_esc(base + url)}</loc>\n")
        if lastmod:
            parts.append(f"    <lastmod>{lastmod}</lastmod>\n")
        for hreflang, href in links:
            parts.append(f'    <xhtml:link rel="alternate" hreflang={quoteattr(hreflang)} '
                         f"href={quoteattr(base + href)}/>\n")
        parts.append("  </url>\n")
    parts.append("</urlset>\n")
    (output / "sitemap.xml").write_text("".join(parts), encoding="utf-8")
    (output / "robots.txt").write_text(
        f"User-agent: *\nAllow: /\n\nSitemap: {base}/sitemap.xml\n", encoding="utf-8")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _on_built(site: Site, output: Path, settings: dict[str, Any]) -> None:
    if not site.show_drafts:  # a preview build is never announced to search engines
        write(site, output, settings)


def register() -> None:
    site_built.connect(_on_built)
