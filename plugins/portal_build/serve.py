"""A local preview server: output/ on 127.0.0.1 with each language's own 404 page. Its pages
reload themselves when a rebuild put new pages live, and, while the last rebuild failed, show
its error on top (an editor looking at the browser would otherwise see the previous site and
not know why the edit is missing). Both are added as pages are served: output/ has neither."""

from __future__ import annotations

import functools
import html
import os
import re
import time
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BODY = re.compile(rb"<body[^>]*>")
#: A swap takes output/ away between its two renames (see ``trees.swap``): a request that
#: finds nothing then waits for it (up to ``SWAP_WAIT`` s) and asks again (up to ``TRIES``
#: times) instead of answering 404, or dropping the connection when a page it was reading
#: went away.
SWAP_WAIT = 2.0
TRIES = 20
VERSION_PATH = "/__preview/version"
#: Asks every second whether the site changed, and reloads the page when it did.
RELOAD = (b"<script>(function(){var seen=null;setInterval(function(){fetch('"
          + VERSION_PATH.encode() + b"',{cache:'no-store'}).then(function(r){return r.text()})"
          b".then(function(v){if(seen===null){seen=v}else if(v!==seen){location.reload()}})"
          b".catch(function(){})},1000)})();</script>")


@dataclass
class PreviewState:
    """What the pages tell the editor: the last build's error (None once a build succeeds),
    and a number that changes whenever they should reload."""

    error: str | None = None
    version: int = 0

    def changed(self, error: str | None = None) -> None:
        self.error = error
        self.version += 1


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serves the built site; unknown paths get the 404 page of their language prefix."""

    state = PreviewState()
    _tries = 0  # of the request under way (see ``_again``)

    def do_GET(self) -> None:
        self._tries = 0
        self._get()

    def _get(self) -> None:
        if self.path == VERSION_PATH:
            self._send(200, str(self.state.version).encode(), "text/plain; charset=utf-8")
            return
        self._await_output()
        page = self._page()
        if page is None:
            super().do_GET()  # a 404 comes back through send_error
            return
        try:
            content = page.read_bytes()
        except FileNotFoundError:  # taken away by a swap since it was found
            if not self._again():
                self.send_error(404)
            return
        self._send_page(200, content)

    def _await_output(self) -> None:
        deadline = time.monotonic() + SWAP_WAIT
        while not os.path.isdir(self.directory) and time.monotonic() < deadline:
            time.sleep(0.005)

    def _again(self) -> bool:
        """Ask again for what was missing while a swap was under way (output/ gone, or the
        file there after all); False when it is really missing, or after ``TRIES``."""
        if self._tries >= TRIES or (os.path.isdir(self.directory)
                                    and not os.path.exists(self.translate_path(self.path))):
            return False
        self._tries += 1
        self._get()
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404:
            super().send_error(code, message, explain)
            return
        if self.command == "GET" and self._again():
            return
        root = Path(self.directory)
        prefix = self.path.lstrip("/").split("/", 1)[0]
        for _ in range(TRIES):
            self._await_output()
            page = root / prefix / "404.html"
            own = prefix and (root / prefix).resolve().parent == root.resolve()
            if not own or not page.is_file():
                page = root / "404.html"
            try:
                content = page.read_bytes()
            except FileNotFoundError:  # none, or a swap under way
                continue
            self._send_page(404, content)
            return
        super().send_error(code, message, explain)

    def _page(self) -> Path | None:
        """The HTML file a GET asks for; else None (the standard handler serves it)."""
        path = Path(self.translate_path(self.path))
        if self.path.split("?", 1)[0].endswith("/"):
            path = path / "index.html"
        return path if path.suffix == ".html" and path.is_file() else None

    def _send_page(self, code: int, content: bytes) -> None:
        added = RELOAD
        if self.state.error is not None:
            added += ('<div class="preview-banner" role="alert"><p>The last build failed; this '
                      'is the site before it. Fix the content and save again.</p><pre '
                      'style="white-space: pre-wrap; text-align: start; font-weight: 400">'
                      f"{html.escape(self.state.error)}</pre></div>").encode()
        body = BODY.sub(lambda tag: tag.group(0) + added, content, count=1)
        self._send(code, body, "text/html; charset=utf-8")

    def _send(self, code: int, body: bytes, kind: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a preview server's access log is noise."""


def preview_server(output: Path, port: int = 8000,
                   state: PreviewState | None = None) -> ThreadingHTTPServer:
    """The server, bound and listening (so it answers as soon as this returns); run its
    ``serve_forever()`` in a thread. ``state``: set its ``error`` while a rebuild fails."""
    handler = type("Handler", (PreviewHandler,), {"state": state or PreviewState()})
    return ThreadingHTTPServer(("127.0.0.1", port),
                               functools.partial(handler, directory=os.fspath(output)))
