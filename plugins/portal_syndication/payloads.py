"""Request bodies in each partner format: IPTC ninjs 2.2, an Atom entry, a JSON Feed item.

Items use the same ids, versions and HTML as the feeds (portal_feeds.entries); withdrawals
are ninjs ``pubstatus: canceled``, an RFC 6721 Atom deleted-entry, or a JSON Feed tombstone.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from portal_feeds.entries import Entry
from portal_feeds.formats import atom_entry_document, atom_tombstone, json_item, json_tombstone

NINJS_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json"
CONTENT_TYPES = {
    "ninjs": "application/json; charset=utf-8",
    "atom": "application/atom+xml; type=entry; charset=utf-8",
    "jsonfeed": "application/json; charset=utf-8",
}
WITHDRAWN_NOTE = "This item has been withdrawn by the publisher."


@dataclass(frozen=True)
class Withdrawal:
    """What is known of an item that is withdrawn: from the model, or only from the ledger."""

    id: str
    url: str
    lang: str
    when: dt.datetime


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode()


def ninjs(entry: Entry, version: str, publisher: str) -> dict[str, object]:
    descriptions = [{"role": "summary", "contenttype": "text/plain", "value": entry.summary}]
    if entry.change_note:
        descriptions.append({"role": "changenote", "contenttype": "text/plain",
                             "value": entry.change_note})
    renditions: list[dict[str, object]] = [{"name": "web", "href": entry.url,
                                            "contenttype": "text/html"}]
    if entry.enclosure:
        renditions.append({"name": "pdf", "href": entry.enclosure.url,
                           "contenttype": entry.enclosure.type,
                           "sizeinbytes": entry.enclosure.length})
    data: dict[str, object] = {
        "uri": entry.id,
        "standard": {"name": "ninjs", "version": "2.2", "schema": NINJS_SCHEMA},
        "type": "text",
        "representationtype": "full",
        "profile": f"portal-{entry.item.section.name}",
        "version": version,
        "firstcreated": entry.published.isoformat(),
        "versioncreated": max(entry.published, entry.updated).isoformat(),
        "pubstatus": "usable",
        "language": entry.lang.tag,
        "headlines": [{"role": "main", "contenttype": "text/plain", "value": entry.title}],
        "descriptions": descriptions,
        "bodies": [{"role": "main", "contenttype": "text/html", "value": entry.content_html,
                    "charcount": len(entry.item.text)}],
        "copyrightholder": publisher,
        "renditions": renditions,
    }
    if entry.categories:
        data["subjects"] = [{"name": label, "literal": term} for term, label in entry.categories]
    return data


def ninjs_canceled(gone: Withdrawal, version: str, lang_tag: str) -> dict[str, object]:
    return {"uri": gone.id, "standard": {"name": "ninjs", "version": "2.2",
                                         "schema": NINJS_SCHEMA},
            "type": "text", "version": version, "versioncreated": gone.when.isoformat(),
            "pubstatus": "canceled", "language": lang_tag,
            "renditions": [{"name": "web", "href": gone.url, "contenttype": "text/html"}],
            "ednote": WITHDRAWN_NOTE}


def body(fmt: str, entry: Entry, version: str, publisher: str, publisher_url: str) -> bytes:
    if fmt == "ninjs":
        return _json(ninjs(entry, version, publisher))
    if fmt == "atom":
        return atom_entry_document(entry, publisher, publisher_url)
    return _json(json_item(entry))


def withdrawal_body(fmt: str, gone: Withdrawal, version: str, lang_tag: str) -> bytes:
    if fmt == "ninjs":
        return _json(ninjs_canceled(gone, version, lang_tag))
    if fmt == "atom":
        return atom_tombstone(gone.id, gone.url, gone.when, WITHDRAWN_NOTE)
    return _json(json_tombstone(gone.id, gone.url, gone.when, WITHDRAWN_NOTE))


def content_type(fmt: str, withdrawn: bool = False) -> str:
    if fmt == "atom" and withdrawn:
        return "application/atom+xml; charset=utf-8"
    return CONTENT_TYPES[fmt]
