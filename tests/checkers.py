"""Reusable validators that the test suite runs against a built site.

A built site is an ``output/``-like tree: ``index.html``, ``en/index.html``,
``news/<slug>/index.html``, ``sitemap.xml``, ``theme/...``.  The checkers rely
on tools that ``scripts/setup.sh`` installs: Java and the Nu HTML Checker
(``vnu-jar``), the sitemaps.org XSD (shipped by the ``sitemap`` npm package),
``xmlschema``, axe-core and Debian's Chromium driven by Playwright.  None of
them touches the network.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import posixpath
import shutil
import subprocess
import threading
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

import xmlschema

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

REPO_ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = REPO_ROOT / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
SITEMAP_XSD = NODE_MODULES / "sitemap" / "schema" / "sitemap.xsd"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")

_XMLSCHEMA_SCHEMAS = Path(xmlschema.__file__).resolve().parent / "schemas"
XHTML_XSD = _XMLSCHEMA_SCHEMAS / "XHTML" / "xhtml1-strict.xsd"
XML_XSD = _XMLSCHEMA_SCHEMAS / "XML" / "xml.xsd"

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"

# Root user, no display, a closed network: keep Chromium from sandboxing,
# using a GPU or phoning home.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21aa")


class MissingToolError(RuntimeError):
    """A checker's tool is not installed; ``bash scripts/setup.sh`` installs it."""


class SitemapError(ValueError):
    """The sitemap is malformed or does not match the schema."""


def _require(path: Path, what: str) -> Path:
    if not path.exists():
        raise MissingToolError(
            f"{what} not found at {path}; run `bash scripts/setup.sh`"
        )
    return path


# --- Nu HTML Checker ----------------------------------------------------------


def vnu_errors(paths: Sequence[Path]) -> list[str]:
    """Check HTML files or directories with the Nu HTML Checker (vnu.jar).

    Returns ``file:line: message`` lines, empty when every document is valid.
    Directories are walked with ``--skip-non-html``, so CSS, JSON and images in
    the tree are ignored.  vnu silently skips paths that do not exist (exit 0,
    no messages), so they are rejected here instead of passing unchecked, and
    it runs under a UTF-8 locale whatever the caller's, since with ``LC_ALL=C``
    the JVM cannot open non-ASCII file names and vnu skips those silently too.
    """
    java = shutil.which("java")
    if java is None:
        raise MissingToolError("`java` is not on PATH; run `bash scripts/setup.sh`")
    jar = _require(VNU_JAR, "vnu.jar (npm package vnu-jar)")
    if not paths:
        raise ValueError("vnu_errors() needs at least one file or directory")
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise FileNotFoundError(f"nothing to check at: {', '.join(missing)}")

    cmd = [java, "-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8", "-jar"]
    cmd += [str(jar), "--errors-only", "--format", "json", "--stdout"]
    if any(Path(p).is_dir() for p in paths):
        cmd.append("--skip-non-html")
    cmd += [str(p) for p in paths]
    # Under a C/POSIX locale the JVM cannot open non-ASCII paths (新聞/...) and
    # vnu then skips them without a word, so force a UTF-8 locale.  Exit status
    # is 1 when there are errors; the JSON report is what counts.
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    proc = subprocess.run(
        cmd, capture_output=True, encoding="utf-8", env=env, check=False
    )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(
            f"vnu.jar exited with {proc.returncode} without a JSON report:\n"
            f"{proc.stdout}{proc.stderr}"
        ) from None

    lines = []
    for msg in report.get("messages", []):
        url = msg.get("url", "")
        file = unquote(url.removeprefix("file:")) if url.startswith("file:") else url
        line = msg.get("lastLine", msg.get("firstLine", "?"))
        kind = msg.get("type", "error")
        prefix = "" if kind == "error" else f"{kind}: "
        lines.append(f"{file or '?'}:{line}: {prefix}{msg.get('message', '').strip()}")
    return lines


# --- sitemap.xml --------------------------------------------------------------


def _offline_uri(uri: str) -> str:
    """Map the only remote location the bundled schemas import to its local copy."""
    if uri == "http://www.w3.org/2001/xml.xsd":
        return XML_XSD.as_uri()
    return uri


@functools.cache
def sitemap_schema() -> xmlschema.XMLSchema10:
    """Build (once) the sitemaps.org schema with the XHTML namespace imported.

    Built entirely from local files: ``allow="local"`` refuses any remote
    location, ``use_fallback=False`` keeps xmlschema from loading namespaces
    that are not named here, the one remote import inside xhtml1-strict.xsd
    (``http://www.w3.org/2001/xml.xsd``) is mapped to xmlschema's bundled copy,
    and a failed import is an error rather than a warning, so the XHTML part
    can never be dropped silently.
    """
    _require(SITEMAP_XSD, "sitemap.xsd (npm package sitemap)")
    with warnings.catch_warnings():
        warnings.simplefilter("error", xmlschema.XMLSchemaImportWarning)
        warnings.simplefilter("error", xmlschema.XMLSchemaIncludeWarning)
        return xmlschema.XMLSchema10(
            str(SITEMAP_XSD),
            locations=[(XHTML_NS, XHTML_XSD.as_uri())],
            allow="local",
            use_fallback=False,
            uri_mapper=_offline_uri,
        )


def validate_sitemap(path: Path) -> None:
    """Validate a ``<urlset>`` sitemap; raise :class:`SitemapError` listing every problem.

    The sitemaps.org XSD lets ``<urlset>`` and ``<url>`` hold
    ``<xsd:any namespace="##other" processContents="strict">`` elements, so an
    element from another namespace is valid only if a schema for that namespace
    declares it.  :func:`sitemap_schema` imports XHTML 1.0 Strict
    (xhtml1-strict.xsd, bundled with xmlschema) for that, which makes
    ``xhtml:link`` alternates really checked -- but only as far as XHTML 1.0
    defines ``<link>``:

    * caught by the XSD: an undeclared name (``xhtml:lnk``), an attribute that
      ``<link>`` does not have (``bogus="1"``), an ``hreflang`` that is not an
      ``xs:language`` (``"not a lang!"``; ``x-default`` and ``zh-Hant`` pass),
      ``rel`` that is not NMTOKENS, and any content inside the element (it is
      EMPTY);
    * not caught by the XSD: every attribute of ``<link>`` is optional, so a link
      with no ``href``, ``hreflang`` or ``rel`` passes, and any other global
      XHTML element (``<xhtml:div/>``) is accepted inside ``<url>``.

    The gaps are closed here after the XSD: every XHTML child of ``<url>`` must
    be ``<xhtml:link rel="alternate">`` with a non-empty ``hreflang`` and an
    absolute http(s) ``href``, and every ``<loc>`` must be absolute too (the XSD
    only asks for an ``xs:anyURI`` of at least 12 characters).  Only
    ``<urlset>`` documents are supported: the npm package ships no schema for
    ``<sitemapindex>``.
    """
    schema = sitemap_schema()
    try:
        errors = [_describe(path, err) for err in schema.iter_errors(str(path))]
        tree = ET.parse(path)
    except ET.ParseError as exc:
        raise SitemapError(f"{path}: not well-formed XML: {exc}") from exc
    except xmlschema.XMLSchemaException as exc:
        raise SitemapError(f"{path}: {exc}") from exc

    if not errors:
        for url in tree.getroot().iter(f"{{{SITEMAP_NS}}}url"):
            loc = (url.findtext(f"{{{SITEMAP_NS}}}loc") or "").strip()
            if not _is_absolute_http(loc):
                errors.append(f"{path}: <loc> is not an absolute http(s) URL: {loc!r}")
            for child in url:
                if not child.tag.startswith(f"{{{XHTML_NS}}}"):
                    continue
                errors += [f"{path}: {loc}: {p}" for p in _alternate_problems(child)]
    if errors:
        raise SitemapError("invalid sitemap:\n" + "\n".join(errors))


def validate_sitemap_index(path: Path) -> list[str]:
    """Check a ``<sitemapindex>`` by the rules of sitemaps.org (no schema for it ships with
    the npm package): only ``<sitemap>`` entries, each with one absolute ``<loc>`` on the
    index's own host and at most one ``<lastmod>``, at most 50,000 of them. Returns the locs;
    raises :class:`SitemapError` listing every problem."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise SitemapError(f"{path}: not well-formed XML: {exc}") from exc
    if root.tag != f"{{{SITEMAP_NS}}}sitemapindex":
        raise SitemapError(f"{path}: the root is {root.tag}, not a sitemapindex")
    locs, errors = [], []
    for entry in root:
        if entry.tag != f"{{{SITEMAP_NS}}}sitemap":
            errors.append(f"{path}: {entry.tag} is not allowed in a sitemapindex")
            continue
        names = [child.tag.split("}", 1)[-1] for child in entry]
        if names.count("loc") != 1 or names.count("lastmod") > 1 or \
                set(names) - {"loc", "lastmod"}:
            errors.append(f"{path}: a <sitemap> needs one <loc> and at most one <lastmod>: "
                          f"{names}")
            continue
        loc = (entry.findtext(f"{{{SITEMAP_NS}}}loc") or "").strip()
        if not _is_absolute_http(loc):
            errors.append(f"{path}: <loc> is not an absolute http(s) URL: {loc!r}")
        locs.append(loc)
    if not locs or len(locs) > 50_000:
        errors.append(f"{path}: a sitemapindex lists 1 to 50,000 sitemaps, not {len(locs)}")
    if len({urlsplit(loc).netloc for loc in locs}) > 1:
        errors.append(f"{path}: the sitemaps are on more than one host")
    if errors:
        raise SitemapError("invalid sitemap index:\n" + "\n".join(errors))
    return locs


def _describe(path: Path, err: xmlschema.XMLSchemaValidationError) -> str:
    """``file: /urlset/url[2]/lastmod: reason [value]`` (ElementTree has no lines)."""
    where = err.path or (f"line {err.sourceline}" if err.sourceline else "?")
    text = f"{path}: {where}: {err.reason or err.message}"
    if err.obj is not None and not ET.iselement(err.obj):
        text += f" [{str(err.obj)[:120]}]"
    return text


def _is_absolute_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _alternate_problems(elem: ET.Element) -> list[str]:
    name = elem.tag.split("}", 1)[1]
    if name != "link":
        return [f"<xhtml:{name}> is not allowed, only <xhtml:link> alternates"]
    problems = []
    if elem.get("rel") != "alternate":
        problems.append(f'<xhtml:link> needs rel="alternate", has {elem.get("rel")!r}')
    if not elem.get("hreflang"):
        problems.append("<xhtml:link> has no hreflang")
    if not _is_absolute_http(elem.get("href", "")):
        problems.append(
            f"<xhtml:link> href is not an absolute URL: {elem.get('href')!r}"
        )
    return problems


# --- internal links -----------------------------------------------------------

_LINK_ATTRS = {"href", "src", "srcset"}


class _PageParser(HTMLParser):
    """Collects link targets and fragment anchors (``id``, ``<a name>``) of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.anchors.add(value)
            elif name == "srcset":
                self.links += _srcset_urls(value)
            elif name in _LINK_ATTRS:
                self.links.append(value.strip())

    handle_startendtag = handle_starttag


def _srcset_urls(srcset: str) -> list[str]:
    urls = []
    for candidate in srcset.split(","):
        words = candidate.split()
        if words:
            urls.append(words[0])
    return urls


def _parse_page(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return parser


def broken_links(
    site: Path, url_prefix: str = "/", site_url: str | None = None
) -> list[str]:
    """Find internal links in every ``*.html`` under *site* that lead nowhere.

    Checks ``href``, ``src`` and ``srcset`` (``<a>``, ``<link>``, ``<img>``,
    ``<script>``, ``<source>``...).  Root-relative and relative URLs are
    internal; absolute ``http(s)`` URLs are internal only when their host is
    that of *site_url* (e.g. ``"https://www.city.example"``).  *url_prefix* is
    the path the site is served under.  ``/news/x/`` maps to
    ``news/x/index.html`` (a directory link without the trailing slash is
    accepted when ``index.html`` exists, as the web server redirects it);
    ``?query`` is dropped; a ``#fragment`` into an HTML page must name an
    ``id`` (or ``<a name>``) there (``#top`` and an empty fragment always
    work).  ``mailto:``, ``tel:``, ``data:``, other schemes and other hosts
    are ignored.  ``<base href>`` is not supported.

    Returns sorted ``page: target (reason)`` lines, pages relative to *site*.
    """
    site = site.resolve()
    prefix = "/" + url_prefix.strip("/") + "/" if url_prefix.strip("/") else "/"
    own_host = urlsplit(site_url).netloc.lower() if site_url else None
    origin = "http://site.invalid"
    pages = {page: _parse_page(page) for page in sorted(site.rglob("*.html"))}

    problems: set[str] = set()
    for page, parsed in pages.items():
        rel_page = page.relative_to(site).as_posix()
        page_url = origin + prefix + rel_page
        for raw in parsed.links:
            if not raw:
                continue
            scheme = urlsplit(raw).scheme.lower()
            if scheme not in ("", "http", "https"):
                continue  # mailto:, tel:, data:, javascript:, ...
            url = urlsplit(urljoin(page_url, raw))
            if url.netloc != "site.invalid" and url.netloc.lower() != own_host:
                continue  # another host
            target = _resolve(site, prefix, url.path)
            if isinstance(target, str):
                problems.add(f"{rel_page}: {raw} ({target})")
                continue
            fragment = unquote(url.fragment)
            if not fragment or fragment == "top" or fragment.startswith(":~:"):
                continue
            if target.suffix == ".html":
                if target not in pages:
                    pages[target] = _parse_page(target)
                if fragment not in pages[target].anchors:
                    where = target.relative_to(site).as_posix()
                    problems.add(f"{rel_page}: {raw} (no id {fragment!r} in {where})")
    return sorted(problems)


def _resolve(site: Path, prefix: str, url_path: str) -> Path | str:
    """Map a URL path to the file it serves, or say why there is none."""
    path = posixpath.normpath(unquote(url_path) or "/")
    as_dir = path.rstrip("/") + "/"
    if not as_dir.startswith(prefix):
        return f"outside {prefix}"
    rel = as_dir[len(prefix) :].rstrip("/")
    target = site / rel if rel else site
    if not rel or url_path.endswith("/") or target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"no file {target.relative_to(site).as_posix()}"
    return target


# --- static HTTP server -------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging; errors are a bare ``404 Not Found`` text."""

    error_message_format = "%(code)d %(message)s\n"
    error_content_type = "text/plain; charset=utf-8"

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_directory(path: Path) -> Iterator[str]:
    """Serve *path* over HTTP on 127.0.0.1 (random free port) in a thread.

    Yields the base URL, e.g. ``http://127.0.0.1:41234/``; browsers get real
    HTTP semantics (MIME types, ``/dir`` -> ``/dir/`` redirects, 404s) that a
    ``file://`` URL does not give.
    """
    handler = functools.partial(_QuietHandler, directory=str(path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, name="serve_directory", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- browser: Chromium + axe-core ---------------------------------------------


def launch_chromium(playwright: Playwright, *, headless: bool = True) -> Browser:
    """Launch Debian's ``/usr/bin/chromium`` through Playwright.

    Playwright's own browser downloads are never used (``playwright install``
    cannot reach its download host here); the Debian build is driven instead.
    """
    _require(CHROMIUM, "Chromium (Debian package chromium)")
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), headless=headless
    )


def axe_violations(page: Page, tags: Sequence[str] = WCAG_TAGS) -> list[str]:
    """Run axe-core on the page already loaded in *page*, limited to *tags*.

    Returns ``rule id: help — target selectors`` lines, empty when axe finds no
    violation.  The script is injected inline, so a page whose
    Content-Security-Policy forbids inline scripts needs a browser context
    created with ``bypass_csp=True``.
    """
    page.add_script_tag(path=str(_require(AXE_JS, "axe.min.js (npm package axe-core)")))
    if not page.evaluate("typeof window.axe === 'object'"):
        raise RuntimeError(
            "axe-core did not load into the page; if it sets a Content-Security-Policy, "
            "create the browser context with bypass_csp=True"
        )
    result = page.evaluate(
        """(tags) => axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            resultTypes: ['violations'],
        })""",
        list(tags),
    )
    lines = []
    for violation in result["violations"]:
        targets = ", ".join(_selector(node["target"]) for node in violation["nodes"])
        lines.append(f"{violation['id']}: {violation['help']} — {targets}")
    return lines


def _selector(target: list[Any]) -> str:
    """axe targets are lists of selectors; nested lists step into shadow roots or frames."""
    return " >> ".join(
        " >>> ".join(part) if isinstance(part, list) else str(part) for part in target
    )
