"""The two trees of an output: the live one, and a spare (the build before) that becomes the
next build's complete tree.

A build writes only what changed, into an empty staging folder, and says which files of the
live output it keeps. Linking every kept file into staging would cost a folder and a link
per page: ten thousand of each on a large portal, seconds on a one-file edit. Instead the
tree the previous build replaced, kept beside the output as ``.output.spare``, is brought
up to date: files no longer built are removed (a folder of nothing else, such as a search
index's old version, renamed away whole and deleted in the background), the new ones moved
in from staging, and kept files linked where the spare does not already hold the live file
itself (the same inode).
The live output is never written to, and the swap is one atomic exchange of the two trees
(two renames where the system cannot exchange).

The spare is scanned, not trusted: whatever happened to it, the tree it becomes holds
exactly the new files and the kept ones. A build claims it as it starts and a child process
scans it while the model is read (see ``Spare``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import itertools
import multiprocessing
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

#: A file of the live output a build keeps: its name under the output → (size, mtime_ns, inode).
Kept = dict[str, tuple[int, int, int]]


def spare_path(output: Path) -> Path:
    return output.parent / f".{output.name}.spare"


class Spare:
    """The tree the previous build replaced, claimed by this build as it starts (renamed, so a
    build running alongside cannot take it too) and scanned by a child process while the
    parent reads the model, on the core that reading leaves idle (scanning some twelve
    thousand folders took a tenth of an editor's wait when it came after the pages)."""

    def __init__(self, output: Path, staging: Path) -> None:
        self.output = output
        self.tree: Path | None = staging.with_name(f"{staging.name}-tree")
        self._scanning: Any = None
        try:
            spare_path(output).rename(self.tree)
        except OSError:
            self.tree = None
            return
        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        worker = context.Process(target=_scan_for, args=(self.tree, sending), daemon=True)
        worker.start()
        sending.close()
        self._scanning = (worker, receiving)

    def complete(self, staging: Path, kept: Kept) -> Path:
        """The finished tree: ``staging`` with every kept file of the output added, built in
        the spare when there is one (then ``staging`` is removed), else in ``staging``."""
        if self.tree is None or not kept:  # the output replaced becomes the spare
            self.release(keep=False)
            for name in kept:
                link(self.output / name, staging / name)
            return staging
        _update(self.tree, staging, self.output, kept, self._scanned())
        shutil.rmtree(staging)  # its files were moved: folders are left
        return self.tree

    def release(self, keep: bool = True) -> None:
        """Give the claimed tree up: a spare again (after a failed build: it is scanned, not
        trusted, so whatever the build did to it does not matter), or thrown away."""
        if self.tree is None:
            return
        self._received()  # the child is done with it
        tree, self.tree = self.tree, None
        if not tree.exists():  # swapped in
            return
        if keep:
            try:
                tree.rename(spare_path(self.output))
                return
            except OSError:  # a build alongside left a spare already: one suffices
                pass
        discard(tree, self.output)

    def _scanned(self) -> tuple[dict[str, int], set[str]]:
        """What the child found; scanned here if it could not say."""
        assert self.tree is not None
        found = self._received()
        if found is not None:
            return found
        emptied: set[str] = set()
        return _scan(self.tree, emptied), emptied

    def _received(self) -> tuple[dict[str, int], set[str]] | None:
        """The scanning child's answer, once it has finished (None if it could not say)."""
        if self._scanning is None:
            return None
        worker, receiving = self._scanning
        self._scanning = None
        try:
            return receiving.recv()
        except (EOFError, OSError):
            return None
        finally:
            receiving.close()
            worker.join()


def _scan_for(tree: Path, sending: Any) -> None:
    """In the scanning child: the tree's files and empty folders, sent to the parent."""
    emptied: set[str] = set()
    sending.send((_scan(tree, emptied), emptied))
    sending.close()


def _update(tree: Path, staging: Path, output: Path, kept: Kept,
            scanned: tuple[dict[str, int], set[str]]) -> None:
    present, emptied = scanned
    new = _scan(staging, set())
    folders, loose = _stale(present.keys() - new.keys() - kept.keys(), [*new, *kept])
    for folder in folders:  # whole folders (a search index's old version) go at once
        discard(tree / folder, output)
    for name in loose:
        os.unlink(tree / name)
        emptied.add(os.path.dirname(name))
    _remove_empty(tree, emptied)
    for name in new:
        target = tree / name
        try:
            os.replace(staging / name, target)
        except FileNotFoundError:
            os.makedirs(target.parent, exist_ok=True)
            os.replace(staging / name, target)
    for name, (_, _, inode) in kept.items():
        if present.get(name) != inode:
            if name in present:
                os.unlink(tree / name)
            link(output / name, tree / name)


def _stale(gone: set[str], staying: list[str]) -> tuple[set[str], list[str]]:
    """The files the tree no longer has: the topmost folders that hold nothing else (one
    rename each instead of an unlink per file: a search index's version folder holds
    thousands), and the other such files one by one."""
    if not gone:
        return set(), []
    live: set[str] = set()
    for folder in {name.rpartition("/")[0] for name in staying}:  # names use "/"
        while folder and folder not in live:
            live.add(folder)
            folder = folder.rpartition("/")[0]
    folders: set[str] = set()
    loose: list[str] = []
    for name in gone:
        folder, top = name.rpartition("/")[0], ""
        while folder and folder not in live:
            top, folder = folder, folder.rpartition("/")[0]
        if top:
            folders.add(top)
        else:
            loose.append(name)
    return folders, loose


def _scan(root: Path, empty: set[str]) -> dict[str, int]:
    """Every file below ``root`` (not folders), by name, with its inode; folders with
    nothing in them are added to ``empty``."""
    found: dict[str, int] = {}
    top = len(str(root)) + 1
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            nothing = True
            for entry in entries:
                nothing = False
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    # the directory entry's inode: no stat per file (where a file system
                    # reports another one than stat, the file is just linked again)
                    found[entry.path[top:]] = entry.inode()
        if nothing and folder != str(root):
            empty.add(folder[top:])
    return found


def _remove_empty(tree: Path, folders: set[str]) -> None:
    """Remove the folders (and their parents) that removing files left empty."""
    for folder in sorted(folders, key=lambda f: f.count("/"), reverse=True):
        while folder:
            try:
                os.rmdir(tree / folder)
            except OSError:  # not empty (or gone with a deeper one): its parents are not either
                break
            folder = os.path.dirname(folder)


def link(source: Path, target: Path) -> None:
    """Link a kept file into a new tree (copy where links are not possible)."""
    try:
        os.link(source, target)
    except FileNotFoundError:
        if not source.exists():  # the live file went away during the build
            raise
        os.makedirs(target.parent, exist_ok=True)
        link(source, target)
    except OSError:  # another filesystem, or links not supported
        shutil.copy2(source, target)


def swap(tree: Path, output: Path) -> None:
    """Put ``tree`` live; the tree it replaces becomes the spare. Where the system can,
    the two trees are exchanged in one step, so that ``output/`` is never missing, not even
    for the moment between two renames in which a web server would answer 404."""
    spare = spare_path(output)
    replaced = output.exists()
    if replaced and exchange(tree, output):  # the replaced tree is now at ``tree``
        try:
            tree.rename(spare)
        except OSError:  # a spare is there already (a build alongside left one): one suffices
            discard(tree, output)
    else:
        if replaced:
            try:
                output.rename(spare)
            except OSError:
                discard(output, output)
        tree.rename(output)
    # any left by an interrupted build (or still being deleted: rm -f tolerates that)
    stale = [str(p) for p in output.parent.glob(f".{output.name}.old-*")]
    if stale:
        _background(["rm", "-rf", "--", *stale])
    if not replaced:  # a first build: the next one would have no spare
        _prepare_spare(output)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux's ``renameat2`` with ``RENAME_EXCHANGE``: ext4, XFS,
    Btrfs, tmpfs …); False where the system or its file system cannot, nothing changed."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                     _RENAME_EXCHANGE)
    if done == 0:
        return True
    error = ctypes.get_errno()
    # not supported (an old kernel, a file system without it: overlayfs on some layers), or
    # not possible here (another file system, a mount point): the two renames say the rest
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EPERM, errno.EXDEV, errno.EBUSY):
        return False
    raise OSError(error, os.strerror(error), str(first), None, str(second))


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def _prepare_spare(output: Path) -> None:
    """Make a spare in the background after a first build (hard links to every file, made
    while the editor is at work on the next change), so that the next build does not have to
    link every page it keeps. A build that finds no spare yet simply links them itself."""
    building = output.parent / f".{output.name}.spare-building-{os.getpid()}"
    building.mkdir()  # made here, so that ``settle`` sees the work from the start
    script = 'cp -al -- "$1/." "$2" && mv -T -- "$2" "$3" || rm -rf -- "$2"'
    _background(["sh", "-c", script, "sh", str(output), str(building), str(spare_path(output))])


def settle(output: Path, limit: float = 300.0) -> None:
    """Wait for the work builds of ``output`` left to the background (deleting a replaced
    tree, preparing the spare after a first build): before removing the folder that holds
    it, or before timing a build that should not share the disk with it."""
    waited = time.monotonic()
    patterns = (f".{output.name}.old-*", f".{output.name}.spare-building-*")
    while (any(any(output.parent.glob(pattern)) for pattern in patterns)
           and time.monotonic() - waited < limit):
        time.sleep(0.1)


def _background(command: list[str]) -> None:
    subprocess.Popen(command, start_new_session=True, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


_discarded = itertools.count()


def discard(tree: Path, output: Path) -> None:
    """Take a tree out of the way at once; it is deleted in the background by ``swap`` (this
    build's or the next one's), since unlinking ten thousand files takes seconds."""
    if tree.exists():
        tree.rename(output.parent / f".{output.name}.old-{os.getpid()}-{time.monotonic_ns()}"
                                    f"-{next(_discarded)}")
