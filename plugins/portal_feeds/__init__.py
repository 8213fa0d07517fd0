"""portal_feeds: Atom, RSS and JSON feeds of every dated section, per language.

Written inside each language's run from the content model: ``feeds/all.atom.xml``,
``feeds/<section>.atom.xml``, ``feeds/category/<key>.atom.xml`` (and ``.rss.xml``, ``.json``),
under ``/feeds/`` for the default language and ``/<lang>/feeds/`` for the others. Templates get
``feed_links(target)`` (discovery links for a page's head) and ``feed_list()`` (the feeds page).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import Generator

import portal_model
from portal_build import timed
from portal_build.incremental import keep_file, wrote
from portal_i18n import localized, translations_for
from portal_model import Site

from .entries import FORMATS, Feed, feed_id, feeds, site_url, updated
from .formats import WRITERS, FeedInfo

FORMAT_NAMES = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}


class FeedCatalog:
    """A language's feeds with their titles, for the writer, the head and the feeds page."""

    def __init__(self, site: Site, lang: str, env: Any, output: Path | None) -> None:
        self.site = site
        self.lang = site.language(lang)
        self.env = env
        self.feeds = feeds(site, lang, output)
        self.base = site_url(site.settings)
        #: discovery links by the feeds they name: every page of a section shows the same
        self._links: dict[tuple[int, ...], list[dict[str, str]]] = {}

    def title(self, feed: Feed) -> str:
        """The feed's subject in the reader's language: the section or category label."""
        if feed.kind == "section":
            macros = self.env.get_template("_macros.html").module
            return str(macros.section_label(feed.key))
        if feed.kind == "category":
            return self.site.label("categories", feed.key, self.lang.code)
        return self._("All updates")

    def _(self, message: str) -> str:
        return translations_for(self.site.settings, self.lang, self.site).gettext(message)

    def city(self) -> str:
        return str(localized(self.site, self.lang, self.site.settings.get("CITY_NAME", "")))

    def url(self, feed: Feed, fmt: str) -> str:
        return self.base + self.lang.url(feed.path(fmt))

    def info(self, feed: Feed) -> FeedInfo:
        settings = self.site.settings
        sponsor = settings.get("SPONSOR", "")
        return FeedInfo(
            id=feed_id(feed.path("atom").removesuffix(".atom.xml"), self.lang.code, settings),
            title=f"{self.city()} — {self.title(feed)}",
            subtitle=self.title(feed),
            self_urls={fmt: self.url(feed, fmt) for fmt in FORMATS},
            home_url=self.base + self.lang.url(feed.page_path),
            updated=updated(feed, self.site),
            author=str(localized(self.site, self.lang, sponsor))
            or self.city(),
            author_url=self.base + self.lang.root,
            language_tag=self.lang.tag,
            hub=str(settings.get("PORTAL_WEBSUB_HUB") or ""),
            full_content=settings.get("PORTAL_FEED_CONTENT", "full") != "summary",
        )

    def links(self, target: Any = None) -> list[dict[str, str]]:
        """Discovery links: the language's 'all' feed, and the section's or category's feed
        on its pages."""
        path = getattr(target, "path", target) or ""
        # an item's path starts with its section's
        section = next((n for n, feed in enumerate(self.feeds)
                        if n and path.startswith(feed.page_path)), None)
        chosen = (0,) if section is None else (0, section)
        if chosen not in self._links:
            self._links[chosen] = [{"type": FORMATS[fmt][1], "href": self.url(feed, fmt),
                                    "title": f"{self.title(feed)} ({FORMAT_NAMES[fmt]})"}
                                   for feed in map(self.feeds.__getitem__, chosen)
                                   for fmt in FORMATS]
        return self._links[chosen]

    def listing(self) -> list[dict[str, Any]]:
        """Every feed with its title and its URL in each format, for the feeds page."""
        return [{"kind": feed.kind, "key": feed.key, "title": self.title(feed),
                 "count": len(feed.entries),
                 "formats": [{"name": FORMAT_NAMES[fmt], "type": FORMATS[fmt][1],
                              "url": self.lang.url(feed.path(fmt))} for fmt in FORMATS]}
                for feed in self.feeds]

    def write(self, output: Path) -> list[Path]:
        """Write every feed in every format below a language's output folder; a feed whose
        description and entries' versions are those of the live file is kept as it is."""
        written = []
        for feed in self.feeds:
            info = self.info(feed)
            shown = [(entry.id, entry.version, entry.lang.tag) for entry in feed.entries]
            for fmt, writer in WRITERS.items():
                name = feed.path(fmt)
                path = output / name
                key = repr((fmt, info, shown))
                if not keep_file(name, key):
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(writer(info, feed.entries))
                    wrote(name, key, path)
                written.append(path)
        return written


def _site_root(settings: dict[str, Any], lang: str) -> Path:
    """The whole site's output folder (a language's run writes below its prefix)."""
    output = Path(settings["OUTPUT_PATH"])
    return output.parent if portal_model.current().language(lang).prefix else output


_catalogs: dict[str, FeedCatalog] = {}


def catalog(generator: Any) -> FeedCatalog:
    """One catalog per language run (each run is its own forked process)."""
    lang = generator.settings["PORTAL_LANG"]
    if lang not in _catalogs:
        _catalogs[lang] = FeedCatalog(portal_model.current(), lang, generator.env,
                                      _site_root(generator.settings, lang))
    return _catalogs[lang]


class FeedsGenerator(Generator):
    """Writes the language's feeds; drafts, scheduled items and pages without a date are
    never in them."""

    def generate_output(self, writer: Any) -> None:
        with timed("feeds"):
            written = catalog(self).write(Path(self.output_path))
        for path in written:
            signals.content_written.send(str(path), context=self.context)


def _setup_environment(generator: Any) -> None:
    if "PORTAL_LANG" not in generator.settings:
        return
    generator.env.globals.update(
        feed_links=lambda target=None: catalog(generator).links(target),
        feed_list=lambda: catalog(generator).listing(),
    )


def _generators(_: Any) -> type[Generator]:
    return FeedsGenerator


def register() -> None:
    signals.generator_init.connect(_setup_environment)
    signals.get_generators.connect(_generators)
