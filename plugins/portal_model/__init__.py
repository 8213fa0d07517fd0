"""portal_model: the YAML-front-matter reader, section schemas, validation and translation map.

The model is loaded once per build (by ``portal_build``, before the language runs fork) and
Pelican's reader only hands out what the model already parsed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pelican import signals
from pelican.readers import BaseReader

from .errors import ContentError, Problem
from .languages import Language, languages_from
from .model import (
    Item,
    Site,
    cache_folder,
    derive_languages,
    load_site,
    model_loaded,
    on_every_core,
)

__all__ = [
    "ContentError",
    "Item",
    "Language",
    "Problem",
    "Site",
    "cache_folder",
    "current",
    "derive_languages",
    "languages_from",
    "load_site",
    "model_loaded",
    "on_every_core",
    "register",
    "use",
]

_site: Site | None = None


def use(site: Site) -> None:
    """Make a loaded model the one every plugin in this process reads."""
    global _site
    _site = site


def current() -> Site:
    if _site is None:
        raise RuntimeError("the content model is not loaded; build with 'invoke build'")
    return _site


class PortalReader(BaseReader):
    """Hands Pelican the model's items; drafts are skipped unless previewing."""

    enabled = True
    file_extensions: ClassVar[list[str]] = ["md"]

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        site = current()
        relpath = Path(source_path).relative_to(self.settings["PATH"]).as_posix()
        item = site.item_at(self.settings["PORTAL_LANG"], relpath)
        if item is None:  # a draft outside preview: kept out of every output
            return "", {"status": "skip", "title": "", "date": None}
        meta: dict[str, Any] = {
            "title": item.title,
            "date": item.date,
            "slug": item.slug,
            "lang": item.lang.code,
            "status": "published",
            "section": item.section.name,
            "summary": item.summary,
            "item": item,
            # Given, not formatted from URL settings by Pelican for every use: same values.
            "url": item.path,
            "save_as": f"{item.path}index.html",
        }
        if item.section.template:
            meta["template"] = item.section.template
        if item.updated:
            meta["modified"] = item.updated
        # No Pelican category or tags: the templates show the model's, the lists plugin
        # writes their pages, and Pelican would group every article by them for pages it
        # does not write (a scan of all articles per category and tag).
        return item.html, meta


def _add_reader(readers: Any) -> None:
    readers.reader_classes["md"] = PortalReader


def _ensure_loaded(pelican: Any) -> None:
    if _site is None:
        use(load_site(pelican.settings))


def register() -> None:
    signals.initialized.connect(_ensure_loaded)
    signals.readers_init.connect(_add_reader)
