"""A local preview server: output/ on 127.0.0.1 with each language's own 404 page. Its pages
reload themselves when a rebuild put new pages live, and, while the last rebuild failed, show
its error on top (an editor looking at the browser would otherwise see the previous site and
not know why the edit is missing). Both are added as pages are served: output/ has neither."""

from __future__ import annotations

import functools
import html
import os
import re
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BODY = re.compile(rb"<body[^>]*>")
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

    def do_GET(self) -> None:
        if self.path == VERSION_PATH:
            self._send(200, str(self.state.version).encode(), "text/plain; charset=utf-8")
            return
        page = self._page()
        if page is None:
            super().do_GET()
        else:
            self._send_page(200, page)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404:
            super().send_error(code, message, explain)
            return
        root = Path(self.directory)
        prefix = self.path.lstrip("/").split("/", 1)[0]
        page = root / prefix / "404.html"
        if not prefix or not page.is_file() or (root / prefix).resolve().parent != root.resolve():
            page = root / "404.html"
        if not page.is_file():
            super().send_error(code, message, explain)
            return
        self._send_page(404, page)

    def _page(self) -> Path | None:
        """The HTML file a GET asks for; else None (the standard handler serves it)."""
        path = Path(self.translate_path(self.path))
        if self.path.split("?", 1)[0].endswith("/"):
            path = path / "index.html"
        return path if path.suffix == ".html" and path.is_file() else None

    def _send_page(self, code: int, page: Path) -> None:
        added = RELOAD
        if self.state.error is not None:
            added += ('<div class="preview-banner" role="alert"><p>The last build failed; this '
                      'is the site before it. Fix the content and save again.</p><pre '
                      'style="white-space: pre-wrap; text-align: start; font-weight: 400">'
                      f"{html.escape(self.state.error)}</pre></div>").encode()
        body = BODY.sub(lambda tag: tag.group(0) + added, page.read_bytes(), count=1)
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
