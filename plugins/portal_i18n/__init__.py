"""portal_i18n: gettext catalogs, Babel dates and numbers, hreflang and switcher targets.

Installed into every Jinja environment of a language run, so templates only ever say
``_("…")``, ``value|date`` and ``alternates(target)``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Hashable
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, dates, lists, numbers, units
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from pelican import signals

import portal_model
from portal_model import Item, Language, Site
from portal_model.pages import list_pages

DOMAIN = "messages"

#: Paths that exist in every language besides the model's lists, such as the search page;
#: plugins that write them register them here, so the switcher and hreflang lead to them.
every_language: set[str] = set()


def catalog(translations_dir: str, lang: str,
            convert: Callable[[str], str] | None = None) -> Translations:
    """Compile a language's .po catalog in memory, so a build never reads a stale .mo.
    A derived language (zh-Hant) has no catalog of its own: its source's is converted.
    Remembered by the catalog's bytes, not its path: a process that builds again (the
    preview server, whose PDFs ask for catalogs before the language runs are forked) must
    see a translator's edit."""
    po_path = Path(translations_dir) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    return _compiled(po_path.read_bytes(), convert)


@lru_cache(maxsize=16)  # a few builds' worth: each build converts with a converter of its own
def _compiled(po: bytes, convert: Callable[[str], str] | None) -> Translations:
    messages = read_po(io.BytesIO(po), locale=None, domain=DOMAIN)
    if convert is not None:
        for message in messages:
            if message.id and isinstance(message.string, tuple):
                message.string = tuple(convert(s) for s in message.string)
            elif message.id:
                message.string = convert(message.string)
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


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated later, in every language at once."""
    return message


#: The language banner's texts (theme/static/js/language-banner.js), each shown in the
#: language it suggests, so every page carries them in every language.
SUGGESTION_TEXTS = {
    "label": N_("Language suggestion"),
    "page": N_("This page is also available in your language:"),
    "site": N_("This website is also available in your language:"),
    "dismiss": N_("Dismiss"),
}


def suggestions(site: Site, settings: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Per language: its tag, home and the banner's texts in that language, for the script
    that suggests the visitor's language (it carries no translations of its own)."""
    data = {}
    for lang in site.languages:
        texts = translations_for(settings, lang, site)
        data[lang.code] = {"tag": lang.tag, "name": lang.name, "home": lang.root,
                           **{key: texts.gettext(msg) for key, msg in SUGGESTION_TEXTS.items()}}
    return data


def filesize(size: int, locale: Locale) -> str:
    """Bytes as readers read them: 212 KB, 1.4 MB, in the locale's own words and digits."""
    for unit, factor in (("digital-megabyte", 1_000_000), ("digital-kilobyte", 1000)):
        if size >= factor:
            return units.format_unit(size / factor, unit, length="short", format="#,##0.#",
                                     locale=locale)
    return units.format_unit(size, "digital-byte", length="short", locale=locale)


def date_filter(locale: Locale) -> Callable[..., str]:
    @lru_cache(maxsize=8192)
    def formatted(day: dt.date, format: str) -> str:
        """Babel formats a date in ≈ 50 µs, and list pages show the same dates again."""
        return dates.format_date(day, format=format, locale=locale)

    def format_date(value: dt.date | dt.datetime | None, format: str = "long") -> str:
        """``format``: a Babel date format, "iso", or "moment": the long date, with the time
        of day when there is one (the locale joins them); "iso-moment": ISO 8601 likewise."""
        if value is None:
            return ""
        day = value.date() if isinstance(value, dt.datetime) else value
        timed = isinstance(value, dt.datetime) and value.time() != dt.time()
        if format == "iso" or (format == "iso-moment" and not timed):
            return day.isoformat()
        if format == "iso-moment":
            return value.isoformat(timespec="minutes")
        if format == "moment":
            if not timed:
                return formatted(day, "long")
            return str(locale.datetime_formats["long"]).format(
                dates.format_time(value, format="short", locale=locale), formatted(day, "long"))
        return formatted(day, format)
    return format_date


def number_filter(locale: Locale) -> Callable[[float], str]:
    return lambda value: numbers.format_decimal(value, locale=locale)


def setup_environment(generator: Any) -> None:
    site = portal_model.current()
    install(generator.env, site, site.language(generator.settings["PORTAL_LANG"]),
            generator.settings)


def translations_for(settings: dict[str, Any], lang: Language, site: Site) -> Translations:
    """The theme's gettext catalog of a language; a derived language (zh-Hant) converts the
    catalog of the language it is generated from."""
    converter = site.converters.get(lang.code) if lang.derived_from else None
    return catalog(str(Path(settings["THEME"]) / "translations"), lang.derived_from or lang.code,
                   converter)


def install(env: Any, site: Site, lang: Language, settings: dict[str, Any]) -> None:
    """Give a Jinja environment the language's gettext, filters and globals; used by the
    language runs and by outputs rendered outside them (PDFs)."""
    locale = Locale.parse(lang.locale)
    translations = translations_for(settings, lang, site)
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_translations(translations, newstyle=True)
    env.globals["_"] = env.globals["gettext"] = quick_gettext(translations)
    env.filters["date"] = date_filter(locale)
    env.filters["number"] = number_filter(locale)
    env.filters["money"] = lambda amount, code="CNY": numbers.format_currency(
        amount, code, locale=locale)
    env.filters["percent"] = lambda share: numbers.format_percent(
        share, format="#,##0.#%", locale=locale)
    env.filters["filesize"] = lambda size: filesize(size, locale)
    env.filters["label"] = lambda key, kind: site.label(kind, key, lang.code)
    #: "2027 and 2028", "2027和2028": a list as the language writes one
    env.filters["words"] = lambda values: lists.format_list([str(v) for v in values],
                                                            locale=locale)
    env.globals.update(
        SITE=site,
        LANG=lang,
        setting=lambda name: localized(site, lang, settings.get(name)),
        localized=lambda value: localized(site, lang, value),
        alternates=lambda target: alternates(site, target),
        switcher=lambda target: switcher(site, lang, target),
        menu=lambda name, current="": menu(site, lang, name, current),
        once=fragments(),
        # the same on every page: encoded once
        LANGUAGE_SUGGESTIONS=Markup(htmlsafe_json_dumps(suggestions(site, settings),
                                                        sort_keys=True)),
    )


def fragments() -> Callable[..., Markup]:
    """``{% call once("footer") %}…{% endcall %}``: a fragment that is the same on every page
    of a language (it shows only settings, data files and the language) is rendered for the
    first page and reused; the footer was an eighth of rendering a page. Settings and data
    are in every page's key, so an incremental build never keeps a page with another one.

    ``once(name, *key)`` keeps one fragment per key: an item's entry in lists (keyed by its
    URL), the same on the section, category and tag pages that show it, is rendered once."""
    made: dict[tuple[Hashable, ...], Markup] = {}

    def once(name: str, *key: Hashable, caller: Callable[[], str]) -> Markup:
        found = made.get((name, *key))
        if found is None:
            found = made[(name, *key)] = Markup(caller())
        return found

    return once


def quick_gettext(translations: Translations) -> Callable[..., str]:
    """Jinja's newstyle ``gettext`` (and ``_``), with each message looked up once: a page
    calls it a score of times, and Jinja's own (an alias that resolves and calls it, a
    context call, Markup and formatting every time) took a tenth of rendering a page."""
    marked: dict[str, Markup] = {}
    alone: dict[str, Markup] = {}

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, message: str, **variables: Any) -> str:
        if not eval_ctx.autoescape:
            return translations.gettext(message) % variables
        if not variables:  # formatted with nothing all the same, as Jinja does ("%%")
            text = alone.get(message)
            if text is None:
                text = alone[message] = Markup(translations.gettext(message)) % {}
            return text
        text = marked.get(message)
        if text is None:
            text = marked[message] = Markup(translations.gettext(message))
        return text % variables

    return gettext


class Menu(list[dict[str, Any]]):
    """A menu's links (each a dict: label, url, current, external). ``current``: the positions
    of the links marked current, all a page's menu depends on in its language, so a template
    can render it once per ``current`` (``once("main-nav", links.current)``)."""

    current: tuple[int, ...] = ()


def menu(site: Site, lang: Language, name: str, current: str = "") -> Menu:
    """A navigation menu from data/menus.yml in the page's language; ``current`` is the
    language-independent path of the page, to mark where the visitor is."""
    links = Menu()
    for entry in site.data.get("menus", {}).get(name, []):
        if lang.code not in entry.get("languages", [lang.code]):
            continue
        path = entry.get("path")
        url = lang.url(path) if path is not None else entry["url"]
        here = path is not None and (current == path or (path != "" and current.startswith(path)))
        labels = entry["label"]
        label = labels.get(lang.code) or site.convert(lang.code, labels[lang.derived_from])
        links.append({"label": label, "url": url, "current": here,
                      "external": path is None})
    links.current = tuple(n for n, link in enumerate(links) if link["current"])
    return links


def localized(site: Site, lang: Language, value: Any) -> Any:
    """Values given per language ({'zh': …, 'en': …}) resolve to the current language; a
    derived language (zh-Hant) converts its source language's value when it has none."""
    if not isinstance(value, dict):
        return value
    if lang.code in value:
        return value[lang.code]
    if lang.derived_from in value:
        return site.convert(lang.code, value[lang.derived_from])
    return value


def register() -> None:
    signals.generator_init.connect(setup_environment)
