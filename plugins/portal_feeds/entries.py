"""What a feed or a partner sees of an item, in no particular format.

Feeds (pull) and syndication (push) both read this, so an entry has one id, one version and
one set of dates wherever it appears.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit
from zoneinfo import ZoneInfo

from portal_model import Item, Language, Site

#: Format name → (file suffix, media type). ``feeds/<name>.<suffix>``.
FORMATS: dict[str, tuple[str, str]] = {
    "atom": ("atom.xml", "application/atom+xml"),
    "rss": ("rss.xml", "application/rss+xml"),
    "json": ("json", "application/feed+json"),
}
_URL_ATTR = re.compile(r'(\s(?:href|src)=")([^"]*)(")')


@dataclass(frozen=True)
class Enclosure:
    """A file that goes with an item (a policy's PDF): absolute URL, size in bytes, type."""

    url: str
    length: int
    type: str = "application/pdf"


@dataclass(frozen=True)
class Entry:
    """One item as feeds and partners see it."""

    id: str
    item: Item
    lang: Language
    title: str
    url: str
    published: dt.datetime
    updated: dt.datetime
    summary: str
    content_html: str
    categories: list[tuple[str, str]] = field(default_factory=list)
    enclosure: Enclosure | None = None
    change_note: str = ""
    withdrawn: bool = False

    @cached_property
    def version(self) -> str:
        """Changes with anything a reader sees: a new version for partners."""
        shown = {
            "title": self.title, "url": self.url, "summary": self.summary,
            "content": self.content_html, "published": self.published.isoformat(),
            "updated": self.item.updated.isoformat() if self.item.updated else "",
            "change_note": self.change_note, "categories": self.categories,
            "enclosure": [self.enclosure.url, self.enclosure.length] if self.enclosure else None,
            "withdrawn": self.withdrawn,
        }
        blob = json.dumps(shown, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


@dataclass(frozen=True)
class Feed:
    """One feed of a language: every item, a section's, or a category's."""

    kind: str  # all | section | category
    key: str
    lang: Language
    entries: list[Entry]

    def path(self, fmt: str) -> str:
        """Language-independent path, e.g. 'feeds/news.atom.xml'."""
        name = {"all": "all", "section": self.key, "category": f"category/{self.key}"}[self.kind]
        return f"feeds/{name}.{FORMATS[fmt][0]}"

    @property
    def page_path(self) -> str:
        """The HTML page the feed mirrors (the alternate link)."""
        return {"all": "", "section": f"{self.key}/",
                "category": f"categories/{self.key}/"}[self.kind]

    @property
    def digest(self) -> str:
        """Changes whenever an entry is added, removed or has a new version (for WebSub)."""
        blob = "\n".join(f"{e.id} {e.version}" for e in self.entries)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def site_url(settings: Mapping[str, Any]) -> str:
    return str(settings["PORTAL_SITE_URL"]).rstrip("/")


def tag_authority(settings: Mapping[str, Any]) -> str:
    """'host,year' of tag: URIs; fixed by a setting so ids survive a change of address."""
    given = settings.get("PORTAL_TAG_AUTHORITY")
    if given:
        return str(given)
    return f"{urlsplit(site_url(settings)).hostname},2026"


def item_id(origin_key: str, lang: str, settings: Mapping[str, Any]) -> str:
    """Stable, opaque entry id: the key first published under, and the language (RFC 4151)."""
    return f"tag:{tag_authority(settings)}:{lang}/{quote(origin_key, safe='/-._~')}"


def feed_id(path: str, lang: str, settings: Mapping[str, Any]) -> str:
    return f"tag:{tag_authority(settings)}:{lang}/{path}"


def zone(settings: Mapping[str, Any]) -> ZoneInfo:
    return ZoneInfo(str(settings.get("TIMEZONE") or "UTC"))


def aware(value: dt.datetime, settings: Mapping[str, Any]) -> dt.datetime:
    """Dates in content have no zone; they are in the portal's TIMEZONE."""
    return value if value.tzinfo else value.replace(tzinfo=zone(settings))


def absolute_html(html: str, base: str) -> str:
    """Every href and src resolved against the item's own absolute URL."""
    return _URL_ATTR.sub(lambda m: m.group(1) + urljoin(base, m.group(2)) + m.group(3), html)


def enclosure(item: Item, settings: Mapping[str, Any], output: Path | None) -> Enclosure | None:
    """The item's PDF, when a plugin gave the item a ``pdf`` (mapping or object with ``url``,
    and ``length``/``type`` if known; a missing length is read from the built file)."""
    pdf = getattr(item, "pdf", None)
    if not pdf:
        return None

    def get(name: str) -> Any:
        return pdf.get(name) if isinstance(pdf, Mapping) else getattr(pdf, name, None)

    url = urljoin(site_url(settings) + item.url, str(get("url")))
    length = get("length")
    if length is None and output is not None:
        built = output / urlsplit(url).path.lstrip("/")
        length = built.stat().st_size if built.is_file() else None
    if length is None:
        return None
    return Enclosure(url, int(length), str(get("type") or "application/pdf"))


def is_withdrawn(item: Item) -> bool:
    return item.meta.get("status") == "withdrawn"


def entry(site: Site, item: Item, output: Path | None = None) -> Entry:
    settings = site.settings
    url = site_url(settings) + item.url
    major = item.updated if item.updated and item.meta.get("change_note") else item.date
    categories = [(item.category, site.label("categories", item.category, item.lang.code))] \
        if item.category else []
    categories += [(tag, site.label("tags", tag, item.lang.code)) for tag in item.tags]
    return Entry(
        id=item_id(item.origin_key or item.key, item.lang.code, settings),
        item=item, lang=item.lang, title=item.title, url=url,
        published=aware(item.date, settings), updated=aware(major, settings),
        summary=item.summary, content_html=absolute_html(item.html, url),
        categories=categories, enclosure=enclosure(item, settings, output),
        change_note=str(item.meta.get("change_note") or ""), withdrawn=is_withdrawn(item),
    )


def dated(site: Site, lang: str) -> list[Item]:
    """A language's items that belong in feeds: dated sections, published, newest first."""
    return [i for i in site.published(lang) if i.section.kind == "article"
            and not i.unpublished and not is_withdrawn(i)]


def feeds(site: Site, lang: str, output: Path | None = None) -> list[Feed]:
    """Every feed of a language: all items, each dated section, each used category."""
    from portal_model.schema import SECTIONS

    limit = site.settings.get("PORTAL_FEED_LIMIT")
    items = dated(site, lang)
    groups = [("all", "", items)]
    groups += [("section", name, [i for i in items if i.section.name == name])
               for name, section in SECTIONS.items() if section.kind == "article"]
    for key in site.data.get("categories", {}):
        members = [i for i in items if i.category == key]
        if members:
            groups.append(("category", key, members))
    # Entries (each with its HTML made absolute) only for the items some feed shows.
    shown = [members[:limit] if limit else members for _, _, members in groups]
    made: dict[int, Entry] = {}
    for members in shown:
        for item in members:
            if id(item) not in made:
                made[id(item)] = entry(site, item, output)
    language = site.language(lang)
    return [Feed(kind, key, language, [made[id(i)] for i in members])
            for (kind, key, _), members in zip(groups, shown, strict=True)]


def updated(feed: Feed, site: Site) -> dt.datetime:
    """Newest major change of a feed's entries; an empty feed dates from the build."""
    if feed.entries:
        return max(e.updated for e in feed.entries)
    day = site.build_date
    return aware(dt.datetime(day.year, day.month, day.day), site.settings)
