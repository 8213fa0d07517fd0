"""WeasyPrint in worker processes, and the cache that keeps it from running at all.

One WeasyPrint process grows with every document it renders (Pango font maps, CJK font
blobs of 20–30 MB each); workers share one font configuration per process and are replaced
after ``MAX_TASKS`` documents, so memory stays bounded however many PDFs a build has.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import resource
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

#: Documents a worker renders before it is replaced by a fresh process (caps its memory).
MAX_TASKS = 40
#: Bump when the way documents are rendered changes, to invalidate every cached PDF.
RENDER_VERSION = "pdf-1"
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1"}
#: Cached PDFs not used by any build for this long are deleted.
CACHE_DAYS = 30


@dataclass(frozen=True)
class Task:
    """Everything one PDF depends on; ``key`` is its hash and its name in the cache."""

    key: str
    html: str
    base_url: str
    stylesheets: tuple[str, ...]  # CSS texts: the print stylesheet, then the language's rules
    target: str  # the cache file to write
    #: The item's own files the document shows (its images): address → file.
    files: tuple[tuple[str, str], ...] = ()

    @classmethod
    def make(cls, html: str, base_url: str, stylesheets: Iterable[str], environment: str,
             cache: Path, files: Iterable[tuple[str, Path]] = ()) -> Task:
        sheets = tuple(stylesheets)
        shown = tuple((url, str(path)) for url, path in files)
        digest = hashlib.sha256()
        for part in (environment, base_url, html, *sheets):
            digest.update(part.encode())
            digest.update(b"\0")
        for url, path in shown:  # an image replaced under its name makes another PDF
            digest.update(url.encode() + b"\0" + Path(path).read_bytes() + b"\0")
        key = digest.hexdigest()[:32]
        return cls(key, html, base_url, sheets, str(cache / f"{key}.pdf"), shown)


@dataclass(frozen=True)
class Result:
    key: str
    seconds: float
    pid: int
    max_rss: int  # bytes: the worker's peak resident memory so far
    pages: int = 0
    cpu_seconds: float = 0.0
    tofu: tuple[str, ...] = ()  # characters no installed font has; nothing was written
    warnings: tuple[str, ...] = ()
    error: str = ""  # WeasyPrint failed; nothing was written


@dataclass
class Stats:
    """What a build's PDF step did, for the build log and the benchmark."""

    documents: int = 0
    rendered: int = 0
    pages: int = 0  # of the rendered PDFs
    cached: int = 0
    seconds: float = 0.0
    render_seconds: float = 0.0  # wall time in the workers, summed
    cpu_seconds: float = 0.0  # CPU time in the workers, summed
    workers: int = 0
    peak_rss: dict[int, int] = field(default_factory=dict)  # worker pid → peak RSS (bytes)

    @property
    def pool_peak(self) -> int:
        """Upper bound of the pool's memory: the largest peaks of as many workers as ran
        at once (shared pages counted in each, so the real figure is lower)."""
        return sum(sorted(self.peak_rss.values(), reverse=True)[: max(self.workers, 1)])


def environment(stylesheet_files: Iterable[Path], fonts: str) -> str:
    """What affects every PDF besides its own HTML: the renderer's versions and the fonts."""
    parts = [RENDER_VERSION, repr(sorted(PDF_OPTIONS.items())), fonts]
    parts += [f"{name} {version(name)}" for name in ("weasyprint", "pydyf", "fonttools")]
    parts += [path.read_text(encoding="utf-8") for path in stylesheet_files]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def run(tasks: list[Task], jobs: int) -> Iterator[Result]:
    """Render tasks in a pool of forked workers; yields results as they finish."""
    if not tasks:
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(processes=min(jobs, len(tasks)), maxtasksperchild=MAX_TASKS) as pool:
        yield from pool.imap_unordered(render, tasks, chunksize=1)


def prune(cache: Path, now: float | None = None) -> None:
    """Delete cached PDFs no build used for CACHE_DAYS (a hit refreshes a file's time)."""
    limit = (now or time.time()) - CACHE_DAYS * 86400
    for path in cache.glob("*.pdf"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


# --- in the worker ---------------------------------------------------------------------
_worker: dict[str, Any] = {}


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.tofu: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if ".notdef glyph" in message and record.args:
            self.tofu.append(str(record.args[0]))
        else:
            self.messages.append(message)


def render(task: Task) -> Result:
    """Render one PDF into the cache (atomically); refuse to write one with missing glyphs."""
    from weasyprint import CSS, HTML
    from weasyprint.logger import LOGGER
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    started, cpu = time.monotonic(), time.process_time()
    if not _worker:  # one per process: a font configuration per document leaks memory
        class Offline(URLFetcher):  # type: ignore[misc]
            """The build is offline: only local files are read (the stylesheets), and the
            document's own files (``files``: address → file) in place of their addresses."""

            def fetch(self, url: str, headers: Any = None) -> Any:
                local = self.files.get(url)
                return super().fetch(Path(local).as_uri() if local else url, headers)

        _worker["fonts"] = FontConfiguration()
        _worker["fetcher"] = Offline(allowed_protocols={"file"})
        _worker["css"] = {}
        LOGGER.propagate = False  # the parent logs what a worker reports, once
    fonts, fetcher, sheets = _worker["fonts"], _worker["fetcher"], _worker["css"]
    fetcher.files = dict(task.files)
    stylesheets = []
    for text in task.stylesheets:
        if text not in sheets:
            sheets[text] = CSS(string=text, font_config=fonts, url_fetcher=fetcher)
        stylesheets.append(sheets[text])

    handler = _Warnings()
    LOGGER.addHandler(handler)
    try:
        html = HTML(string=task.html, base_url=task.base_url, url_fetcher=fetcher)
        document = html.render(stylesheets=stylesheets, font_config=fonts, **PDF_OPTIONS)
        data = document.write_pdf(pdf_identifier=task.key.encode(), **PDF_OPTIONS)
    except Exception as exc:  # reported with the item's file by the parent
        return Result(key=task.key, seconds=time.monotonic() - started, pid=os.getpid(),
                      max_rss=_peak_rss(), error=f"{type(exc).__name__}: {exc}")
    finally:
        LOGGER.removeHandler(handler)
    if not handler.tofu:
        tmp = Path(f"{task.target}.tmp{os.getpid()}")
        tmp.write_bytes(data)
        tmp.replace(task.target)
    return Result(key=task.key, seconds=time.monotonic() - started, pid=os.getpid(),
                  max_rss=_peak_rss(), pages=len(document.pages),
                  cpu_seconds=time.process_time() - cpu,
                  tofu=tuple(dict.fromkeys(handler.tofu)), warnings=tuple(handler.messages))


def _peak_rss() -> int:
    """This process's peak resident memory in bytes (Linux's VmHWM)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
