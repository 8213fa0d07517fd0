"""The delivery ledger: what each partner has confirmed, kept on disk between runs.

Each partner has one JSON file in the state folder, rewritten after every confirmed delivery
by writing a temporary file, fsyncing it, renaming it over the old one and fsyncing the
folder. A run killed at any moment leaves either the old or the new file, never a torn one;
at worst the request in flight is sent again next run, with the same Idempotency-Key.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .partners import SyndicationError


def write_atomic(path: Path, data: Any) -> None:
    """Replace ``path`` with ``data`` as JSON so that a crash leaves old or new, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    blob = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode()
    with open(tmp, "wb") as handle:
        handle.write(blob)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SyndicationError(f"{path}: the ledger cannot be read ({exc}) — restore it from "
                               "the last CI cache; deleting it resends everything") from None


class Ledger:
    """Per item id: the version a partner confirmed, whether it was withdrawn, and the
    version it rejected (not retried until the content changes or --retry-rejected)."""

    def __init__(self, state: Path, partner: str) -> None:
        self.path = state / f"{partner}.json"
        self.items: dict[str, dict[str, Any]] = read(self.path).get("items", {})
        self.partner = partner

    def get(self, item_id: str) -> dict[str, Any]:
        return self.items.get(item_id, {})

    def record(self, item_id: str, **fields: Any) -> None:
        entry = {**self.get(item_id), **fields}
        self.items[item_id] = {k: v for k, v in entry.items() if v is not None}
        write_atomic(self.path, {"partner": self.partner, "items": self.items})


@contextmanager
def locked(state: Path) -> Iterator[None]:
    """One syndicate run at a time per state folder (two would send the same items twice)."""
    state.mkdir(parents=True, exist_ok=True)
    with open(state / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyndicationError(f"{state}: another syndicate run is in progress") from None
        for stale in state.glob(".*.tmp"):  # left by a run killed between write and rename
            stale.unlink(missing_ok=True)
        yield
