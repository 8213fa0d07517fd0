"""portal_history ("全程留痕"): every page's change history, and old addresses that keep working.

From the content's git history (read once per build, see ``git.py``):

- ``item.history``: the dated changes readers should know of, newest first. Each commit that
  changed a file's ``change_note`` adds one; minor edits without a new note add nothing and do
  not move the "last updated" date. Uncommitted edits count; without git the front matter's
  ``updated`` and ``change_note`` are the history.
- ``item.origin_key``: the translation key the item was first published under, kept through
  renames, so feeds keep their entry ids.
- Pages that were published and are now renamed or removed leave a page at their old address:
  a redirect to the new address, or a "removed on <date>" notice with the reason from
  ``data/removed.yml``. These pages are in no list and no sitemap.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from pelican import signals
from pelican.generators import Generator

import portal_model
from portal_build import timed
from portal_model import Item, Problem, Site, model_loaded
from portal_model.schema import SECTIONS

from .git import GitFailed, NoHistory, Track, Version, tracks

REMOVED_FILE = "removed.yml"


@dataclass(frozen=True)
class Change:
    """One entry of a page's change history."""

    date: dt.datetime
    note: str


@dataclass(frozen=True)
class Gone:
    """An address that was published and is no longer a page: redirected or removed."""

    lang: str
    path: str  # language-independent, e.g. 'news/old-slug/'
    title: str
    source: str  # the file last published at this address
    target: Item | None = None  # where it moved; None when removed
    removed: dt.datetime | None = None
    reason: str = ""

    @property
    def kind(self) -> str:
        return "moved" if self.target is not None else "removed"


def gone(site: Site, lang: str) -> list[Gone]:
    """The old addresses of a language that get a redirect or a removal notice; a derived
    language (zh-Hant) keeps its source language's old addresses alive too."""
    derived_from = site.language(lang).derived_from
    if derived_from:
        return [replace(g, lang=lang, title=site.convert(lang, g.title),
                        reason=site.convert(lang, g.reason),
                        target=g.target.translations.get(lang) if g.target else None)
                for g in gone(site, derived_from)]
    return site.__dict__.get("portal_history_gone", {}).get(lang, [])


def enrich(site: Site, root: Path) -> list[Problem]:
    """Attach history and origin keys to every item; work out the old addresses."""
    settings = site.settings
    content = settings.get("PORTAL_CONTENT", "content")
    problems: list[Problem] = []
    try:
        found = tracks(root, content, settings.get("TIMEZONE", "UTC"),
                       portal_model.cache_folder(settings))
    except NoHistory:
        found = []
    except GitFailed as exc:
        problems.append(Problem(root / content, 0, f"git cannot read the history ({exc})",
                                "fix the checkout (e.g. 'git config --global --add "
                                "safe.directory <path>'), or build from a copy without .git"))
        found = []
    reasons = _reasons(root / "data" / REMOVED_FILE, site, problems)
    every = [i for items in (*site.items.values(), *site.drafts.values()) for i in items]
    # sources are under the root: a slice of the string, not a pathlib computation each
    top = len(str(root)) + 1
    paths = [str(i.source)[top:].replace(os.sep, "/") for i in every]
    by_path = dict(zip(paths, every, strict=True))
    followed: dict[str, Track] = {t.path: t for t in found if t.deleted is None}
    for path, item in zip(paths, every, strict=True):
        track = followed.get(path)
        _apply(item, track.versions if track else [],
               track.shown(site.now) if track else [])
    site.__dict__["portal_history_gone"] = _gone(site, found, by_path, reasons, problems)
    return problems


def _apply(item: Item, versions: list[Version], shown: list[bool]) -> None:
    """History from committed versions, then the working copy (which may be uncommitted);
    ``shown``: which versions readers saw (``Track.shown``)."""
    changes: list[Change] = []
    note, updated = None, None
    states = [(v.meta, v.committed) for v in versions]
    states.append(({k: item.meta[k] for k in ("change_note", "updated") if k in item.meta}, None))
    for meta, committed in states:
        new_note, new_updated = meta.get("change_note"), meta.get("updated")
        if new_note and new_note != note:
            # The editor's date when it was set with the note, else when it was committed.
            moved = new_updated is not None and new_updated != updated
            date = new_updated if moved or committed is None else committed
            if date is not None:
                changes.append(Change(date, new_note))
        note, updated = new_note, new_updated
    item.history = sorted(changes, key=lambda c: c.date, reverse=True)
    if item.history:  # "last updated" is the newest change readers were told of
        item.meta["updated"] = max(item.history[0].date, item.date)
    else:
        item.meta.pop("updated", None)
    first = next((v for v, seen in zip(versions, shown, strict=True) if seen), None)
    if first is not None:
        item.origin_key = first.meta.get("translation_key") or _relpath(first.path)


def _gone(site: Site, found: list[Track], by_path: dict[str, Item],
          reasons: dict[str, dict[str, str]], problems: list[Problem]) -> dict[str, list[Gone]]:
    """Old addresses: of renamed files (redirect) and of deleted or unpublished ones (notice)."""
    live = {(i.lang.code, i.path): i for lang in site.items.values() for i in lang}
    result: dict[tuple[str, str], Gone] = {}
    for track in sorted(found, key=lambda t: t.deleted or t.versions[-1].committed):
        current = None if track.deleted else by_path.get(track.path)
        if current is not None and current.unpublished and not site.show_drafts:
            current = None
        shown = track.shown(site.now)
        ended = _ended(track, shown, site)
        for version, seen in zip(track.versions, shown, strict=True):
            address = _address(version)
            if address is None or not seen:
                continue
            lang, path = address
            if current is not None and (current.lang.code, current.path) == address:
                result.pop(address, None)
                continue
            here = live.get(address)
            if here is not None:  # fine only when a removed page is back where it was
                key = version.meta.get("translation_key") or _relpath(version.path)
                if current is not None or here.key != key:
                    problems.append(_collision(here, version, current))
                continue
            reason = reasons.get(path, {}).get(lang, "")
            result[address] = Gone(lang, path, version.meta.get("title", ""), version.path,
                                   current, None if current else ended, reason)
    by_lang: dict[str, list[Gone]] = {lang.code: [] for lang in site.languages}
    for (lang, _), entry in sorted(result.items()):
        if lang in by_lang:
            by_lang[lang].append(entry)
    return by_lang


def _ended(track: Track, shown: list[bool], site: Site) -> dt.datetime:
    """When a page stopped being published: deleted, or since it went back to draft (or was
    scheduled again for later)."""
    if track.deleted:
        return track.deleted
    since = None
    for version, seen in zip(reversed(track.versions), reversed(shown), strict=True):
        if seen:
            break
        since = version.committed
    return since or dt.datetime.combine(site.build_date, dt.time())  # not yet committed


def _collision(here: Item, version: Version, current: Item | None) -> Problem:
    fate = f"now at {current.url}" if current else "since removed"
    return Problem(here.source, here.lines.get("slug", 0),
                   f"{here.url} was the address of {version.path} ({fate}); a new page there "
                   "would break links that readers and other sites keep",
                   "choose another file name or 'slug:' for this page")


def _address(version: Version) -> tuple[str, str] | None:
    """(language, path) a version was published at, if it was a content page at all."""
    parts = PurePosixPath(version.path).parts
    if len(parts) < 4 or parts[2] not in SECTIONS or not version.path.endswith(".md"):
        return None
    slug = version.meta.get("slug") or PurePosixPath(version.path).stem
    return parts[1], f"{parts[2]}/{slug}/"


def _relpath(path: str) -> str:
    """'content/zh/news/port.md' → 'news/port' (the default translation key)."""
    return "/".join(PurePosixPath(path).parts[2:]).removesuffix(".md")


def _reasons(path: Path, site: Site, problems: list[Problem]) -> dict[str, dict[str, str]]:
    """data/removed.yml: old path → {language: reason}."""
    if not path.exists():
        return {}
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(path, mark.line + 1 if mark else 0, f"not valid YAML ({exc})",
                                "check indentation and quoting"))
        return {}
    codes = {lang.code for lang in site.languages}
    ok = isinstance(loaded, dict) and all(
        isinstance(k, str) and isinstance(v, dict) and set(v) <= codes
        and all(isinstance(t, str) for t in v.values()) for k, v in loaded.items())
    if not ok:
        problems.append(Problem(path, 0, "each entry must be an old path with a reason per "
                                "language", "write e.g. 'news/old-page/: {zh: …, en: …}'"))
        return {}
    return {key.strip("/") + "/": value for key, value in loaded.items()}


class GoneGenerator(Generator):
    """Writes the redirect and removal pages of one language."""

    def generate_output(self, writer: Any) -> None:
        site = portal_model.current()
        for entry in gone(site, self.settings["PORTAL_LANG"]):
            writer.write_file(f"{entry.path}index.html", self.get_template(entry.kind),
                              self.context, gone=entry, relative_urls=False)


def _on_loaded(site: Site, root: Path) -> list[Problem]:
    with timed("history"):
        return enrich(site, root)


def _generators(_: Any) -> type[Generator]:
    return GoneGenerator


def register() -> None:
    model_loaded.connect(_on_loaded)
    signals.get_generators.connect(_generators)
