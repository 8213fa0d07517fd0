"""`invoke serve` as editors run it: a real watcher, real rebuilds, a real HTTP server."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.corpus import write_portal
from conftest import ROOT

VERSION = re.compile(r"/search/([0-9a-f]{10})/")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """An `invoke serve` process and the lines it prints."""

    def __init__(self, conf: Path, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [Path(sys.executable).parent / "invoke", "-r", ROOT, "serve", "--config", conf,
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

    def wait_for(self, text: str, timeout: float = 180) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.process.poll() is None, "serve exited:\n" + "".join(self.seen)
                continue
            self.seen.append(line)
            if text in line:
                return line
        pytest.fail(f"serve never printed {text!r}:\n" + "".join(self.seen))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    write_portal(tmp_path / "portal", 6, seed=11)
    running = Server(tmp_path / "portal" / "pelicanconf.py", _free_port())
    try:
        yield running
    finally:
        running.stop()


def test_serve_puts_an_edited_page_live_first_and_its_search_index_after(server: Server,
                                                                         tmp_path: Path
                                                                         ) -> None:
    portal = tmp_path / "portal"
    server.wait_for("Serving on")
    news = sorted((portal / "content" / "zh" / "news").glob("*.md"))[0]
    status, page = server.get(f"/news/{news.stem}/")
    assert status == 200 and "预览中新增的段落" not in page
    status, search = server.get("/search/")
    assert status == 200
    before = VERSION.search(search).group(1)
    assert server.get(f"/search/{before}/meta.json")[0] == 200
    assert server.get("/en/no-such-page/")[0] == 404

    news.write_text(news.read_text(encoding="utf-8") + "\n预览中新增的段落。\n",
                    encoding="utf-8")
    server.wait_for("Pages live")
    status, page = server.get(f"/news/{news.stem}/")
    assert status == 200 and "预览中新增的段落" in page  # live before the index is built

    server.wait_for("Built")
    after = VERSION.search(server.get("/search/")[1]).group(1)
    assert after != before, "the second build published the new index"
    assert server.get(f"/search/{after}/meta.json")[0] == 200
    assert server.get(f"/search/{before}/meta.json")[0] == 404
