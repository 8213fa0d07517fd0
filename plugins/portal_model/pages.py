"""Which list pages each language has: home, section lists, categories and tags, paginated.

Computed from the model alone, so the page writer, the language switcher, hreflang and the
sitemap agree on what exists in every language without reading each other's output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .model import Item, Site
from .schema import SECTIONS


@dataclass(frozen=True)
class ListPage:
    """One page of a list; ``key`` is the section, category or tag it lists."""

    kind: str  # home | section | category | tag | categories | tags
    key: str
    path: str
    items: list[Item] = field(default_factory=list)
    number: int = 1
    count: int = 1
    base: str = ""
    keys: list[tuple[str, int]] = field(default_factory=list)

    def page_path(self, number: int) -> str:
        return self.base if number == 1 else f"{self.base}page/{number}/"

    @property
    def previous_path(self) -> str | None:
        return self.page_path(self.number - 1) if self.number > 1 else None

    @property
    def next_path(self) -> str | None:
        return self.page_path(self.number + 1) if self.number < self.count else None


def listed(site: Site, lang: str) -> list[Item]:
    """Items shown in a language's lists; with PORTAL_SHOW_UNTRANSLATED, untranslated
    default-language items too (templates badge them with their original language)."""
    items = list(site.items[lang])
    if site.show_untranslated and lang != site.default.code:
        items += [i for i in site.items[site.default.code] if lang not in i.translations]
    return sorted(items, key=lambda i: (i.date, i.relpath), reverse=True)


def list_pages(site: Site, lang: str) -> dict[str, ListPage]:
    """Every list page of a language, by language-independent path."""
    return _list_pages(site, lang)


@cache
def _list_pages(site: Site, lang: str) -> dict[str, ListPage]:
    size: int = site.settings.get("PORTAL_PAGE_SIZE", 20)
    items = listed(site, lang)
    pages: dict[str, ListPage] = {"": ListPage("home", "", "", items)}

    def paginate(kind: str, key: str, base: str, members: list[Item]) -> None:
        count = max(1, math.ceil(len(members) / size))
        for number in range(1, count + 1):
            page = ListPage(kind, key, "", members[(number - 1) * size: number * size],
                            number, count, base)
            page = ListPage(kind, key, page.page_path(number), page.items, number, count, base)
            pages[page.path] = page

    for name, section in SECTIONS.items():
        members = [i for i in items if i.section.name == name]
        if section.kind == "page":
            members.sort(key=lambda i: i.title)
        paginate("section", name, f"{name}/", members)
    for kind, plural, attr in (("category", "categories", "category"), ("tag", "tags", "tags")):
        members_of = {key: [i for i in items if _has(i, attr, key)] for key in site.data.get(plural, {})}
        used = {key: members for key, members in members_of.items() if members}
        pages[f"{plural}/"] = ListPage(plural, "", f"{plural}/",
                                       keys=[(key, len(members)) for key, members in used.items()])
        for key, members in used.items():
            paginate(kind, key, f"{plural}/{key}/", members)
    return pages


def _has(item: Item, attr: str, key: str) -> bool:
    value: Any = getattr(item, attr)
    return key in value if isinstance(value, list) else value == key
