"""How the portal's files are served, said once for nginx and for object stores alike:
cache lifetimes, content types and the security headers every response carries."""

from __future__ import annotations

import mimetypes
import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from portal_assets import is_fingerprinted

#: Fingerprinted assets never change under their name: cache them for a year.
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"
#: Everything else (HTML, feeds, sitemap, PDFs, search indexes) may change with the content.
CACHE_SHORT = "public, max-age=300"

#: Only the portal's own origin, no inline code (the theme has none), no framing.
_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
_HOST = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\]")


def form_origin(endpoint: str) -> str:
    """The origin the mailbox form posts to (``PORTAL_FORM_ENDPOINT``), when it is another
    site's (a city's letter system): the one place besides the portal a form may send to.
    Empty for no endpoint, or a path on the portal's own site."""
    parts = urlsplit(endpoint.strip())
    if not parts.netloc:
        return ""
    host = (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    try:
        port = parts.port
    except ValueError:  # not a number
        port, host = None, ""
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(host):
        raise ValueError(f"PORTAL_FORM_ENDPOINT {endpoint!r} is not an http(s) address: set it "
                         "to the letter system's address, e.g. https://letters.example.gov.cn/"
                         "submit, or to '' for no form")
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def security_headers(form_endpoint: str = "") -> dict[str, str]:
    """The headers every response carries; the mailbox form may post to ``form_endpoint``'s
    origin too (a form-action the policy did not allow would be blocked by the browser)."""
    origin = form_origin(form_endpoint)
    directives = [f"{d} {origin}" if origin and d.startswith("form-action ") else d
                  for d in _DIRECTIVES]
    return {
        "Content-Security-Policy": "; ".join(directives),
        "Strict-Transport-Security": "max-age=31536000",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), geolocation=(), microphone=(), payment=(), usb=()",
        "Cross-Origin-Opener-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }


#: The headers of a portal whose form posts to its own site (or that has none).
SECURITY_HEADERS = security_headers()

#: Types of the files a portal holds (fixed here, not read from the machine's mime.types, so
#: every machine publishes the same headers). Text types are UTF-8.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".xsl": "application/xslt+xml; charset=utf-8",
    ".xslt": "application/xslt+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}

#: The text types nginx should label with its `charset utf-8` (text/html always is).
CHARSET_TYPES = ("text/css", "text/plain", "text/xml", "text/javascript", "text/csv",
                 "text/calendar", "application/javascript", "application/json",
                 "application/xml", "application/rss+xml", "application/atom+xml",
                 "application/manifest+json", "image/svg+xml")


def cache_control(url_path: str) -> str:
    return CACHE_IMMUTABLE if is_fingerprinted(url_path) else CACHE_SHORT


def content_type(url_path: str) -> str:
    suffix = PurePosixPath(url_path).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(url_path, strict=True)
    return guessed or "application/octet-stream"
