"""portal_i18n: gettext catalogs, Babel dates and numbers, hreflang and switcher targets.

Installed into every Jinja environment of a language run, so templates only ever say
``_("…")``, ``value|date`` and ``alternates(target)``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from pelican import signals

import portal_model
from portal_model import Item, Language, Site
from portal_model.pages import list_pages

DOMAIN = "messages"

#: Paths that exist in every language besides the model's lists, such as the search page;
#: plugins that write them register them here, so the switcher and hreflang lead to them.
every_language: set[str] = set()


@cache
def catalog(translations_dir: str, lang: str) -> Translations:
    """Compile a language's .po catalog in memory, so a build never reads a stale .mo."""
    po_path = Path(translations_dir) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as po:
        messages = read_po(po, locale=None, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, messages)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def alternates(site: Site, target: Item | str | None) -> list[tuple[Language, str]]:
    """Each language's version of a page that exists: an item's translations, or a list path."""
    if target is None:
        return []
    if isinstance(target, Item):
        return [(lang, target.translations[lang.code].url) for lang in site.languages
                if lang.code in target.translations]
    return [(lang, lang.url(target)) for lang in site.languages
            if target in every_language or target in list_pages(site, lang.code)]


def switcher(site: Site, current: Language, target: Item | str | None) -> list[dict[str, Any]]:
    """Links to every language: the same page where it exists, else that language's home
    with its 'not available in this language' note (never a 404)."""
    existing = dict((lang.code, url) for lang, url in alternates(site, target))
    links = []
    for lang in site.languages:
        url = existing.get(lang.code)
        missing = url is None and target is not None and lang != current
        links.append({"lang": lang, "current": lang == current, "missing": missing,
                      "url": url or (lang.root + ("#not-translated" if missing else ""))})
    return links


def date_filter(locale: Locale) -> Callable[..., str]:
    def format_date(value: dt.date | dt.datetime | None, format: str = "long") -> str:
        if value is None:
            return ""
        day = value.date() if isinstance(value, dt.datetime) else value
        if format == "iso":
            return day.isoformat()
        return dates.format_date(day, format=format, locale=locale)
    return format_date


def number_filter(locale: Locale) -> Callable[[float], str]:
    return lambda value: numbers.format_decimal(value, locale=locale)


def setup_environment(generator: Any) -> None:
    site = portal_model.current()
    lang = site.language(generator.settings["PORTAL_LANG"])
    locale = Locale.parse(lang.locale)
    env = generator.env
    translations_dir = str(Path(generator.settings["THEME"]) / "translations")
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_translations(catalog(translations_dir, lang.code), newstyle=True)
    env.filters["date"] = date_filter(locale)
    env.filters["number"] = number_filter(locale)
    env.filters["label"] = lambda key, kind: site.label(kind, key, lang.code)
    env.globals.update(
        SITE=site,
        LANG=lang,
        setting=lambda name: _localized(generator.settings.get(name), lang.code),
        alternates=lambda target: alternates(site, target),
        switcher=lambda target: switcher(site, lang, target),
        menu=lambda name, current="": menu(site, lang, name, current),
    )


def menu(site: Site, lang: Language, name: str, current: str = "") -> list[dict[str, Any]]:
    """A navigation menu from data/menus.yml in the page's language; ``current`` is the
    language-independent path of the page, to mark where the visitor is."""
    links = []
    for entry in site.data.get("menus", {}).get(name, []):
        if lang.code not in entry.get("languages", [lang.code]):
            continue
        path = entry.get("path")
        url = lang.url(path) if path is not None else entry["url"]
        here = path is not None and (current == path or (path != "" and current.startswith(path)))
        links.append({"label": entry["label"][lang.code], "url": url, "current": here,
                      "external": path is None})
    return links


def _localized(value: Any, code: str) -> Any:
    """Settings given per language ({'zh': …, 'en': …}) resolve to the current language."""
    if isinstance(value, dict) and code in value:
        return value[code]
    return value


def register() -> None:
    signals.generator_init.connect(setup_environment)
