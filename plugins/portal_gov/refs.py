"""References between government items, resolved once the model is loaded.

A reference names another item by its slug (``policy: rural-housing-subsidy``). It resolves to
the item in the same language, else to the default language's: a translated interpretation
may explain a policy that exists only in Chinese.
"""

from __future__ import annotations

import datetime as dt

from portal_model import Item, Problem, Site
from portal_model.schema import STAGES

#: section: [(field, section it names, relation listed on the named item)]
REFERENCES: dict[str, list[tuple[str, str, str]]] = {
    "interpretations": [("policy", "policies", "interpretations")],
    "procurement-notices": [("project", "procurement", "notices")],
    "policies": [("replaced_by", "policies", "replaces")],
}


def find(site: Site, lang: str, section: str, slug: str) -> Item | None:
    """The item of ``section`` with ``slug`` in ``lang``, else in the default language."""
    index: dict[tuple[str, str], Item] = site.__dict__.setdefault("_gov_paths", {})
    if not index:
        for code, items in site.items.items():
            for item in items:
                index[(code, item.path)] = item
    path = f"{section}/{slug}/"
    return index.get((lang, path)) or index.get((site.default.code, path))


def target(site: Site, item: Item, field: str) -> Item | None:
    """What one of an item's reference fields points at."""
    for name, section, _ in REFERENCES.get(item.section.name, []):
        if name == field and field in item.meta:
            return find(site, item.lang.code, section, item.meta[field])
    return None


def link(site: Site) -> list[Problem]:
    """Resolve every reference both ways; a reference to nothing is a problem."""
    problems = []
    for code, items in site.items.items():
        for item in items:
            for field, section, relation in REFERENCES.get(item.section.name, []):
                if field not in item.meta:
                    continue
                found = find(site, code, section, item.meta[field])
                if found is None or found.key == item.key:
                    problems.append(_dangling(site, item, field, section))
                    continue
                item.related[field] = found
                if found.lang == item.lang:
                    found.related.setdefault(relation, []).append(item)
            if item.section.name == "consultations":
                item.related["state"] = consultation_state(item, site.build_date)
    for items in site.items.values():
        offices = {i.meta["department"]: i for i in items if i.section.name == "departments"}
        for item in items:
            if item.section.name == "letters" and item.meta.get("department") in offices:
                item.related["department"] = offices[item.meta["department"]]
            item.related.get("interpretations", []).sort(key=lambda i: i.date)
            item.related.get("notices", []).sort(key=timeline_key)
    return problems


def _dangling(site: Site, item: Item, field: str, section: str) -> Problem:
    """A reference to nothing published: to a draft or a scheduled item, said so."""
    code, slug = item.lang.code, item.meta[field]
    path = f"{section}/{slug}/"
    hidden = next((i for lang in (code, site.default.code) for i in site.drafts.get(lang, [])
                   if i.path == path), None)
    if hidden is not None and hidden.scheduled and not hidden.is_draft:
        return Problem(item.source, item.lines.get(field, 0),
                       f"'{field}: {slug}' names {hidden.relpath}, which is scheduled for "
                       f"{hidden.date:%Y-%m-%d %H:%M} and not published yet",
                       "date this item on or after it, or date that one earlier")
    if hidden is not None:
        return Problem(item.source, item.lines.get(field, 0),
                       f"'{field}: {slug}' names {hidden.relpath}, which is a draft",
                       "publish that one first, or make this item a draft too")
    return Problem(item.source, item.lines.get(field, 0),
                   f"'{field}: {slug}' names no other published item in {section}/",
                   f"use the file name (without .md) of an item in content/{code}/{section}/ "
                   f"or content/{site.default.code}/{section}/")


def timeline_key(notice: Item) -> tuple[dt.datetime, int]:
    """Stages in the order they happened; on one day, in the order procurement runs."""
    return notice.date, STAGES.index(notice.meta["stage"])


def consultation_state(item: Item, today: dt.date) -> str:
    """'upcoming', 'open' (opening and closing days included) or 'closed', as of ``today``."""
    if today < item.meta["opens"].date():
        return "upcoming"
    return "open" if today <= item.meta["closes"].date() else "closed"
