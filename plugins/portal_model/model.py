"""The content model: every source read once, validated, and linked to its translations.

Outputs (pages, lists, feeds, search, sitemap) all read this one model, so they all see
the same truth: drafts and scheduled items hidden everywhere, translations linked once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib
import logging
import os
import pickle
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import yaml
from blinker import signal

from . import render
from .errors import ContentError, Problem, line_of
from .frontmatter import FrontMatter, FrontMatterError, split
from .languages import Language, languages_from
from .schema import ATTACHMENT_TYPES, IMAGE_NAME, SECTIONS, SLUG_RE, Invalid, Lookups, Section
from .store import UNREADABLE, Store, code_version, versioned

log = logging.getLogger(__name__)

#: Sent when every source is read, validated and linked, before any output is made:
#: ``model_loaded.send(site, root=project_root)``. Receivers enrich the model (history,
#: cross-references) and may return a list of Problems, which stop the build.
model_loaded = signal("portal_model_loaded")

#: Sent after every ``model_loaded`` receiver has run (blinker calls receivers of one signal in
#: no fixed order): languages generated from another one's items (zh-Hant) are made here, from
#: fully enriched items. Same arguments and return value as ``model_loaded``.
derive_languages = signal("portal_derive_languages")

CACHE_VERSION = "model-4"
PARALLEL_PARSE = 200  # cache misses from which parsing is spread over every core
DATA_FILES = ("categories", "tags", "menus", "topics", "bodies", "departments",
              "letter_categories")


@dataclass(frozen=True)
class Parsed:
    """What is expensive to compute from one source's bytes; cached by content hash."""

    data: dict[str, Any]
    lines: dict[str, int]
    body_line: int
    html: str
    text: str
    removed: list[str]
    digest: str
    #: The source and description of each image the body shows.
    images: list[tuple[str, str]]


@dataclass(eq=False)
class Item:
    """One published (or previewed) piece of content in one language."""

    lang: Language
    section: Section
    relpath: str
    source: Path
    meta: dict[str, Any]
    html: str
    text: str
    digest: str
    lines: dict[str, int]
    key: str = ""
    #: The translation key this item was first published under; stays when a file is renamed
    #: (set by portal_history from git's rename detection), so feeds keep their entry ids.
    origin_key: str = ""
    #: Dated changes readers should know of, newest first (set by portal_history).
    history: list[Any] = field(default_factory=list)
    #: The item's PDF (url, length, type) once portal_pdf has written it; pages and feeds link it.
    pdf: Any = None
    #: The images the body shows, by the name it gives them: the file beside the Markdown
    #: (or, for a translation, beside the default language's original).
    images: dict[str, Path] = field(default_factory=dict)
    #: Their width and height, which the page gives them (a field, so that an item's key,
    #: which leaves out the HTML its source's digest stands for, sees a new size).
    image_sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: The size in bytes of each declared attachment, which pages and feeds show (a field,
    #: so that an item's key sees a file replaced under the same name).
    attachment_sizes: dict[str, int] = field(default_factory=dict)
    translations: dict[str, Item] = field(default_factory=dict)
    source_item: Item | None = None
    #: Other items this one refers to or is referred by, resolved once the model is loaded
    #: (e.g. a policy's 'interpretations', an interpretation's 'policy').
    related: dict[str, Any] = field(default_factory=dict, repr=False)
    #: Dated after the build's moment (``Site.now``): the first build at or after its date
    #: publishes it; until then only an editor's preview shows it.
    scheduled: bool = False

    @property
    def slug(self) -> str:
        return self.meta.get("slug") or self.relpath.rsplit("/", 1)[-1].removesuffix(".md")

    @cached_property
    def path(self) -> str:
        """Language-independent URL path, e.g. 'news/port-opening/' (worked out once: pages,
        keys, lists and the sitemap ask hundreds of thousands of times in a large build)."""
        return f"{self.section.name}/{self.slug}/"

    @cached_property
    def url(self) -> str:
        return self.lang.url(self.path)

    @property
    def title(self) -> str:
        return self.meta["title"]

    @property
    def date(self) -> dt.datetime:
        return self.meta["date"]

    @property
    def updated(self) -> dt.datetime | None:
        return self.meta.get("updated")

    @property
    def summary(self) -> str:
        return self.meta.get("summary") or render.summarize(self.text, self.lang.cjk)

    @property
    def category(self) -> str | None:
        return self.meta.get("category")

    @property
    def tags(self) -> list[str]:
        return self.meta.get("tags", [])

    @property
    def is_draft(self) -> bool:
        return self.meta.get("status") == "draft"

    @property
    def unpublished(self) -> bool:
        """Shown only in an editor's preview (a draft, or scheduled for later): never in a
        feed, a search index, a PDF, the sitemap or a push to partners."""
        return self.is_draft or self.scheduled

    @property
    def is_withdrawn(self) -> bool:
        """Withdrawn items keep their page and their place in lists, marked withdrawn."""
        return self.meta.get("status") == "withdrawn"

    @property
    def attachments(self) -> list[dict[str, Any]]:
        """Declared files beside the Markdown: file, title, type, size (bytes), url."""
        return [{**a, "type": ATTACHMENT_TYPES[Path(a["file"]).suffix.lower()],
                 "size": self.attachment_sizes[a["file"]], "url": self.url + a["file"]}
                for a in self.meta.get("attachments", [])]

    @property
    def files(self) -> dict[str, Path]:
        """What goes into the item's folder beside its page: attachments and images."""
        return {**{a["file"]: self.source.parent / a["file"]
                   for a in self.meta.get("attachments", [])}, **self.images}

    @property
    def outdated(self) -> bool:
        """A translation whose source changed after it was translated."""
        if self.source_item is None or self.source_item is self:
            return False
        return self.meta.get("translated_from") != self.source_item.digest


@dataclass(eq=False)
class Site:
    """All languages' content and the data files, validated."""

    languages: list[Language]
    items: dict[str, list[Item]]
    #: What only a preview shows (drafts and scheduled items), when not previewing.
    drafts: dict[str, list[Item]]
    data: dict[str, Any]
    build_date: dt.date
    #: The build's moment, in the portal's TIMEZONE (without zone, as content dates are):
    #: items dated after it are scheduled.
    now: dt.datetime
    settings: Mapping[str, Any] = field(default_factory=dict)
    show_drafts: bool = False
    #: Text converters of derived languages (set by the plugin that derives them).
    converters: dict[str, Any] = field(default_factory=dict)

    @property
    def show_untranslated(self) -> bool:
        return bool(self.settings.get("PORTAL_SHOW_UNTRANSLATED", False))

    @property
    def default(self) -> Language:
        return self.languages[0]

    def language(self, code: str) -> Language:
        return next(lang for lang in self.languages if lang.code == code)

    def published(self, lang: str, section: str | None = None) -> list[Item]:
        """Items of a language (optionally one section), newest first."""
        found = [i for i in self.items[lang] if section is None or i.section.name == section]
        return sorted(found, key=lambda i: (i.date, i.relpath), reverse=True)

    @cached_property
    def by_source(self) -> dict[Path, Item]:
        return {i.source: i for items in self.items.values() for i in items
                if not self.language(i.lang.code).derived_from}

    def item_at(self, lang: str, relpath: str) -> Item | None:
        """The item a language publishes at a relative path (a file, or a generated one)."""
        found = self.__dict__.setdefault("_by_relpath", {})
        if lang not in found:
            found[lang] = {i.relpath: i for i in self.items[lang]}
        return found[lang].get(relpath)

    def convert(self, lang: str, text: str) -> str:
        """Text of the default language as a derived language writes it (identity otherwise)."""
        converter = self.converters.get(lang)
        return converter(text) if converter else text

    def label(self, kind: str, key: str, lang: str) -> str:
        """A category's or tag's label in a language (declared in data/<kind>.yml); a derived
        language without its own label converts its source language's."""
        labels = self.data[kind][key]
        if lang in labels:
            return labels[lang]
        return self.convert(lang, labels[self.language(lang).derived_from])


def cache_folder(settings: Mapping[str, Any]) -> Path:
    """Where builds keep what they can reuse (parsed sources, PDFs, indexes): the project's
    ``.cache/`` unless ``PORTAL_CACHE`` says otherwise. Safe to delete at any time."""
    return Path(settings["PORTAL_ROOT"]) / settings.get("PORTAL_CACHE", ".cache")


def load_site(settings: Mapping[str, Any], show_drafts: bool = False,
              build_date: dt.date | None = None) -> Site:
    """Read, validate and link every content file; raise ContentError listing all problems.

    ``build_date``: the day the build treats as today, as of its end (default: now, in the
    portal's TIMEZONE)."""
    for name in settings.get("PLUGINS", []):  # their model_loaded and page hooks shape the model
        importlib.import_module(name).register()
    root = Path(settings["PORTAL_ROOT"])
    content = root / settings.get("PORTAL_CONTENT", "content")
    languages = languages_from(settings)
    problems: list[Problem] = []
    data = _load_data(root / "data", languages, problems)
    lookups = Lookups(categories=data.get("categories", {}), tags=data.get("tags", {}),
                      data=data)
    cache = _Cache(versioned(cache_folder(settings), CACHE_VERSION,
                             code_version(Path(__file__).parent)))
    now = build_moment(settings, build_date)

    items: dict[str, list[Item]] = {lang.code: [] for lang in languages}
    drafts: dict[str, list[Item]] = {lang.code: [] for lang in languages}
    codes = {lang.code: lang for lang in languages}
    others: list[Path] = []
    found = list(_sources(content, codes, others, problems))
    sources = [(source, lang, relpath, *cache.read(source)) for source, lang, relpath in found]
    cache.parse_missing([(key, raw, source) for source, _, _, key, raw in sources
                         if raw is not None])
    for source, lang_code, relpath, key, raw in sources:
        item = _read(source, key, raw, codes[lang_code], relpath, lookups, cache, problems,
                     languages[0].code)
        if item is None:
            continue
        item.scheduled = item.date > now
        (drafts if item.unpublished and not show_drafts else items)[lang_code].append(item)
    cache.save()
    _check_files([*_all(items), *_all(drafts)], others, problems)
    _check_early_translations([*_all(items), *_all(drafts)], languages[0].code, problems)

    _link_translations(items, languages, problems)
    site = Site(languages, items, drafts, data, now.date(), now, settings, show_drafts)
    for phase in (model_loaded, derive_languages):
        if problems:
            break
        for _, found in phase.send(site, root=root):
            problems += found or []
    if not problems:
        from .pages import menu_problems  # lists are derived from a complete model

        problems += menu_problems(site, root / "data" / "menus.yml")
    if problems:
        raise ContentError(problems)
    return site


def build_moment(settings: Mapping[str, Any], build_date: dt.date | None) -> dt.datetime:
    """The end of ``build_date``, else now, in the portal's time zone: a server in UTC
    building at 23:00 is already at 07:00 of the next day in Shanghai."""
    if build_date is not None:
        return dt.datetime.combine(build_date, dt.time.max)
    zone = ZoneInfo(str(settings.get("TIMEZONE") or "UTC"))
    return dt.datetime.now(zone).replace(tzinfo=None)


def _all(items: dict[str, list[Item]]) -> list[Item]:
    return [i for found in items.values() for i in found]


def _check_files(items: list[Item], others: list[Path], problems: list[Problem]) -> None:
    """Declared attachments and the body's images must exist beside their item; other files
    must be one of those."""
    declared: set[Path] = set()
    for item in items:
        for entry in item.meta.get("attachments", []):
            path = item.source.parent / entry["file"]
            declared.add(path)
            if path.is_file():
                item.attachment_sizes[entry["file"]] = path.stat().st_size
            else:
                problems.append(Problem(item.source, item.lines.get("attachments", 0),
                                        f"the attachment '{entry['file']}' is missing",
                                        f"put the file at {path.parent}/ or remove it from "
                                        "'attachments:'"))
        declared.update(item.images.values())
    for path in others:
        if path not in declared:
            problems.append(Problem(path, 0, "only Markdown (.md) files, declared attachments "
                                    "and images the text shows can be content",
                                    "declare it under 'attachments:' of the item beside it, "
                                    "show it in the text with ![what it shows](name.jpg), "
                                    "rename it to .md, or remove it"))


def _check_early_translations(items: list[Item], default: str, problems: list[Problem]) -> None:
    """A translation published while its original is scheduled would announce it early."""
    waiting = {i.key: i for i in items if i.lang.code == default and i.scheduled}
    for item in items:
        original = waiting.get(item.key)
        if original is None or item.lang.code == default or item.unpublished:
            continue
        when = f"{original.date:%Y-%m-%d %H:%M}"
        problems.append(Problem(item.source, item.lines.get("date", 0),
                                f"this translation would be published now, but its original "
                                f"{original.relpath} is scheduled for {when}",
                                f"date it {when} or later, as its original"))


def _image(source: Path, src: str, alt: str, original: Path, problems: list[Problem]
           ) -> Path | None:
    """The file of one image of a source's body, or None with its problems added. Images are
    files beside the Markdown, shown by name: the page, its PDF and its feed entries all
    carry them, and the portal's security policy lets browsers load nothing from elsewhere."""
    def problem(message: str, fix: str) -> None:
        problems.append(Problem(source, _line_of(source, src), message, fix))

    if "://" in src or src.startswith(("//", "data:")):
        problem(f"the image '{src}' is on another website, which visitors' browsers will not "
                "load from this portal", "save the image beside the Markdown file and show it "
                "by name: ![what it shows](name.jpg)")
        return None
    if not IMAGE_NAME.fullmatch(src):
        problem(f"the image '{src}' is not a file name the portal can publish",
                "keep the image beside the Markdown file, named in lowercase letters, digits "
                "and hyphens with .jpg, .jpeg, .png, .webp or .gif, and show it by that name, "
                "e.g. ![what it shows](crane.jpg)")
        return None
    if not alt.strip():
        problem(f"the image '{src}' has no description",
                f"write what it shows: ![red-crowned cranes on the mudflat]({src}) (read out by "
                "screen readers, shown when the image is not)")
    path = source.parent / src
    if path.is_file():
        return path
    if original != source.parent and (original / src).is_file():
        return original / src  # a translation shows its original's image
    problem(f"the image '{src}' is missing", f"put the file at {source.parent}/ (or, for a "
            f"translation, beside the original at {original}/)")
    return None


def _image_size(source: Path, src: str, path: Path, problems: list[Problem]
                ) -> tuple[int, int] | None:
    """An image file's width and height in pixels, or None with a problem when it is no
    picture. Its header is read once per process and file version (a preview rebuilds often;
    a portal of many photos would read them all at every build)."""
    from PIL import Image, UnidentifiedImageError  # only a portal with images needs it

    try:
        stat = path.stat()
        stamp = (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)
        if stamp not in _SIZES:
            with Image.open(path) as image:
                _SIZES[stamp] = image.size if image.format in IMAGE_FORMATS else None
        if _SIZES[stamp] is not None:
            return _SIZES[stamp]
    except (OSError, UnidentifiedImageError):
        pass
    problems.append(Problem(source, _line_of(source, src), f"the image '{src}' ({path}) is not "
                            "a JPEG, PNG, WebP or GIF picture",
                            "save the picture again in one of those formats, under a name with "
                            "its extension"))
    return None


#: What Pillow calls the formats browsers, PDFs and feed readers all show.
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
#: Image sizes by file version (path, size, modification time, inode); None: no picture.
_SIZES: dict[tuple[str, int, int, int], tuple[int, int] | None] = {}


def _line_of(source: Path, name: str) -> int:
    """The line of a source that shows the image ``name``."""
    return line_of(source, f"({name}", f'"{name}"')


def _sources(content: Path, codes: Mapping[str, Language], others: list[Path],
             problems: list[Problem]) -> Iterator[tuple[Path, str, str]]:
    """Every content file with its language and relative path; misplaced files are problems,
    other files in a section folder are collected in ``others`` (possible attachments)."""
    if not content.is_dir():
        problems.append(Problem(content, 0, "the content folder is missing",
                                "create content/<language>/<section>/ folders"))
        return
    for entry in sorted(content.iterdir()):
        if entry.name.startswith("."):
            continue
        if not entry.is_dir() or entry.name not in codes:
            problems.append(Problem(entry, 0, f"'{entry.name}' is not a configured language folder",
                                    f"use one of {', '.join(codes)} or add the language to "
                                    "LANGUAGES in pelicanconf.py"))
            continue
        top = len(str(entry)) + 1
        for dirpath, dirnames, filenames in os.walk(entry):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                source = Path(dirpath, name)
                relpath = f"{dirpath}/{name}"[top:].replace(os.sep, "/")
                section = relpath.split("/")[0]
                if "/" not in relpath or section not in SECTIONS:
                    problems.append(Problem(source, 0,
                                            "this file is not inside a known section folder",
                                            f"move it into one of: {', '.join(SECTIONS)}"))
                elif not name.endswith(".md"):
                    others.append(source)
                else:
                    yield source, entry.name, relpath


def _read(source: Path, key: str, raw: bytes | None, lang: Language, relpath: str,
          lookups: Lookups, cache: _Cache, problems: list[Problem], default: str
          ) -> Item | None:
    """The item of one source (``raw`` is None when its parsed form is known: see
    ``_Cache.read``), or None with its problems added; ``default``: the default language."""
    section = SECTIONS[relpath.split("/")[0]]
    try:
        parsed = cache.get(key)
        if parsed is None:
            assert raw is not None, "_Cache.read gives the bytes of every unknown source"
            parsed = cache.put(key, _parse(raw, source))
    except FrontMatterError as exc:
        problems.append(exc.problem)
        return None
    except UnicodeDecodeError:
        problems.append(Problem(source, 0, "the file is not UTF-8 text", "save it as UTF-8"))
        return None
    for removed in parsed.removed:
        _warn_removed(source, parsed.body_line, removed)
    images: dict[str, Path] = {}
    sizes: dict[str, tuple[int, int]] = {}
    if parsed.images:  # paths worked out only then: a large portal has tens of thousands
        # a translation may show its original's images: the same folder in the default language
        original = source.parents[relpath.count("/") + 1] / default / Path(relpath).parent
        images = {src: path for src, alt in parsed.images
                  if (path := _image(source, src, alt, original, problems)) is not None}
        sizes = {src: size for src, path in images.items()
                 if (size := _image_size(source, src, path, problems)) is not None}
    meta = _validate(parsed, section, source, lookups, problems)
    if meta is None:
        return None
    stem = relpath.rsplit("/", 1)[-1].removesuffix(".md")
    if "slug" not in meta and not SLUG_RE.match(stem):
        problems.append(Problem(source, 0, f"the file name '{stem}' cannot be a URL",
                                "rename the file to lowercase ASCII words joined by hyphens, "
                                "e.g. 'port-opening.md', or set 'slug:'"))
        return None
    key = meta.get("translation_key") or relpath.removesuffix(".md")
    return Item(lang=lang, section=section, relpath=relpath, source=source, meta=meta,
                html=render.sized(parsed.html, sizes) if sizes else parsed.html,
                text=parsed.text, digest=parsed.digest, lines=parsed.lines, key=key,
                origin_key=key, images=images, image_sizes=sizes)


def _warn_removed(source: Path, body_line: int, removed: str) -> None:
    """What the sanitizer took out of a body, with the line that wrote it and the fix."""
    if not removed.startswith("<"):
        log.warning("%s:%d: removed unsafe markup '%s' from the body — use plain Markdown; "
                    "scripts, styles, frames and event handlers are not allowed",
                    source, body_line, removed)
        return
    tag = removed[1:-1]
    try:
        lines = source.read_text(encoding="utf-8").splitlines()[body_line - 1:]
    except (OSError, UnicodeDecodeError):
        lines = []
    if tag == "h1":
        found = _heading_line(lines)
        log.warning("%s:%d: removed a top-level heading from the body (its text is left as "
                    "plain text) — the page's title is its only top-level heading: start "
                    "headings in the text with ##", source, body_line + found)
        return
    found = next((n for n, line in enumerate(lines) if f"<{tag}" in line.lower()), 0)
    log.warning("%s:%d: removed '%s' from the body, which pages do not show (its text is left) "
                "— use plain Markdown: ![description](name.jpg) for a picture, a link for a "
                "video or a document", source, body_line + found, removed)


def _heading_line(lines: list[str]) -> int:
    """The first line that writes a top-level heading: '# …', '<h1>', or text underlined '==='."""
    for number, line in enumerate(lines):
        if re.match(r"#(\s|$)", line) or "<h1" in line.lower():
            return number
        if number and re.match(r"=+\s*$", line) and lines[number - 1].strip():
            return number - 1
    return 0


def _parse(raw: bytes, source: Path) -> Parsed:
    front = split(raw.decode("utf-8"), source)
    html, removed = render.to_html(front.body)
    return Parsed(data=front.data, lines=front.lines, body_line=front.body_line, html=html,
                  text=render.to_text(html), removed=removed, digest=digest(front),
                  images=render.images(html))


def digest(front: FrontMatter) -> str:
    """What a translation records as ``translated_from``: a hash of what translators
    translate (title, summary, text), so that other changes do not outdate translations."""
    translated = "\n".join([str(front.data.get("title", "")), str(front.data.get("summary", "")),
                            front.body.strip()])
    return hashlib.sha256(translated.encode()).hexdigest()[:12]


def _validate(parsed: Parsed, section: Section, source: Path, lookups: Lookups,
              problems: list[Problem]) -> dict[str, Any] | None:
    meta: dict[str, Any] = {}
    before = len(problems)
    for key, value in parsed.data.items():
        line = parsed.lines.get(str(key), 2)
        spec = section.fields.get(str(key))
        if spec is None:
            near = [k for k in section.fields if k.startswith(str(key)[:3])]
            hint = f"did you mean '{near[0]}'? " if near else ""
            problems.append(Problem(source, line, f"unknown key '{key}' in a {section.name} item",
                                    f"{hint}allowed keys: {', '.join(section.fields)}"))
            continue
        try:
            meta[str(key)] = spec.check(value, lookups)
        except Invalid as exc:
            problems.append(Problem(source, line, f"'{key}': {exc}", exc.fix))
    for key, spec in section.fields.items():
        if spec.required and key not in parsed.data:
            problems.append(Problem(source, 2, f"the required key '{key}' is missing",
                                    f"add '{key}:' to the front matter"))
    for rule in section.rules:
        for key, message, fix in rule(meta):
            problems.append(Problem(source, parsed.lines.get(key, 2), message, fix))
    if (meta.get("status") == "withdrawn") != ("withdrawn_reason" in meta):
        key = "status" if "status" in meta else "withdrawn_reason"
        problems.append(Problem(source, parsed.lines.get(key, 2),
                                "a withdrawn item needs 'withdrawn_reason', and only a withdrawn "
                                "item has one",
                                "write 'status: withdrawn' and 'withdrawn_reason: why' together"))
    if "change_note" in meta and "updated" not in meta:
        problems.append(Problem(source, parsed.lines["change_note"],
                                "'change_note' needs the date of the change",
                                "add 'updated: YYYY-MM-DD' next to it"))
    if "updated" in meta and "date" in meta and meta["updated"] < meta["date"]:
        problems.append(Problem(source, parsed.lines["updated"], "'updated' is before 'date'",
                                "the update date must be on or after the publication date"))
    return meta if len(problems) == before else None


def _link_translations(items: dict[str, list[Item]], languages: list[Language],
                       problems: list[Problem]) -> None:
    """Group items by translation key; one URL and one key per language."""
    groups: dict[str, dict[str, Item]] = {}
    for lang in languages:
        seen_urls: dict[str, Item] = {}
        for item in items[lang.code]:
            group = groups.setdefault(item.key, {})
            for seen, value, what in ((seen_urls, item.path, "URL"),
                                      (group, lang.code, "translation key")):
                other = seen.get(value)
                if other is not None:
                    shown = item.url if what == "URL" else item.key
                    problems.append(Problem(item.source, item.lines.get("slug", 0),
                                            f"this file claims the {what} '{shown}', "
                                            f"already claimed by {other.source}",
                                            "rename one of them, or give it its own 'slug:' / "
                                            "'translation_key:'"))
                else:
                    seen[value] = item
    default = languages[0].code
    for group in groups.values():
        source = group.get(default)
        for item in group.values():
            item.translations = group
            item.source_item = source


def _load_data(folder: Path, languages: list[Language], problems: list[Problem]) -> dict[str, Any]:
    """Data files map keys to a label per language; every language needs its label."""
    data: dict[str, Any] = {}
    codes = [lang.code for lang in languages if not lang.derived_from]
    for name in DATA_FILES:
        path = folder / f"{name}.yml"
        if not path.exists():
            data[name] = {}
            continue
        text = path.read_text(encoding="utf-8")
        try:
            loaded = yaml.safe_load(text) or {}
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problems.append(Problem(path, mark.line + 1 if mark else 0, f"not valid YAML ({exc})",
                                    "check indentation and quoting"))
            continue
        lines = {str(k.value): k.start_mark.line + 1 for k, _ in getattr(node, "value", [])}
        data[name] = loaded
        if name == "menus":
            continue
        for key, labels in loaded.items():
            missing = [c for c in codes if not isinstance(labels, dict) or not labels.get(c)]
            if not SLUG_RE.match(str(key)):
                problems.append(Problem(path, lines.get(str(key), 0), f"'{key}' is not a valid key",
                                        "use lowercase ASCII letters, digits and hyphens"))
            if missing:
                problems.append(Problem(path, lines.get(str(key), 0),
                                        f"'{key}' has no label in {', '.join(missing)}",
                                        "add a label for every configured language"))
    return data


Job = TypeVar("Job")
Done = TypeVar("Done")


def on_every_core(work: Callable[[Job], Done], jobs: list[Job], least: int,
                  chunksize: int) -> list[Done] | None:
    """``work`` done for each job in forked workers, one per core, when there are at least
    ``least`` jobs and more than one core (a cold build's parsing or conversion); otherwise
    None, and the caller does the jobs as they come. Workers see the parent's memory as it
    was when they were forked."""
    cores = os.cpu_count() or 1
    if len(jobs) < least or cores < 2:
        return None
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(cores) as pool:
        return pool.map(work, jobs, chunksize=chunksize)


def _parse_or_none(job: tuple[bytes, Path]) -> Parsed | None:
    """Parse in a worker; sources with problems are parsed again in the parent to report."""
    try:
        return _parse(*job)
    except (FrontMatterError, UnicodeDecodeError):
        return None


#: A file's stamp (size, mtime, ctime, inode) and the SHA-256 of its bytes then.
Stamp = tuple[int, int, int, int, str]


class _Cache(Store[Parsed]):
    """Parsed sources keyed by the SHA-256 of their bytes; survives between builds.

    Which sources hold which bytes is remembered too, by file stamp: a rebuild reads only
    the files whose stamp changed (reading and hashing 8,000 unchanged sources took a
    quarter of a second). A stamp is trusted only once the file has been still for
    ``SETTLED_NS`` before it was taken, as git trusts its index: a file changed twice
    within one tick of the file system's clock, keeping its size, would otherwise look
    unchanged. The change time (which no tool can set back, unlike the modification time
    that ``cp -p``, ``rsync -t`` or ``tar`` restore) is part of the stamp.
    """

    SETTLED_NS = 2_000_000_000  # the coarsest clock of a common file system (FAT) is 2 s
    SEEN = "sources.pickle"

    def __init__(self, folder: Path) -> None:
        #: Sources by path as the last build saw them, and as this one does.
        self.seen: dict[str, Stamp] = {}
        self.seen_now: dict[str, Stamp] = {}
        with contextlib.suppress(*UNREADABLE):
            self.seen = pickle.loads((folder / self.SEEN).read_bytes())
        super().__init__(folder)

    def read(self, source: Path) -> tuple[str, bytes | None]:
        """A source's key, and its bytes unless its stamp is unchanged since a build that
        parsed it (then its parsed form is in the cache and the file is not read)."""
        now = time.time_ns()
        stat = os.stat(source)
        stamp = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        name = str(source)
        known = self.seen.get(name)
        if known is not None and known[:4] == stamp and known[4] in self.entries:
            self.seen_now[name] = known
            return known[4], None
        raw = source.read_bytes()
        key = hashlib.sha256(raw).hexdigest()
        # a change while it was read shows as another stamp next time
        if (len(raw) == stat.st_size
                and now - max(stat.st_mtime_ns, stat.st_ctime_ns) > self.SETTLED_NS):
            self.seen_now[name] = (*stamp, key)
        return key, raw

    def parse_missing(self, sources: list[tuple[str, bytes, Path]]) -> None:
        """Parse the sources not in the cache, on every core when there are many
        (a cold build: Markdown rendering is most of its reading time)."""
        missing = [(key, raw, source) for key, raw, source in sources if key not in self.entries]
        parsed = on_every_core(_parse_or_none, [(raw, source) for _, raw, source in missing],
                               PARALLEL_PARSE, chunksize=64)
        if parsed is None:
            return
        for (key, _, _), found in zip(missing, parsed, strict=True):
            if found is not None:
                self.put(key, found)

    def save(self) -> None:
        """The changed shards, then the sources' stamps: a stamp names a parsed entry
        already saved."""
        super().save()
        seen = {name: stamp for name, stamp in self.seen_now.items() if stamp[4] in self.used}
        if seen != self.seen:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.write(self.SEEN, seen)
