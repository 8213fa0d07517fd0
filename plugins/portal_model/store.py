"""What builds keep between runs: values keyed by the hash of what they were made from.

Kept on disk in 16 shards (by the key's first hex digit), so that after an edit only the shard
holding the changed value is written again, not the whole store; and in the memory of the
process, so that a preview server, which builds again and again, does not read every shard
back from disk each time. Keys are content hashes, so entries never go stale: the shards'
stamps only tell whether another process changed them since; and a store's folder is named
after the code that makes its values (``versioned``), so none made by other code is reused.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import shutil
import sys
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

Value = TypeVar("Value")
#: What reading a file that is missing, damaged or of another version raises.
UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError)
#: The pinned libraries (Markdown, the sanitizer, OpenCC, lunr …) values are made with.
REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements.txt"


@functools.cache
def imported(path: Path) -> bytes:
    """A file of code as this process first read it, which is the code it runs: a process
    that builds again (the preview server) does not load a plugin changed meanwhile, so
    what it makes must not be named after the new code."""
    return path.read_bytes() if path.is_file() else b""


def code_version(*packages: Path, also: str = "") -> str:
    """Hash of the code that makes a store's values: the modules of ``packages`` (plugin
    folders), the pinned libraries and Python (and ``also``: settings that shape them).
    Keys hash what values are made from, this what makes them: a store named with it (see
    ``versioned``) starts empty once either changed, as after an upgrade with a ``.cache/``
    carried over, or a plugin edited."""
    found = hashlib.sha256(f"{sys.version}\0{also}".encode())
    for path in [*sorted(p for package in packages for p in package.glob("*.py")), REQUIREMENTS]:
        found.update(str(path.name).encode() + b"\0" + imported(path) + b"\0")
    return found.hexdigest()[:12]


def versioned(parent: Path, name: str, version: str) -> Path:
    """The folder of a store ``name`` made by code of that ``version`` (``code_version``);
    folders of the same store made by other code are deleted (never read again)."""
    folder = parent / f"{name}-{version}"
    if not folder.exists() and parent.is_dir():
        for old in parent.glob(f"{name}*"):
            if old.is_dir() and (old.name == name or old.name.startswith(f"{name}-")):
                shutil.rmtree(old, ignore_errors=True)
    return folder


class Store(Generic[Value]):
    """Values by hex key in ``folder``; ``save()`` keeps those this build used."""

    SHARDS = "0123456789abcdef"
    #: What this process last read or wrote, by folder, with the shards' stamps then.
    _memory: ClassVar[dict[Path, tuple[dict[str, tuple[int, int]], dict[str, Any]]]] = {}

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.entries: dict[str, Value] = {}
        self.used: dict[str, Value] = {}
        self.dirty: set[str] = set()
        stamps = self._stamps()
        remembered = self._memory.get(folder)
        if remembered is not None and remembered[0] == stamps:
            self.entries.update(remembered[1])
            return
        for shard in self.SHARDS:
            with contextlib.suppress(*UNREADABLE):
                self.entries.update(pickle.loads((folder / f"{shard}.pickle").read_bytes()))
        self._memory[folder] = (stamps, dict(self.entries))

    def get(self, key: str) -> Value | None:
        found = self.entries.get(key)
        if found is not None:
            self.used[key] = found
        return found

    def put(self, key: str, value: Value) -> Value:
        self.used[key] = self.entries[key] = value
        self.dirty.add(key[0])
        return value

    def save(self) -> None:
        """Write the shards that changed; entries no build step used any more are dropped."""
        dropped = {key[0] for key in self.entries.keys() - self.used.keys()}
        changed = self.dirty | dropped
        if not changed:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for shard in changed:
            self.write(f"{shard}.pickle", {k: v for k, v in self.used.items() if k[0] == shard})
        self._memory[self.folder] = (self._stamps(), dict(self.used))

    def write(self, name: str, value: Any) -> None:
        """Pickle ``value`` to a file of the folder; builds running side by side never read
        half a file."""
        path = self.folder / name
        tmp = path.with_name(f"{name}.tmp{os.getpid()}")
        tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)

    def _stamps(self) -> dict[str, tuple[int, int]]:
        found = {}
        for shard in self.SHARDS:
            try:
                stat = (self.folder / f"{shard}.pickle").stat()
            except OSError:
                continue
            found[shard] = (stat.st_mtime_ns, stat.st_size)
        return found
