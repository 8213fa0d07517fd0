"""portal_opencc: a language generated from another one's content with OpenCC (繁體 from 简体).

Editors write once in Simplified Chinese; the Traditional site converts titles, bodies,
summaries, text metadata, labels, menus and UI strings. A hand-written file under the derived
language's folder (same relative path) wins over the conversion. URLs, code, document numbers
and the phrases listed in ``data/opencc-exceptions.yml`` are kept as written.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import opencc
import yaml

from portal_model import Item, Problem, Site, cache_folder, derive_languages, on_every_core
from portal_model.store import Store, code_version, versioned

EXCEPTIONS_FILE = "opencc-exceptions.yml"
#: Document numbers such as 丰政发〔2020〕12号 keep their characters: they are identifiers.
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号")
TAG = re.compile(r"(<[^>]+>)")
VERBATIM = re.compile(r"^<(code|pre|kbd|samp)\b", re.IGNORECASE)
#: Attributes whose values readers see or hear (an image's description, a tooltip).
READ_ATTRIBUTE = re.compile(r'(\s(?:alt|title)=")([^"]*)(")')
PLACEHOLDER = "\ue000{}\ue001"  # private-use characters: OpenCC leaves them alone
RESTORE = re.compile("\ue000(\\d+)\ue001")
CACHE_VERSION = "opencc-3"
SHORT = 80  # characters: labels and settings, converted once per build
PARALLEL = 200  # items to convert from which conversion is spread over every core


class Converter:
    """OpenCC with protected spans: exceptions and document numbers are never converted."""

    def __init__(self, conversion: str, exceptions: list[str]) -> None:
        self.conversion = conversion
        self.engine = opencc.OpenCC(f"{conversion}.json")
        self.exceptions = sorted(set(exceptions), key=len, reverse=True)
        self._short: dict[str, str] = {}
        pattern = "|".join(re.escape(e) for e in self.exceptions)
        self.protected = re.compile(f"{pattern}|{DOC_NUMBER.pattern}" if pattern
                                    else DOC_NUMBER.pattern)
        self.fingerprint = hashlib.sha256(
            "\n".join([conversion, opencc.__version__ if hasattr(opencc, "__version__") else "",
                       *self.exceptions]).encode()).hexdigest()[:16]

    def text(self, value: str) -> str:
        """Convert text; short strings (labels, menus, settings a page shows many times)
        are remembered."""
        if len(value) <= SHORT:
            found = self._short.get(value)
            if found is None:
                found = self._short[value] = self._convert(value)
            return found
        return self._convert(value)

    def _convert(self, value: str) -> str:
        kept: list[str] = []

        def hold(match: re.Match[str]) -> str:
            kept.append(match.group(0))
            return PLACEHOLDER.format(len(kept) - 1)

        converted = self.engine.convert(self.protected.sub(hold, value))
        return RESTORE.sub(lambda m: kept[int(m.group(1))], converted)

    def html(self, fragment: str) -> str:
        """Convert text between tags and the text of attributes readers see (alt, title);
        other attributes (URLs) and code stay as written."""
        parts = TAG.split(fragment)
        depth = 0
        for index, part in enumerate(parts):
            if index % 2:  # a tag
                if VERBATIM.match(part):
                    depth += 1
                elif re.match(r"^</(code|pre|kbd|samp)\b", part, re.IGNORECASE):
                    depth = max(0, depth - 1)
                elif not depth and ("alt=" in part or "title=" in part):
                    parts[index] = READ_ATTRIBUTE.sub(
                        lambda m: m.group(1) + self.text(m.group(2)) + m.group(3), part)
            elif part and not depth:
                parts[index] = self.text(part)
        return "".join(parts)

    def value(self, value: Any) -> Any:
        """Front-matter values: text converted, keys and dates unchanged (OpenCC leaves ASCII)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value


Converted = tuple[dict[str, Any], str, str]  # an item's metadata, HTML and text
#: Converted items by source digest and converter: an unchanged source is converted once.
Cache = Store[Converted]


def convert_item(source: Item, lang: Any, converter: Converter, cache: Cache,
                 key: str) -> Item:
    """The derived language's item of ``source`` (``key``: its ``_key``)."""
    found = cache.get(key)
    if found is None:
        found = cache.put(key, _converted((source.meta, source.html, source.text), converter))
    meta, html, text = found
    return replace(source, lang=lang, meta={**meta, "translated_from": source.digest}, html=html,
                   text=text, translations=source.translations, source_item=source.source_item)


def _key(source: Item, converter: Converter) -> str:
    return hashlib.sha256("\0".join([converter.fingerprint, source.html, repr(sorted(
        source.meta.items(), key=lambda kv: kv[0]))]).encode()).hexdigest()


def _converted(parts: Converted, converter: Converter) -> Converted:
    meta, html, text = parts
    return ({k: v if k in {"slug", "translation_key", "translated_from"} else converter.value(v)
             for k, v in meta.items()}, converter.html(html), converter.text(text))


_working: Converter | None = None  # what forked workers convert with


def _convert_in_worker(parts: Converted) -> Converted:
    assert _working is not None
    return _converted(parts, _working)


def _convert_missing(sources: dict[str, Item], converter: Converter, cache: Cache) -> None:
    """Convert the items (by cache key) not in the cache on every core when there are many (a
    cold build: OpenCC takes about half a millisecond an item, the generated site's every
    item)."""
    global _working
    missing = {key: source for key, source in sources.items() if key not in cache.entries}
    _working = converter
    try:
        done = on_every_core(_convert_in_worker, [(item.meta, item.html, item.text)
                                                  for item in missing.values()],
                             PARALLEL, chunksize=32)
    finally:
        _working = None
    if done is not None:  # else converted one by one as they are linked
        for key, converted in zip(missing, done, strict=True):
            cache.put(key, converted)


def derive(site: Site, root: Path) -> list[Problem]:
    """Generate every derived language's items and link them into the translation groups."""
    problems: list[Problem] = []
    derived = [lang for lang in site.languages if lang.derived_from]
    if not derived:
        return problems
    exceptions = _exceptions(root / "data" / EXCEPTIONS_FILE, problems)
    cache = Cache(versioned(cache_folder(site.settings), CACHE_VERSION,
                            code_version(Path(__file__).parent)))
    for lang in derived:
        converter = Converter(lang.conversion, exceptions)
        site.converters[lang.code] = converter.text
        written = {i.relpath: i for i in site.items[lang.code]}
        sources = site.items[lang.derived_from]
        known = {i.relpath for i in sources}
        for relpath, item in written.items():
            if relpath not in known:
                problems.append(Problem(item.source, 0, f"this hand-written {lang.name} file has "
                                        f"no {lang.derived_from} source at the same path",
                                        f"add content/{lang.derived_from}/{relpath} or remove "
                                        "this file"))
        keys = {source.relpath: _key(source, converter) for source in sources
                if source.relpath not in written}
        _convert_missing({keys[s.relpath]: s for s in sources if s.relpath in keys},
                         converter, cache)
        items = []
        stay = _root_only(site, lang.prefix)
        for source in sources:
            item = written.get(source.relpath)
            if item is None:
                item = convert_item(source, lang, converter, cache, keys[source.relpath])
                if 'href="/' in item.html:
                    item.html = localized_links(item.html, lang.prefix, stay)
            else:
                item.source_item = source.source_item
            item.translations = source.translations
            source.translations[lang.code] = item
            items.append(item)
        site.items[lang.code] = items
        for item in items:  # cross-references lead to the pages of this language
            item.related = _repoint(item.related, lang.code)
    cache.save()
    return problems


_SITE_LINK = re.compile(r'href="/(?!/)([^"]*)"')


def localized_links(fragment: str, prefix: str, stay: set[str]) -> str:
    """Links to the source language's pages (``/news/port/``) as links to this language's
    (``/zh-hant/news/port/``), so that a reader stays in the script they chose; links into
    another language's folder or to what only the site's root has (``stay``) are kept."""
    def localized(link: re.Match[str]) -> str:
        path = link.group(1)
        first = re.split(r"[/?#]", path, maxsplit=1)[0]
        return link.group(0) if first in stay else f'href="/{prefix}/{path}"'
    return _SITE_LINK.sub(localized, fragment)


def _root_only(site: Site, prefix: str) -> set[str]:
    """First path segments a derived language's folder does not have: the languages'
    folders, the theme's assets, the sitemap and robots.txt (which the link check confirms:
    a link this makes wrong stops the build)."""
    return {lang.prefix for lang in site.languages if lang.prefix} | {
        str(site.settings.get("THEME_STATIC_DIR", "theme")), "sitemap.xml", "robots.txt"}


def _repoint(value: Any, code: str) -> Any:
    """Items referred to (a policy's interpretations, a letter's department) as this
    language publishes them, where it does."""
    if isinstance(value, Item):
        return value.translations.get(code, value)
    if isinstance(value, list):
        return [_repoint(v, code) for v in value]
    if isinstance(value, dict):
        return {k: _repoint(v, code) for k, v in value.items()}
    return value


@cache
def _exceptions_text(path: Path, mtime: float) -> str:
    return path.read_text(encoding="utf-8")


def _exceptions(path: Path, problems: list[Problem]) -> list[str]:
    """Phrases editors keep unconverted (proper names, quoted titles)."""
    if not path.exists():
        return []
    loaded = yaml.safe_load(_exceptions_text(path, path.stat().st_mtime)) or {}
    phrases = loaded.get("keep", []) if isinstance(loaded, dict) else None
    if not isinstance(phrases, list) or not all(isinstance(p, str) and p for p in phrases):
        problems.append(Problem(path, 1, "expected 'keep:' followed by a list of phrases",
                                "write keep: [大丰港, ...] — one phrase per entry"))
        return []
    return phrases


def converter_for(site: Site, code: str) -> Callable[[str], str] | None:
    return site.converters.get(code)


def register() -> None:
    derive_languages.connect(derive)
