"""Skip rendering pages whose inputs did not change since the previous build.

Every page Pelican writes gets a key: a hash of everything its template can show — the
item (or list page) with its translations' URLs, and a fingerprint of the theme, plugins,
settings, data files and build options. A manifest (in the build cache, one per language
and output folder) remembers the key of every file of the live ``output/``. When a page's
key is unchanged and its file in ``output/`` is untouched (same size and mtime), the build
keeps that file instead of rendering it: the new tree takes it from ``output/`` (see
``trees``); the live ``output/`` is never written to. A rendered page whose bytes equal the
previous file is kept too, so unchanged files keep their identity for deploy tools.

Anything a template shows must be in a key: item fields (including attributes plugins add
to an ``Item`` on ``model_loaded``) are hashed from the item itself; anything else a page
shows is site-wide and covered by the fingerprint of the files it comes from. Files in the
new tree may be shared with ``output/``: write new files, never rewrite one in place.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pelican
from pelican import signals
from pelican.utils import sanitised_join
from pelican.writers import Writer

from portal_model import Item, Site
from portal_model.pages import ListPage, list_pages
from portal_model.store import REQUIREMENTS, imported

from .timing import timed
from .trees import Kept

VERSION = "pages-4"
#: Item fields hashed otherwise: links to other objects (by URL, code or name; the items it
#: refers to by what they show), the HTML and text, which are rendered from the source
#: whose digest is hashed, and the path and URL, worked out from the fields once asked for;
#: and fields no page shows: the source's path on disk and the lines of its keys, for
#: error messages (a third of the time an item's key took).
_SKIP = {"translations", "source_item", "lang", "section", "html", "text", "related", "path",
         "url", "source", "lines"}


def fingerprint(conf: Path, settings: Mapping[str, Any], options: Iterable[Any]) -> str:
    """Hash of everything site-wide a page can show: settings files, theme, plugins, the
    pinned libraries (a Markdown or Babel update changes pages whose sources did not), data,
    and the build options (date, drafts, overrides). Paths are hashed absolute: the same
    portal named relatively or absolutely (``invoke build --config``) is the same."""
    conf = conf.resolve()
    root = Path(settings["PORTAL_ROOT"])
    digest = hashlib.sha256(repr((VERSION, pelican.__version__, sys.version, *options)).encode())
    folders = [conf.parent / "theme", Path(settings["THEME"]), root / "plugins", root / "data"]
    files = sorted(conf.parent.glob("*.py")) + [
        Path(d, f) for folder in dict.fromkeys(folders) if folder.is_dir()
        for d, dirs, names in os.walk(folder, followlinks=True)
        if "__pycache__" not in d for f in names]
    code = root / "plugins"
    for path in sorted(files):
        # a plugin as this process runs it (``invoke serve`` restarts to load a new one)
        read = imported if path.suffix == ".py" and path.is_relative_to(code) else Path.read_bytes
        digest.update(str(path).encode() + b"\0" + read(path) + b"\0")
    digest.update(b"requirements\0" + imported(REQUIREMENTS))  # as this process runs them
    return digest.hexdigest()


class PageKeys:
    """Keys of one language's pages, computed from the model."""

    def __init__(self, site: Site, lang: str, base: str, everything: str | None = None) -> None:
        """``everything``: the language's key, when a build from the same model and base
        worked it out already."""
        self.site, self.lang, self.base = site, lang, base
        self._items: dict[int, str] = {}
        self._links: dict[int, list[tuple[str, str]]] = {}
        self._everything = everything

    def item(self, item: Item) -> str:
        """Hash of one item's own content (its fields, including plugins' additions)."""
        found = self._items.get(id(item))
        if found is None:
            found = _hash(repr(_plain(item, set())))
            self._items[id(item)] = found
        return found

    def links(self, item: Item) -> list[tuple[str, str]]:
        """The URLs of an item's translations (one list for its whole group, which shares
        one dict of translations)."""
        found = self._links.get(id(item.translations))
        if found is None:
            found = sorted((code, other.url) for code, other in item.translations.items())
            self._links[id(item.translations)] = found
        return found

    def item_page(self, item: Item) -> str:
        source = item.source_item
        links = self.links(item)
        outdated = (source.url, source.lang.code) if item.outdated and source else None
        return _hash(repr((self.base, "item", self.item(item), links, outdated)))

    def list_page(self, page: ListPage) -> str:
        exists = [lang.code for lang in self.site.languages
                  if page.path in list_pages(self.site, lang.code)]
        shape = (page.kind, page.key, page.path, page.number, page.count, page.base, page.keys,
                 page.template)
        members = [self.item(i) for i in page.items]
        # What a plugin's page shows beyond its items is in its ``extra`` (the catalogue's
        # counts, the letter statistics), hashed like an item; a page with neither items nor
        # ``extra`` (the feeds page) shows something of the whole language: it depends on it
        # all. (Keyed on the whole language, the catalogue's hundred pages were rendered again
        # on every edit.)
        extra = _plain(page.extra, set())
        whole = self.everything() if not page.items and not page.extra else None
        return _hash(repr((self.base, "list", shape, exists, members, extra, whole)))

    def everything(self) -> str:
        """Hash of everything the language's outputs can show (its ``language_key``), for
        pages that show something of the whole language rather than a list of items."""
        if self._everything is None:
            self._everything = language_key(self.site, self.lang, self)
        return self._everything

    def other_page(self, name: str, template: str) -> str:
        """Pages that are neither items nor lists depend, to be safe, on the whole language."""
        return _hash(repr((self.base, "other", name, template, self.everything())))

    def of(self, name: str, template: str, kwargs: Mapping[str, Any]) -> str:
        target = kwargs.get("article") or kwargs.get("page")
        item = getattr(target, "metadata", {}).get("item") if target is not None else None
        if isinstance(item, Item):
            return self.item_page(item)
        if isinstance(target, ListPage):
            return self.list_page(target)
        return self.other_page(name, template)


def _plain(value: Any, seen: set[int]) -> Any:
    """A value as pages can show it, for hashing: items by their own fields and, in turn, the
    items they refer to; other objects by their fields. Never by identity (a section's schema
    holds functions, whose repr is an address that changes from one build to the next)."""
    if isinstance(value, Item):
        if id(value) in seen:  # the policy of an interpretation of that policy
            return ("item", value.lang.code, value.relpath)
        seen.add(id(value))
        own = sorted((k, v) for k, v in vars(value).items() if k not in _SKIP)
        return ("item", value.lang.code, value.section.name, own, _plain(value.related, seen))
    if isinstance(value, dict):
        return [(key, _plain(v, seen)) for key, v in value.items()]
    if isinstance(value, list | tuple):
        return [_plain(v, seen) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,
                [(f.name, _plain(getattr(value, f.name), seen)) for f in dataclasses.fields(value)])
    return value


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


Manifest = dict[str, tuple[str, int, int]]  # output name → (key, size, mtime_ns)
Files = dict[str, tuple[int, int]]  # file under the language's folder → (size, mtime_ns)


def manifest_path(cache: Path, output: Path, lang: str) -> Path:
    where = hashlib.sha1(str(output).encode()).hexdigest()[:10]
    return cache / f"{VERSION}-{where}-{lang}.pickle"


def load_manifest(path: Path) -> dict[str, Any]:
    """``{"language": key, "pages": Manifest, "files": Files}`` of the live output."""
    try:
        found = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
        return {}
    return found if isinstance(found, dict) and "pages" in found else {}


def language_key(site: Site, lang: str, keys: PageKeys) -> str:
    """Hash of everything any output of a language run can show: its items (with the items
    they refer to) and the items its lists show, their translations' URLs and outdated state,
    which list pages the other languages have (for hreflang and the switcher), and what
    plugins put on its list pages beyond items (such as the catalogue's counts of what exists
    only in Chinese), on top of the fingerprint. Items of other languages count only through
    these, so an edit in one language leaves the runs of the others out."""
    items = [(keys.item(i), keys.links(i), i.outdated,
              i.source_item.url if i.source_item else None) for i in site.items[lang]]
    listed = [keys.item(i) for i in _listed(site, lang)]
    lists = [(other.code, sorted(list_pages(site, other.code))) for other in site.languages]
    extras = [(path, _plain(page.extra, set()))
              for path, page in sorted(list_pages(site, lang).items()) if page.extra]
    return _hash(repr((keys.base, lang, items, listed, lists, extras)))


def _listed(site: Site, lang: str) -> list[Item]:
    from portal_model.pages import listed

    return listed(site, lang)


class LanguageRun:
    """One language's run: skipped entirely (its previous files kept) when its key is
    unchanged, else Pelican runs on the items whose pages changed, with the other pages
    (lists, feeds) skipped one by one."""

    def __init__(self, site: Site, lang: str, base: str, previous: Path, manifest: Path,
                 staging: Path, other_prefixes: list[str], key: str | None = None) -> None:
        """``key``: the language's key, when a build from the same model and base worked
        it out already."""
        self.keys = PageKeys(site, lang, base, key)
        self.key = self.keys.everything()
        self.previous, self.manifest, self.staging = previous, manifest, staging
        self.others = set(other_prefixes)
        self.old = load_manifest(manifest)
        self.before: Files = {}
        #: Files of the live output this run keeps, by name under the language's folder.
        self.kept: Kept = {}
        #: Item pages kept before Pelican runs (Pelican never sees their sources).
        self.planned = 0
        #: What the run left to the second build of a pages-first build, and to workers.
        self.postponed: list[str] = []
        self.deferred: list[Deferred] = []

    def try_skip(self) -> int | None:
        """Keep every file the language run wrote last time if nothing it shows changed;
        the number of pages, or None when the run is needed."""
        files: Files = self.old.get("files", {})
        if self.old.get("language") != self.key or not files:
            return None
        present = _files(self.staging, self.others)
        if any(name in present for name in files):  # written by before_languages now
            return None
        kept = _intact(self.previous, files)
        if kept is None:
            return None
        self.kept = kept
        return self.old.get("written", len(self.old["pages"]))

    def start(self, settings: dict[str, Any]) -> None:
        """Before Pelican runs: note what is there already, keep the pages of unchanged items
        and give Pelican (in ``settings``) only the sources of the others: setting up every
        item of a large language for a one-item edit would be most of the run."""
        global _run
        self.before = _files(self.staging, self.others)
        run = _run = _Run(self.keys, self.previous, self.old.get("pages", {}),
                          self.old.get("files", {}), bool(settings.get("PORTAL_PAGES_FIRST")))
        render: list[str] = []
        for item in self.keys.site.items[self.keys.lang]:
            name = f"{item.path}index.html"
            key = self.keys.item_page(item)
            stamp = _unchanged(run.old.get(name), key, self.previous / name)
            if stamp is None:
                render.append(item.relpath)
            else:
                run.keep(name, key, stamp)
                self.planned += 1
        for setting in ("ARTICLE_PATHS", "PAGE_PATHS"):
            folders = set(settings[setting])
            settings[setting] = [path for path in render if path.split("/")[0] in folders]

    def finish(self, ok: bool, written: int) -> tuple[str, int, int]:
        """After the run (which wrote ``written`` files): the new manifest (written next to
        the old one; the parent puts it in place after the swap), pages rendered and pages
        linked."""
        global _run
        run, _run = _run, None
        if run is None:
            return "", 0, 0
        if not ok:
            return "", run.rendered, run.linked
        self.kept, self.postponed, self.deferred = run.kept, run.postponed, run.deferred
        files = {k: v for k, v in _files(self.staging, self.others).items()
                 if k not in self.before}
        files.update((name, stamp[:2]) for name, stamp in self.kept.items())
        return self.save(run.new, files, written), run.rendered, run.linked

    def save(self, pages: Manifest, files: Files, written: int) -> str:
        new = self.manifest.with_name(f"{self.manifest.name}.new-{os.getpid()}")
        new.parent.mkdir(parents=True, exist_ok=True)
        # a run that postponed an output must not be skipped by the build that makes it
        key = f"{self.key} postponed {self.postponed}" if self.postponed else self.key
        data = {"language": key, "pages": pages, "files": files, "written": written}
        new.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        return str(new)


def _files(folder: Path, skip: set[str]) -> Files:
    """Every file under a language's folder, but not under other languages' folders."""
    found: Files = {}
    top = len(str(folder)) + 1
    for dirpath, dirnames, filenames in os.walk(folder):
        if dirpath == str(folder):
            dirnames[:] = [d for d in dirnames if d not in skip]
        for name in filenames:
            path = os.path.join(dirpath, name)
            stat = os.stat(path)
            found[path[top:]] = (stat.st_size, stat.st_mtime_ns)
    return found


class _Run:
    """What the writer of the current language run needs (one per forked worker)."""

    def __init__(self, keys: PageKeys, previous: Path, manifest: Manifest, files: Files,
                 pages_first: bool) -> None:
        self.keys, self.previous, self.old, self.files = keys, previous, manifest, files
        self.pages_first = pages_first
        self.new: Manifest = {}
        self.kept: Kept = {}
        self.rendered = 0
        self.linked = 0
        #: Outputs left to the second build of a pages-first build (see ``postpone``).
        self.postponed: list[str] = []
        #: Work left to workers of its own after the run (see ``defer``).
        self.deferred: list[Deferred] = []

    def keep(self, name: str, key: str, stamp: tuple[int, int, int],
             rendered: bool = False) -> None:
        """Keep the live output's file for a page instead of writing it (``rendered``: the
        page was rendered, and came out the same)."""
        self.kept[name] = stamp
        self.new[name] = (key, *stamp[:2])
        if not rendered:
            self.linked += 1


_run: _Run | None = None


def keep_previous(prefix: str) -> bool:
    """Keep every file the last build wrote under ``prefix`` (in the language's folder) as
    it is in the live output, for outputs written outside Pelican's writer (a search index
    whose inputs did not change). False, keeping none, when there were none or any of them
    is gone or was touched since."""
    run = _run
    if run is None:
        return False
    found = _intact(run.previous, {name: stamp for name, stamp in run.files.items()
                                   if name.startswith(prefix)})
    if not found:
        return False
    run.kept.update(found)
    return True


#: A function to call with its arguments; it returns the files it wrote under the
#: language's folder.
Deferred = tuple[Callable[..., Files], tuple[Any, ...]]


def defer(function: Callable[..., Files], *args: Any) -> bool:
    """Have ``function(*args)`` called in a worker of its own once this language's run is
    done, forked from the parent (so it sees the model, not this run's state), before the
    build completes: for a long output that need not hold the run up (a search index).
    Queued behind the other languages' runs, such work fills the cores they leave idle:
    five languages on two cores left one idle for a whole run. ``function`` is named by its
    module (pickled), writes below the language's folder in the tree being built and returns
    the files it wrote (name under the language's folder → size, mtime), which the build adds
    to the language's manifest. False, deferring nothing, outside a language run."""
    run = _run
    if run is None:
        return False
    run.deferred.append((function, args))
    return True


def add_files(manifest: str, files: Files) -> None:
    """Add files deferred work wrote to a language run's new manifest."""
    path = Path(manifest)
    data = load_manifest(path)
    data["files"].update(files)
    path.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


def keep_file(name: str, key: str) -> bool:
    """For a file a plugin writes outside Pelican's writer (a feed): keep the live output's
    ``name`` (under the language's folder) if the last build wrote it with this ``key`` (what
    the file shows; the site-wide fingerprint is added) and it is untouched since. False: the
    caller writes it, then tells ``wrote``."""
    run = _run
    if run is None:
        return False
    full = _file_key(run, name, key)
    stamp = _unchanged(run.old.get(name), full, run.previous / name)
    if stamp is None:
        return False
    run.keep(name, full, stamp)
    return True


def wrote(name: str, key: str, path: Path) -> None:
    """A file ``keep_file`` did not keep was written at ``path``: the next build can keep it."""
    run = _run
    if run is not None:
        stat = os.stat(path)
        run.new[name] = (_file_key(run, name, key), stat.st_size, stat.st_mtime_ns)


def _file_key(run: _Run, name: str, key: str) -> str:
    return _hash(repr((run.keys.base, "file", name, key)))


def postpone(prefix: str) -> bool:
    """In a pages-first build, keep the live output's files under ``prefix`` as they are and
    leave making them anew to the second build, which follows at once: pages go live first,
    a costly output (the search index) seconds later. False when it must be made now: a
    one-phase build, or no intact previous files to keep meanwhile."""
    run = _run
    if run is None or not run.pages_first or not keep_previous(prefix):
        return False
    run.postponed.append(prefix)
    return True


class IncrementalWriter(Writer):
    """Pelican's writer, but pages with an unchanged key are kept from the previous output."""

    def write_file(self, name: Any, template: Any, context: dict[str, Any],
                   relative_urls: bool = False, paginated: Any = None,
                   template_name: Any = None, override_output: bool = False, url: Any = None,
                   **kwargs: Any) -> None:
        run = _run
        pages = paginated if paginated is not None else [k for k in ("articles", "dates")
                                                         if k in kwargs]
        if (run is None or not name or relative_urls
                or (pages and template_name in self.settings["PAGINATED_TEMPLATES"])):
            super().write_file(name, template, context, relative_urls, paginated, template_name,
                               override_output, url, **kwargs)
            return
        with timed("render"):
            key = run.keys.of(name, template.name, kwargs)
        path = sanitised_join(self.output_path, name)
        previous = run.previous / name
        localcontext = context.copy()
        localcontext.update(localsiteurl=context.get("localsiteurl"), output_file=name, **kwargs)
        stamp = _unchanged(run.old.get(name), key, previous)
        if stamp is not None:
            run.keep(name, key, stamp)
        else:
            with timed("render"):
                output = template.render(localcontext).encode("utf-8")
            run.rendered += 1
            stamp = _same_bytes(previous, output)
            if stamp is not None:
                run.keep(name, key, stamp, rendered=True)
            else:
                with timed("write"):
                    _folder(os.path.dirname(path))
                    with open(path, "xb") as f:
                        f.write(output)
                    stat = os.stat(path)
                run.new[name] = (key, stat.st_size, stat.st_mtime_ns)
        self._written_files.add(path)
        if override_output:
            self._overridden_files.add(path)
        signals.content_written.send(path, context=localcontext)


def _unchanged(entry: tuple[str, int, int] | None, key: str,
               previous: Path) -> tuple[int, int, int] | None:
    """The previous file's stamp if it can be kept: same key, untouched since."""
    if entry is None or entry[0] != key:
        return None
    return _stamp(previous, entry[1:])


def _same_bytes(previous: Path, output: bytes) -> tuple[int, int, int] | None:
    """The previous file's stamp if it holds exactly ``output``."""
    try:
        stat = previous.stat()
        if stat.st_size != len(output) or previous.read_bytes() != output:
            return None
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def _intact(previous: Path, files: Files) -> Kept | None:
    """The live stamps (with inodes) of the files the last build wrote, or None when any of
    them is gone or was touched since."""
    kept: Kept = {}
    for name, expected in files.items():
        stamp = _stamp(previous / name, expected)
        if stamp is None:
            return None
        kept[name] = stamp
    return kept


def _stamp(path: Path, expected: tuple[int, ...]) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    found = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    return found if found[:2] == tuple(expected) else None


def _folder(path: str) -> None:
    """A page's folder: usually new, with its parent there (one mkdir instead of makedirs)."""
    try:
        os.mkdir(path)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(path, exist_ok=True)


def _writer(_: Any) -> type[Writer]:
    return IncrementalWriter


def register() -> None:
    signals.get_writer.connect(_writer)
