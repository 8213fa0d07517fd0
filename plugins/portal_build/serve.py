"""A local preview server: output/ on 127.0.0.1 with each language's own 404 page."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serves the built site; unknown paths get the 404 page of their language prefix."""

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
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a preview server's access log is noise."""


def preview_server(output: Path, port: int = 8000) -> ThreadingHTTPServer:
    """The server, bound and listening (so it answers as soon as this returns); run its
    ``serve_forever()`` in a thread."""
    handler = functools.partial(PreviewHandler, directory=str(output))
    return ThreadingHTTPServer(("127.0.0.1", port), handler)
