"""Atom 1.0 (RFC 4287, tombstones RFC 6721), RSS 2.0 and JSON Feed 1.1 from entries.

Feeds and single entries (what syndication pushes) come from the same functions, so a partner
receives exactly what a feed reader sees.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import format_datetime

from .entries import Entry

ATOM = "http://www.w3.org/2005/Atom"
TOMBSTONES = "http://purl.org/atompub/tombstones/1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass(frozen=True)
class FeedInfo:
    """What a feed says about itself (format-independent, all URLs absolute)."""

    id: str
    title: str
    subtitle: str
    self_urls: dict[str, str]  # format → URL of this feed in it
    home_url: str
    updated: dt.datetime
    author: str
    author_url: str
    language_tag: str
    hub: str = ""
    full_content: bool = True


def _a(tag: str) -> str:
    """Atom names are written unprefixed: every Atom document declares Atom its default
    namespace (the root's ``xmlns``), so the output reads like the RFC's examples."""
    return tag


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        node.text = text
    return node


def _xml(root: ET.Element) -> bytes:
    ET.indent(root, space=" ")
    return (b'<?xml version="1.0" encoding="utf-8"?>\n'
            + ET.tostring(root, encoding="unicode").encode() + b"\n")


def atom_entry(entry: Entry, full_content: bool = True, document: bool = False) -> ET.Element:
    """An ``<entry>``; as a document of its own it carries its language and author."""
    node = ET.Element(_a("entry"))
    if document:
        node.set("xmlns", ATOM)
        node.set(XML_LANG, entry.lang.tag)
    _sub(node, _a("id"), entry.id)
    _sub(node, _a("title"), entry.title, type="text")
    _sub(node, _a("published"), entry.published.isoformat())
    _sub(node, _a("updated"), entry.updated.isoformat())
    _sub(node, _a("link"), rel="alternate", type="text/html", href=entry.url,
         hreflang=entry.lang.tag)
    if entry.enclosure:
        _sub(node, _a("link"), rel="enclosure", type=entry.enclosure.type,
             length=str(entry.enclosure.length), href=entry.enclosure.url)
    for term, label in entry.categories:
        _sub(node, _a("category"), term=term, label=label)
    _sub(node, _a("summary"), entry.summary, type="text")
    if full_content:
        _sub(node, _a("content"), entry.content_html, type="html")
    return node


def atom_tombstone(entry_id: str, url: str, when: dt.datetime, comment: str) -> bytes:
    """An RFC 6721 deleted-entry: the entry with this id is withdrawn."""
    node = ET.Element("at:deleted-entry", {"xmlns": ATOM, "xmlns:at": TOMBSTONES,
                                            "ref": entry_id, "when": when.isoformat()})
    _sub(node, _a("link"), rel="alternate", href=url)
    _sub(node, "at:comment", comment)
    return _xml(node)


def atom_entry_document(entry: Entry, author: str, author_url: str) -> bytes:
    node = atom_entry(entry, document=True)
    who = ET.Element(_a("author"))
    _sub(who, _a("name"), author)
    _sub(who, _a("uri"), author_url)
    node.insert(1, who)
    return _xml(node)


def atom_feed(info: FeedInfo, entries: list[Entry]) -> bytes:
    root = ET.Element(_a("feed"), {"xmlns": ATOM, XML_LANG: info.language_tag})
    _sub(root, _a("id"), info.id)
    _sub(root, _a("title"), info.title, type="text")
    _sub(root, _a("subtitle"), info.subtitle, type="text")
    _sub(root, _a("updated"), info.updated.isoformat())
    _sub(root, _a("link"), rel="self", type="application/atom+xml", href=info.self_urls["atom"])
    _sub(root, _a("link"), rel="alternate", type="text/html", href=info.home_url)
    if info.hub:
        _sub(root, _a("link"), rel="hub", href=info.hub)
    author = _sub(root, _a("author"))
    _sub(author, _a("name"), info.author)
    _sub(author, _a("uri"), info.author_url)
    for entry in entries:
        root.append(atom_entry(entry, info.full_content))
    return _xml(root)


def rss_feed(info: FeedInfo, entries: list[Entry]) -> bytes:
    root = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM})
    channel = _sub(root, "channel")
    _sub(channel, "title", info.title)
    _sub(channel, "link", info.home_url)
    _sub(channel, "description", info.subtitle)
    _sub(channel, "language", info.language_tag)
    _sub(channel, "pubDate", format_datetime(info.updated))
    _sub(channel, "lastBuildDate", format_datetime(info.updated))
    _sub(channel, "docs", "https://www.rssboard.org/rss-specification")
    _sub(channel, "atom:link", rel="self", type="application/rss+xml", href=info.self_urls["rss"])
    if info.hub:
        _sub(channel, "atom:link", rel="hub", href=info.hub)
    for entry in entries:
        item = _sub(channel, "item")
        _sub(item, "title", entry.title)
        _sub(item, "link", entry.url)
        _sub(item, "description", entry.content_html if info.full_content else entry.summary)
        _sub(item, "guid", entry.id, isPermaLink="false")
        _sub(item, "pubDate", format_datetime(entry.published))
        for _term, label in entry.categories:
            _sub(item, "category", label)
        if entry.enclosure:
            _sub(item, "enclosure", url=entry.enclosure.url, length=str(entry.enclosure.length),
                 type=entry.enclosure.type)
    return _xml(root)


def json_item(entry: Entry, full_content: bool = True) -> dict[str, object]:
    item: dict[str, object] = {
        "id": entry.id,
        "url": entry.url,
        "title": entry.title,
        "summary": entry.summary,
        "date_published": entry.published.isoformat(),
        "date_modified": entry.updated.isoformat(),
        "language": entry.lang.tag,
    }
    if full_content:
        item["content_html"] = entry.content_html
    else:
        item["content_text"] = entry.summary
    if entry.categories:
        item["tags"] = [label for _term, label in entry.categories]
    if entry.enclosure:
        item["attachments"] = [{"url": entry.enclosure.url, "mime_type": entry.enclosure.type,
                                "size_in_bytes": entry.enclosure.length}]
    return item


def json_tombstone(entry_id: str, url: str, when: dt.datetime, comment: str) -> dict[str, object]:
    """A JSON Feed item saying the item with this id is withdrawn (``_portal`` extension)."""
    return {"id": entry_id, "url": url, "content_text": comment,
            "date_modified": when.isoformat(),
            "_portal": {"about": "https://www.rfc-editor.org/rfc/rfc6721", "withdrawn": True}}


def json_feed(info: FeedInfo, entries: list[Entry]) -> bytes:
    feed: dict[str, object] = {
        "version": JSONFEED_VERSION,
        "title": info.title,
        "description": info.subtitle,
        "home_page_url": info.home_url,
        "feed_url": info.self_urls["json"],
        "language": info.language_tag,
        "authors": [{"name": info.author, "url": info.author_url}],
        "items": [json_item(e, info.full_content) for e in entries],
    }
    if info.hub:
        feed["hubs"] = [{"type": "WebSub", "url": info.hub}]
    return json.dumps(feed, ensure_ascii=False, indent=1).encode() + b"\n"


WRITERS = {"atom": atom_feed, "rss": rss_feed, "json": json_feed}
