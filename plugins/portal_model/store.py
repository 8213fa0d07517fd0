"""What builds keep between runs: values keyed by the hash of what they were made from.

Kept on disk in 16 shards (by the key's first hex digit), so that after an edit only the shard
holding the changed value is written again, not the whole store; and in the memory of the
process, so that a preview server, which builds again and again, does not read every shard
back from disk each time. Keys are content hashes, so entries never go stale: the shards'
stamps only tell whether another process changed them since.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

Value = TypeVar("Value")
#: What reading a file that is missing, damaged or of another version raises.
UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError)


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
