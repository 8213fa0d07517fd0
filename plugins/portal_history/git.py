"""Read the content's git history in two processes per build, however many files there are.

One ``git log --raw -M`` lists every commit that touched the content folder, with the blob of
each file version and git's rename detection; one ``git cat-file --batch`` reads the front
matter of the versions not yet in the cache (blobs never change, so the cache only grows).
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from portal_model.frontmatter import FrontMatterError, split
from portal_model.schema import Invalid, when

#: Front-matter keys the history needs from every past version of a file.
KEYS = ("title", "slug", "status", "translation_key", "change_note", "date", "updated")
DATES = ("date", "updated")
CACHE_NAME = "history-2.pickle"


class NoHistory(Exception):
    """There is no git history (no git, not a checkout, no commit yet): use the front matter."""


class GitFailed(Exception):
    """A checkout whose history git cannot read: an error, not a silent loss of history."""


#: What git says when there is simply no history to read.
NO_HISTORY = ("not a git repository", "does not have any commits yet")


@dataclass(frozen=True)
class Version:
    """One committed state of a file: where it was, when, and its blob."""

    path: str  # relative to the project root, e.g. 'content/zh/news/port.md'
    committed: dt.datetime  # local (naive) time of the portal's time zone
    blob: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass
class Track:
    """A file followed through renames: its versions, oldest first, and how it ended."""

    versions: list[Version] = field(default_factory=list)
    deleted: dt.datetime | None = None

    @property
    def path(self) -> str:
        return self.versions[-1].path

    def shown(self, now: dt.datetime) -> list[bool]:
        """For each version, whether readers saw it: not a draft, and dated before the next
        version (or the deletion, or ``now``) replaced it, so that a page scheduled for later
        and changed or deleted before its day was never published."""
        ends = [v.committed for v in self.versions[1:]] + [self.deleted or now]
        return [v.meta.get("status") != "draft" and v.meta.get("date", end) <= end
                for v, end in zip(self.versions, ends, strict=True)]


def tracks(root: Path, content: str, tz: str, cache_dir: Path) -> list[Track]:
    """Every file ever committed under ``content``, followed through renames."""
    log = _git(root, "-c", "core.quotepath=off", "log", "--reverse", "--raw", "--no-abbrev",
               "-M", "--relative", "--format=%x1e%H%x1f%cI", "--", content).decode("utf-8")
    zone = ZoneInfo(tz)
    alive: dict[str, Track] = {}
    found: list[Track] = []
    for chunk in log.split("\x1e")[1:]:
        header, _, raw = chunk.partition("\n")
        committed = dt.datetime.fromisoformat(header.split("\x1f")[1].strip())
        committed = committed.astimezone(zone).replace(tzinfo=None)
        for line in raw.splitlines():
            if not line.startswith(":"):
                continue
            info, *paths = line.split("\t")
            blob, status = info.split()[3], info.split()[4][0]
            if status == "D":
                track = alive.pop(paths[0], None)
                if track is not None:
                    track.deleted = committed
                continue
            if status == "R":
                track = alive.pop(paths[0], None) or Track()
            elif status == "A" or paths[0] not in alive:
                track = Track()
            else:
                track = alive[paths[0]]
            if not track.versions:
                found.append(track)
            alive[paths[-1]] = track
            track.versions.append(Version(paths[-1], committed, blob))
    _read_front_matter(root, found, cache_dir)
    return found


def _read_front_matter(root: Path, found: list[Track], cache_dir: Path) -> None:
    """Attach each version's front matter, reading unknown blobs in one batch."""
    path = cache_dir / CACHE_NAME
    try:
        cache: dict[str, dict[str, Any]] = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError):
        cache = {}
    versions = [v for track in found for v in track.versions if v.path.endswith(".md")]
    missing = sorted({v.blob for v in versions} - cache.keys())
    if missing:
        out = _git(root, "cat-file", "--batch", input="\n".join(missing).encode() + b"\n")
        at = 0
        for blob in missing:
            end = out.index(b"\n", at)
            size = int(out[at:end].split()[2])
            cache[blob] = _meta(out[end + 1:end + 1 + size])
            at = end + 1 + size + 1
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(pickle.dumps(cache, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)
    for version in versions:
        version.meta.update(cache[version.blob])


def _meta(raw: bytes) -> dict[str, Any]:
    """The few front-matter values the history needs; a broken past version has none."""
    try:
        data = split(raw.decode("utf-8"), Path("")).data
    except (FrontMatterError, UnicodeDecodeError):
        return {}
    meta = {key: data[key] for key in KEYS if isinstance(data.get(key), str | int | float)}
    for key in DATES:
        if key in meta:
            try:
                meta[key] = when(meta[key], None)  # type: ignore[arg-type]
            except Invalid:
                del meta[key]
    return {key: value if key in DATES else str(value).strip() for key, value in meta.items()}


def _git(root: Path, *args: str, input: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, input=input)
    except OSError as exc:  # git is not installed
        raise NoHistory(str(exc)) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise (NoHistory if any(s in message for s in NO_HISTORY) else GitFailed)(message)
    return done.stdout
