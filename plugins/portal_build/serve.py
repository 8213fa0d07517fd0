"""A local preview server: output/ on 127.0.0.1 with each language's own 404 page, and, while
the last rebuild failed, its error on top of every page (an editor looking at the browser would
otherwise see the previous site and not know why the edit is missing)."""

from __future__ import annotations

import functools
import html
import os
import re
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BODY = re.compile(rb"<body[^>]*>")


@dataclass
class PreviewState:
    """What the pages tell the editor: the last build's error, None once a build succeeds."""

    error: str | None = None


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serves the built site; unknown paths get the 404 page of their language prefix."""

    state = PreviewState()

    def do_GET(self) -> None:
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
        """The HTML file a GET asks for, when the pages must carry an error; else None (the
        standard handler serves it)."""
        if self.state.error is None:
            return None
        path = Path(self.translate_path(self.path))
        if self.path.split("?", 1)[0].endswith("/"):
            path = path / "index.html"
        return path if path.suffix == ".html" and path.is_file() else None

    def _send_page(self, code: int, page: Path) -> None:
        body = page.read_bytes()
        if self.state.error is not None:
            banner = ('<div class="preview-banner" role="alert"><p>The last build failed; this '
                      'is the site before it. Fix the content and save again.</p><pre '
                      'style="white-space: pre-wrap; text-align: start; font-weight: 400">'
                      f"{html.escape(self.state.error)}</pre></div>").encode()
            body = BODY.sub(lambda tag: tag.group(0) + banner, body, count=1)
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
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
