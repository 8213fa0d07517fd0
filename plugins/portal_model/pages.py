"""Which list pages each language has: home, section lists, categories and tags, paginated,
and the other generated pages that are not items (the mailbox form).

Computed from the model alone, so the page writer, the language switcher, hreflang and the
sitemap agree on what exists in every language without reading each other's output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from blinker import signal

from .errors import Problem
from .model import Item, Site
from .schema import SECTIONS

#: The public-interaction form (mayor's mailbox), one per language.
MAILBOX = "mailbox/write/"

#: Sent once per language when its list pages are computed: ``collect_pages.send(site,
#: lang=code)``. Receivers return ``{path: ListPage}`` of pages of their own (catalogue,
#: statistics), which the writer, switcher, hreflang and sitemap then treat like any list.
collect_pages = signal("portal_collect_pages")


@dataclass(frozen=True)
class ListPage:
    """One page of a list; ``key`` is the section, category or tag it lists."""

    kind: str  # home | section | category | tag | categories | tags | mailbox | feeds
    key: str
    path: str
    items: list[Item] = field(default_factory=list)
    number: int = 1
    count: int = 1
    base: str = ""
    keys: list[tuple[str, int]] = field(default_factory=list)
    #: A plugin page's template (theme/templates/<template>.html) and what it shows.
    template: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def page_path(self, number: int) -> str:
        return page_path(self.base, number)

    @property
    def previous_path(self) -> str | None:
        return self.page_path(self.number - 1) if self.number > 1 else None

    @property
    def next_path(self) -> str | None:
        return self.page_path(self.number + 1) if self.number < self.count else None

    @property
    def numbers(self) -> list[int | None]:
        """The pages the pagination links to, None where it skips some: the first, the last,
        this one and its neighbours (GOV.UK's pattern), so that a list of hundreds of pages
        is crossed in a few steps. A gap of one page shows that page instead."""
        shown = sorted({n for n in (1, self.number - 1, self.number, self.number + 1,
                                    self.count) if 1 <= n <= self.count})
        numbers: list[int | None] = []
        last = 0
        for number in shown:
            if number - last == 2:
                numbers.append(number - 1)
            elif number - last > 2:
                numbers.append(None)
            numbers.append(number)
            last = number
        return numbers


def page_path(base: str, number: int) -> str:
    """Where page ``number`` of the list at ``base`` is: ``base``, then ``base``page/2/ …"""
    return base if number == 1 else f"{base}page/{number}/"


def paginated(site: Site, kind: str, key: str, base: str, members: list[Item], *,
              template: str = "", extra: dict[str, Any] | None = None) -> dict[str, ListPage]:
    """A list cut into pages of ``PORTAL_PAGE_SIZE`` items, by path (one empty page when
    there are no members)."""
    size: int = site.settings.get("PORTAL_PAGE_SIZE", 20)
    count = max(1, math.ceil(len(members) / size))
    pages: dict[str, ListPage] = {}
    for number in range(1, count + 1):
        path = page_path(base, number)
        pages[path] = ListPage(kind, key, path, members[(number - 1) * size: number * size],
                               number, count, base, template=template, extra=extra or {})
    return pages


def listed(site: Site, lang: str) -> list[Item]:
    """Items shown in a language's lists; with PORTAL_SHOW_UNTRANSLATED, untranslated
    default-language items too (templates badge them with their original language)."""
    items = list(site.items[lang])
    if site.show_untranslated and lang != site.default.code:
        items += [i for i in site.items[site.default.code] if lang not in i.translations]
    return sorted(items, key=lambda i: (i.date, i.relpath), reverse=True)


def list_pages(site: Site, lang: str) -> dict[str, ListPage]:
    """Every list page of a language, by language-independent path (computed once per model)."""
    known = site.__dict__.setdefault("_list_pages", {})
    if lang not in known:
        known[lang] = _list_pages(site, lang)
    return known[lang]


def _list_pages(site: Site, lang: str) -> dict[str, ListPage]:
    items = listed(site, lang)
    pages: dict[str, ListPage] = {"": ListPage("home", "", "", items)}

    for name, section in SECTIONS.items():
        members = [i for i in items if i.section.name == name]
        if section.kind == "page" or section.order == "title":
            members.sort(key=lambda i: i.title)
        pages.update(paginated(site, "section", name, f"{name}/", members))
    for kind, plural, attr in (("category", "categories", "category"), ("tag", "tags", "tags")):
        members_of: dict[str, list[Item]] = {key: [] for key in site.data.get(plural, {})}
        for item in items:  # one pass, newest first as in ``items``
            value: Any = getattr(item, attr)
            for key in dict.fromkeys(value if isinstance(value, list) else [value]):
                if key in members_of:
                    members_of[key].append(item)
        used = {key: members for key, members in members_of.items() if members}
        pages[f"{plural}/"] = ListPage(plural, "", f"{plural}/",
                                       keys=[(key, len(members)) for key, members in used.items()])
        for key, members in used.items():
            pages.update(paginated(site, kind, key, f"{plural}/{key}/", members))
    pages[MAILBOX] = ListPage("mailbox", "", MAILBOX)
    pages["feeds/"] = ListPage("feeds", "", "feeds/")  # lists the feeds of portal_feeds
    for _, found in collect_pages.send(site, lang=lang):
        pages.update(found or {})
    return pages


def menu_problems(site: Site, menus_file: Path) -> list[Problem]:
    """Menu entries pointing at a portal path that a language does not have."""
    problems = []
    lines = _key_lines(menus_file)
    for name, entries in site.data.get("menus", {}).items():
        for number, entry in enumerate(entries or []):
            path = entry.get("path") if isinstance(entry, dict) else None
            labels = entry.get("label", {}) if isinstance(entry, dict) else {}
            line = lines.get((name, number), 0)
            if not isinstance(entry, dict) or (path is None and not entry.get("url")):
                problems.append(Problem(menus_file, line, f"entry {number + 1} of '{name}' has "
                                        "neither 'path' nor 'url'", "give it one of them"))
                continue
            for lang in site.languages:
                if lang.code not in entry.get("languages", [lang.code]):
                    continue
                if lang.derived_from:
                    pass  # a derived language converts its source's label
                elif not isinstance(labels, dict) or not labels.get(lang.code):
                    problems.append(Problem(menus_file, line, f"entry {number + 1} of '{name}' "
                                            f"has no label in {lang.code}",
                                            "add a label for every language it is shown in"))
                exists = path is None or path in list_pages(site, lang.code) or any(
                    i.path == path for i in site.items[lang.code])
                if not exists:
                    problems.append(Problem(menus_file, line, f"'{path}' in menu '{name}' does not "
                                            f"exist in {lang.code}",
                                            "publish that page in this language, or list the "
                                            "entry's languages with 'languages: [...]'"))
    return problems


def _key_lines(path: Path) -> dict[tuple[str, int], int]:
    """Line of each menu entry, for error messages."""
    if not path.exists():
        return {}
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    lines = {}
    for key, value in getattr(node, "value", []):
        for number, entry in enumerate(getattr(value, "value", [])):
            lines[(str(key.value), number)] = entry.start_mark.line + 1
    return lines
