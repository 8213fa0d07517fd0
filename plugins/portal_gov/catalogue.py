"""The information-disclosure catalogue (信息公开目录): browse pages by topic, issuing body,
year and type, in every language, each saying how many more items exist only in the default
language. The same pages exist in every language, so the Chinese catalogue is always there.
A key's items are paginated like any list: a type or year of a large portal holds thousands."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from portal_model import Item, Site
from portal_model.pages import ListPage, listed, paginated

from .refs import target

SECTIONS = ("policies", "interpretations", "procurement", "procurement-notices")
BASE = "catalogue/"


def _owner(site: Site, item: Item) -> Item:
    """Where an item's topic and issuer come from: itself, its policy or its project."""
    for field in ("policy", "project"):
        found = target(site, item, field)
        if found is not None:
            return found
    return item


def _topic(site: Site, item: Item) -> str | None:
    return item.meta.get("topic") or _owner(site, item).meta.get("topic")


def _issuer(site: Site, item: Item) -> str | None:
    meta = item.meta
    owner = _owner(site, item).meta
    return meta.get("issuer") or meta.get("buyer") or owner.get("issuer") or owner.get("buyer")


#: dimension: how an item is classified in it (None: not in this dimension)
DIMENSIONS: dict[str, Callable[[Site, Item], str | None]] = {
    "topics": _topic,
    "issuers": _issuer,
    "years": lambda _, item: str(item.date.year),
    "types": lambda _, item: item.section.name,
}


def catalogue_pages(site: Site, lang: str) -> dict[str, ListPage]:
    shown = [i for i in listed(site, lang) if i.section.name in SECTIONS]
    default = site.default.code
    originals = [i for i in site.items[default] if i.section.name in SECTIONS]
    only_default = [i for i in originals if lang not in i.translations and i not in shown]
    pages: dict[str, ListPage] = {}
    index: dict[str, list[tuple[str, int]]] = {}
    for dimension, classify in DIMENSIONS.items():
        # each item classified once: a key's members in the order they are listed
        members_of: dict[str, list[Item]] = {}
        for item in shown:
            members_of.setdefault(classify(site, item) or "", []).append(item)
        missing_of = Counter(classify(site, item) or "" for item in only_default)
        keys = sorted(({k for i in originals if (k := classify(site, i))} | members_of.keys())
                      - {""}, key=_order(site, dimension))
        index[dimension] = []
        for key in keys:
            members, missing = members_of.get(key, []), missing_of[key]
            index[dimension].append((key, len(members)))
            pages.update(paginated(site, "catalogue", key, f"{BASE}{dimension}/{key}/", members,
                                   template="catalogue",
                                   extra={"dimension": dimension, "only_default": missing}))
    pages[BASE] = ListPage("catalogue", "", BASE, shown, base=BASE, template="catalogue_index",
                           extra={"dimensions": index, "only_default": len(only_default)})
    return pages


def _order(site: Site, dimension: str) -> Callable[[str], tuple[int, str]]:
    """Keys in the order of their data file (years newest first, types as declared)."""
    if dimension == "years":
        return lambda key: (-int(key), key)
    declared = list(site.data.get({"topics": "topics", "issuers": "bodies"}.get(dimension, ""),
                                  {})) or list(SECTIONS)
    return lambda key: (declared.index(key) if key in declared else len(declared), key)
