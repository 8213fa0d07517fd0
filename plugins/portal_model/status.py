"""Translation status for editors: what is missing and what is outdated, per language."""

from __future__ import annotations

import re
from pathlib import Path

from .model import Item, Site


def missing(site: Site, lang: str) -> list[Item]:
    """Default-language items that have no translation in ``lang``."""
    return [i for i in site.published(site.default.code) if lang not in i.translations]


def outdated(site: Site, lang: str) -> list[Item]:
    """Translations in ``lang`` whose source changed after they were translated."""
    return [i for i in site.published(lang) if i.outdated]


def report(site: Site, langs: list[str] | None = None) -> str:
    """A plain-text report, one block per language. Load the model with ``show_drafts`` to
    have drafts and scheduled items in it, marked: translations are best made before the
    original is published."""
    lines = []
    for lang in site.languages[1:]:
        if (langs and lang.code not in langs) or lang.derived_from:
            continue
        gaps, stale = missing(site, lang.code), outdated(site, lang.code)
        lines.append(f"{lang.code} ({lang.name}): {len(site.items[lang.code])} items, "
                     f"{len(gaps)} missing, {len(stale)} outdated")
        lines += [f"  missing   {i.relpath}  {i.title}{_state(i)}" for i in gaps]
        lines += [f"  outdated  {i.relpath}  (source {i.source_item.relpath} is now "
                  f"{i.source_item.digest}, translated from {i.meta.get('translated_from', '—')})"
                  for i in stale if i.source_item]
    return "\n".join(lines)


def _state(item: Item) -> str:
    if item.is_draft:
        return "  (draft)"
    return f"  (scheduled for {item.date:%Y-%m-%d %H:%M})" if item.scheduled else ""


def stamp_file(site: Site, path: Path) -> str:
    """Record in a translation's front matter the source version it now matches."""
    item = site.by_source.get(path)
    if item is None or item.source_item is None or item.source_item is item:
        raise SystemExit(f"{path}: not a translation of a published item in the default language")
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---")
    line = f"translated_from: {item.source_item.digest}"
    if re.search(r"^translated_from:.*$", head, flags=re.MULTILINE):
        head = re.sub(r"^translated_from:.*$", line, head, flags=re.MULTILINE)
    else:
        head = f"{head}\n{line}"
    path.write_text(head + sep + body, encoding="utf-8")
    return f"{path}: {line}"
