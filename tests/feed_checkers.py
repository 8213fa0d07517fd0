"""Feed validators: feedparser as readers see a feed, plus the rules it does not check.

feedparser only flags XML that is not well-formed (``bozo``); the required elements and
attributes of Atom 1.0 (RFC 4287), RSS 2.0 (the RSS Advisory Board's specification) and
JSON Feed 1.1 are checked here explicitly. Each checker returns a list of problems.
"""

from __future__ import annotations

import email.utils
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedparser

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
JSONFEED = "https://jsonfeed.org/version/1.1"


class _Urls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v or "" for k, v in attrs if k in ("href", "src")]


def relative_urls(html: str) -> list[str]:
    """Links and images in HTML content that a partner could not resolve."""
    parser = _Urls()
    parser.feed(html)
    return [u for u in parser.urls if not re.match(r"^(https?:|mailto:|tel:)", u)]


def _absolute(url: str | None) -> bool:
    return bool(url) and bool(re.match(r"^https?://[^/]", url or ""))


def _one(parent: ET.Element, tag: str, where: str, problems: list[str]) -> ET.Element | None:
    found = parent.findall(tag)
    if len(found) != 1:
        problems.append(f"{where}: {len(found)} <{tag.replace(ATOM, 'atom:')}>, expected one")
    return found[0] if found else None


def _parsed(path: Path, version: str) -> list[str]:
    parsed = feedparser.parse(path.read_bytes())
    problems = []
    if parsed.bozo:
        problems.append(f"{path}: feedparser: {parsed.bozo_exception}")
    if parsed.version != version:
        problems.append(f"{path}: feedparser reads it as '{parsed.version}', not {version}")
    return problems


def atom_problems(path: Path) -> list[str]:
    problems = _parsed(path, "atom10")
    root = ET.parse(path).getroot()
    if root.tag != f"{ATOM}feed":
        return [*problems, f"{path}: the root is {root.tag}, not atom:feed"]
    if not root.get(XML_LANG):
        problems.append(f"{path}: the feed has no xml:lang")
    for tag in ("id", "title", "updated"):
        _one(root, f"{ATOM}{tag}", str(path), problems)
    links = root.findall(f"{ATOM}link")
    selfs = [link for link in links if link.get("rel") == "self"]
    if len(selfs) != 1 or not _absolute(selfs[0].get("href")):
        problems.append(f"{path}: needs exactly one absolute rel=self link")
    alternates = Counter((link.get("type"), link.get("hreflang")) for link in links
                         if link.get("rel", "alternate") == "alternate")
    problems += [f"{path}: two alternate links of type {k}" for k, n in alternates.items() if n > 1]
    feed_author = root.find(f"{ATOM}author")
    ids = []
    for number, entry in enumerate(root.findall(f"{ATOM}entry"), start=1):
        where = f"{path}: entry {number}"
        for tag in ("id", "title", "updated"):
            _one(entry, f"{ATOM}{tag}", where, problems)
        ids.append(entry.findtext(f"{ATOM}id"))
        if feed_author is None and entry.find(f"{ATOM}author") is None:
            problems.append(f"{where}: no author (neither the feed nor the entry has one)")
        content = entry.find(f"{ATOM}content")
        entry_links = entry.findall(f"{ATOM}link")
        if content is None and not any(link.get("rel", "alternate") == "alternate"
                                       for link in entry_links):
            problems.append(f"{where}: neither content nor an alternate link")
        if content is None and entry.find(f"{ATOM}summary") is None:
            problems.append(f"{where}: neither content nor summary")
        for link in entry_links:
            if not _absolute(link.get("href")):
                problems.append(f"{where}: link {link.get('href')} is not absolute")
            if link.get("rel") == "enclosure" and not (link.get("length") and link.get("type")):
                problems.append(f"{where}: an enclosure needs length and type")
        for tag in ("updated", "published"):
            value = entry.findtext(f"{ATOM}{tag}")
            if value is not None and not RFC3339.match(value):
                problems.append(f"{where}: {tag} '{value}' is not an RFC 3339 date")
        if content is not None:
            problems += [f"{where}: relative URL {u} in content"
                         for u in relative_urls(content.text or "")]
    problems += [f"{path}: the id {i} is used twice" for i, n in Counter(ids).items() if n > 1]
    if not RFC3339.match(root.findtext(f"{ATOM}updated") or ""):
        problems.append(f"{path}: the feed's updated is not an RFC 3339 date")
    return problems


def rss_problems(path: Path) -> list[str]:
    problems = _parsed(path, "rss20")
    root = ET.parse(path).getroot()
    if root.tag != "rss" or root.get("version") != "2.0":
        return [*problems, f"{path}: the root is not <rss version=\"2.0\">"]
    channel = _one(root, "channel", str(path), problems)
    if channel is None:
        return problems
    for tag in ("title", "link", "description", "language"):
        _one(channel, tag, f"{path}: channel", problems)
    selfs = [link for link in channel.findall(f"{ATOM}link") if link.get("rel") == "self"]
    if len(selfs) != 1 or not _absolute(selfs[0].get("href")):
        problems.append(f"{path}: needs exactly one absolute atom:link rel=self")
    guids = []
    for number, item in enumerate(channel.findall("item"), start=1):
        where = f"{path}: item {number}"
        if item.find("title") is None and item.find("description") is None:
            problems.append(f"{where}: needs a title or a description")
        guid = item.find("guid")
        if guid is None or guid.get("isPermaLink") != "false":
            problems.append(f"{where}: needs <guid isPermaLink=\"false\">")
        else:
            guids.append(guid.text)
        if not _absolute(item.findtext("link")):
            problems.append(f"{where}: the link is not absolute")
        try:
            email.utils.parsedate_to_datetime(item.findtext("pubDate") or "")
        except (TypeError, ValueError):
            problems.append(f"{where}: pubDate is not an RFC 822 date")
        for enclosure in item.findall("enclosure"):
            if not (_absolute(enclosure.get("url")) and (enclosure.get("length") or "").isdigit()
                    and enclosure.get("type")):
                problems.append(f"{where}: an enclosure needs url, length and type")
        problems += [f"{where}: relative URL {u} in description"
                     for u in relative_urls(item.findtext("description") or "")]
    problems += [f"{path}: the guid {g} is used twice" for g, n in Counter(guids).items() if n > 1]
    return problems


def jsonfeed_problems(path: Path) -> list[str]:
    problems: list[str] = []
    try:
        feed: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        return [f"{path}: not JSON ({exc})"]
    if feed.get("version") != JSONFEED:
        problems.append(f"{path}: version must be {JSONFEED}")
    if not isinstance(feed.get("title"), str) or not feed["title"]:
        problems.append(f"{path}: a title is required")
    for key in ("home_page_url", "feed_url"):
        if not _absolute(feed.get(key)):
            problems.append(f"{path}: {key} must be an absolute URL")
    if not isinstance(feed.get("items"), list):
        return [*problems, f"{path}: items must be a list"]
    ids = []
    for number, item in enumerate(feed["items"], start=1):
        where = f"{path}: item {number}"
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"{where}: id must be a non-empty string")
        ids.append(item.get("id"))
        if not (item.get("content_html") or item.get("content_text")):
            problems.append(f"{where}: needs content_html or content_text")
        for key in ("date_published", "date_modified"):
            if key in item and not RFC3339.match(item[key]):
                problems.append(f"{where}: {key} is not an RFC 3339 date")
        if "url" in item and not _absolute(item["url"]):
            problems.append(f"{where}: url must be absolute")
        for attachment in item.get("attachments", []):
            if not (_absolute(attachment.get("url")) and attachment.get("mime_type")):
                problems.append(f"{where}: an attachment needs url and mime_type")
        problems += [f"{where}: relative URL {u} in content_html"
                     for u in relative_urls(item.get("content_html", ""))]
    problems += [f"{path}: the id {i} is used twice" for i, n in Counter(ids).items() if n > 1]
    return problems


def feed_problems(path: Path) -> list[str]:
    """Problems of a feed file, by its name: *.atom.xml, *.rss.xml or *.json."""
    if path.name.endswith(".atom.xml"):
        return atom_problems(path)
    if path.name.endswith(".rss.xml"):
        return rss_problems(path)
    return jsonfeed_problems(path)
