"""Preview benchmark: what an editor waits for in `invoke serve`, from saving a file to the
new page (then the new search index) being served.

The preview server runs as editors run it, a real process with its file watcher and HTTP
server; each edit appends a paragraph to one Chinese news item, and the clock stops when the
server's answer for that page holds the paragraph, then when the search page names a new
index. It asks every 100 ms (the preview server shares its process with the build: asking
much more often would slow the build it measures). Python's start and imports are paid once,
when the server starts, as they are for an editor.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .bench import _settle
from .corpus import ROOT, write_portal

SEARCH_VERSION = re.compile(r"/search/([0-9a-f]{10})/")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PreviewServer:
    """An `invoke serve` process for a portal, and the lines it prints."""

    def __init__(self, conf: Path, port: int | None = None, root: Path = ROOT) -> None:
        """``root``: the folder whose tasks.py (and plugins) serve runs with."""
        port = port or free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [Path(sys.executable).parent / "invoke", "-r", root, "serve", "--config", conf,
             "--port", str(port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 600) -> str:
        """The next line that holds ``text``; raises if the server exits or stays silent."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    raise RuntimeError("serve exited:\n" + "".join(self.seen)) from None
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise TimeoutError(f"serve never printed {text!r}:\n" + "".join(self.seen))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def search_version(self, prefix: str = "") -> str:
        found = SEARCH_VERSION.search(self.get(f"/{prefix}search/")[1])
        return found.group(1) if found else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@dataclass
class Edit:
    #: seconds from saving the file until the page served holds the edit
    page: float
    #: … until the search page names the new index
    search: float
    #: what serve printed: its first build's time until the pages were live
    reported: float


def run(per_lang: int, edits: int, work: Path, timeout: float = 300) -> list[Edit]:
    """Start a preview server on a fresh corpus and time ``edits`` edits, one after another."""
    project = work / f"preview-{per_lang}"
    write_portal(project, per_lang, 1)
    server = PreviewServer(project / "pelicanconf.py")
    try:
        server.wait_for("Serving on")
        news = sorted((project / "content" / "zh" / "news").glob("*.md"))[0]
        page = f"/news/{news.stem}/"
        found: list[Edit] = []
        for number in range(edits):
            _settle(project)  # as between an editor's saves: background work done
            before = server.search_version()
            marker = f"预览计时第{number + 1}段。"
            text = news.read_text(encoding="utf-8")
            saved = time.monotonic()
            news.write_text(f"{text}\n{marker}\n", encoding="utf-8")
            page_at = _until(lambda text=marker: text in server.get(page)[1], saved, timeout)
            search_at = _until(lambda old=before: server.search_version() not in ("", old),
                               saved, timeout)
            live = server.wait_for("Pages live")
            server.wait_for("Built")
            reported = float(re.search(r"in ([0-9.]+) s", live).group(1))
            found.append(Edit(page_at - saved, search_at - saved, reported))
            print(f"  edit {number + 1}: page served after {page_at - saved:5.2f} s, "
                  f"search after {search_at - saved:5.2f} s (serve: pages live in {reported} s)",
                  file=sys.stderr)
        return found
    finally:
        server.stop()


def _until(done: Callable[[], bool], since: float, timeout: float) -> float:
    """The moment ``done()`` first holds, asked every 100 ms."""
    while not done():
        if time.monotonic() - since > timeout:
            raise TimeoutError("the preview never showed the edit")
        time.sleep(0.1)
    return time.monotonic()


def table(per_lang: int, edits: list[Edit]) -> str:
    def stat(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} [{min(values):.2f}–{max(values):.2f}]"

    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    later = edits[1:] or edits  # the first edit runs every language (translations outdated)
    return "\n".join([
        f"## Preview, 4 × {per_lang} items, {len(edits)} edits", "",
        f"{os.cpu_count()} cores; load average after the edits: {load}.", "",
        "| edits | page served s | search served s | serve's 'pages live' s |",
        "| --- | --- | --- | --- |",
        f"| first | {edits[0].page:.2f} | {edits[0].search:.2f} | {edits[0].reported:.2f} |",
        f"| later, median [min–max] | {stat([e.page for e in later])} | "
        f"{stat([e.search for e in later])} | {stat([e.reported for e in later])} |",
    ])
