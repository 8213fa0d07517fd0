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


def write(site: Site, output: Path, settings: dict[str, Any]) -> None:
    base = settings["PORTAL_SITE_URL"].rstrip("/")
    parts = [HEADER]
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
            parts.append(f"  <url>\n    <loc>{_esc(base + url)}</loc>\n{lastmod}{block}  </url>\n")
    parts.append("</urlset>\n")
    (output / "sitemap.xml").write_text("".join(parts), encoding="utf-8")
    (output / "robots.txt").write_text(
        f"User-agent: *\nAllow: /\n\nSitemap: {base}/sitemap.xml\n", encoding="utf-8")


def _links(site: Site, target: Item | str, base: str) -> str:
    """The hreflang alternates of a page (every language's version, and x-default)."""
    others = alternates(site, target)
    links = [(other.tag, url) for other, url in others]
    default = next((url for other, url in others if other == site.default), None)
    if len(links) > 1 and default:
        links.append(("x-default", default))
    return "".join(f'    <xhtml:link rel="alternate" hreflang={quoteattr(hreflang)} '
                   f"href={quoteattr(base + href)}/>\n" for hreflang, href in links)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _on_built(site: Site, output: Path, settings: dict[str, Any]) -> None:
    if not site.show_drafts:  # a preview build is never announced to search engines
        write(site, output, settings)


def register() -> None:
    site_built.connect(_on_built)
