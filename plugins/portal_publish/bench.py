"""`invoke bench-pages`: what key pages weigh on the wire and how Lighthouse scores them,
served by the real nginx configuration. It prints figures; it asserts nothing."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from . import nginx

BUDGET_BYTES = 60 * 1024
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-dev-shm-usage"


class _Assets(HTMLParser):
    """Stylesheets and scripts a page loads (images are left out of the budget)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and "stylesheet" in (found.get("rel") or "").split() and found.get(
                "href"):
            self.urls.append(found["href"] or "")
        elif tag == "script" and found.get("src"):
            self.urls.append(found["src"] or "")


def _get(url: str) -> tuple[bytes, int]:
    """The body as sent (compressed when the server offers it) and its transferred size."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "br, gzip"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
        encoding = response.headers.get("Content-Encoding", "")
    if encoding == "br":
        import brotli

        return brotli.decompress(body), len(body)
    if encoding == "gzip":
        import gzip

        return gzip.decompress(body), len(body)
    return body, len(body)


def page_weight(base: str, path: str) -> tuple[int, int]:
    """Transferred bytes of a page's HTML, CSS and JS, and how many files that was."""
    html, size = _get(base + path)
    parser = _Assets()
    parser.feed(html.decode("utf-8"))
    total, files = size, 1
    for url in dict.fromkeys(parser.urls):
        absolute = urljoin(base + path, url)
        if urlsplit(absolute).netloc != urlsplit(base).netloc:
            continue
        total += _get(absolute)[1]
        files += 1
    return total, files


def key_pages(site: Path, prefix: str, extra: Sequence[str] = ()) -> dict[str, str]:
    """Home, an article, a policy and the search page of a language, where the site has them
    (the first item by name of each kind, so runs compare alike), and the ``extra`` paths
    ('pages/about/') that this language has."""
    pages = {"home": prefix}
    for kind, sections in (("article", ("news", "notices")), ("policy", ("policies", "policy"))):
        for section in sections:
            found = sorted(p.parent.name for p in (site / prefix / section).glob("*/index.html")
                           if not p.parent.name.isdigit())
            if found:
                pages[kind] = f"{prefix}{section}/{found[0]}/"
                break
    if (site / prefix / "search" / "index.html").is_file():
        pages["search"] = f"{prefix}search/"
    for path in extra:
        path = path.strip("/") + "/"
        if (site / prefix / path / "index.html").is_file():
            pages[path] = prefix + path
    return pages


def lighthouse(url: str, node_modules: Path, work: Path,
               attempts: int = 2) -> tuple[dict[str, int], list[str]]:
    """Lighthouse's four category scores (0–100) for a page, with Debian's Chromium, and the
    scored audits below 0.9 (what to look at when a score is below 100). A run that
    fails to record its trace (it happens on a busy machine) is tried again."""
    cli = node_modules / "lighthouse" / "cli" / "index.js"
    if not cli.exists():
        raise FileNotFoundError(f"{cli} is missing; run `bash scripts/setup.sh` (npm ci)")
    for attempt in range(attempts):
        result = subprocess.run(
            ["node", str(cli), url, "--output=json", "--output-path=stdout", "--quiet",
             f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"],
            capture_output=True, text=True, check=False, timeout=300,
            env={**os.environ, "CHROME_PATH": CHROMIUM, "TMPDIR": str(work)})
        if result.returncode == 0:
            break
        if attempt == attempts - 1:
            raise RuntimeError(result.stderr.strip().splitlines()[-1] if result.stderr.strip()
                               else f"exit {result.returncode}")
    report = json.loads(result.stdout)
    scores = {name: round((report["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}
    failed = sorted({ref["id"] for name in CATEGORIES
                     for ref in report["categories"][name]["auditRefs"]
                     if ref.get("weight")
                     and (report["audits"][ref["id"]].get("score") or 0) < 0.9})
    return scores, failed


def run(site: Path, work: Path, *, lighthouse_scores: bool = True, node_modules: Path,
        prefixes: dict[str, str], extra: Sequence[str] = ()) -> None:
    """Serve ``site`` with nginx and print page weights, then Lighthouse scores;
    ``prefixes`` maps each language to its URL prefix ('' or 'en/')."""
    with nginx.serve(site, work / "nginx", [p.strip("/") for p in prefixes.values() if p]) as base:
        print(f"Page weight: HTML+CSS+JS as transferred (br), budget {BUDGET_BYTES // 1024} KB")
        pages = {code: key_pages(site, prefix, extra) for code, prefix in prefixes.items()}
        width = max(len(kind) for named in pages.values() for kind in named)
        print(f"  {'lang':4}  {'page':{width}}  {'KB':>6}  files  path")
        for code, named in pages.items():
            for kind, path in named.items():
                if kind in ("policy", "search"):
                    continue
                size, files = page_weight(base, path)
                verdict = "ok" if size <= BUDGET_BYTES else "OVER BUDGET"
                figures = f"{size / 1024:6.1f}  {files:5}"
                print(f"  {code:4}  {kind:{width}}  {figures}  /{path}  {verdict}")
        if not lighthouse_scores:
            return
        print("Lighthouse 12 (mobile, simulated throttling): "
              + ", ".join(CATEGORIES))
        for code, named in pages.items():
            for kind, path in named.items():
                try:
                    scores, failed = lighthouse(base + path, node_modules, work)
                except RuntimeError as exc:
                    print(f"  {code:4}  {kind:8}  lighthouse failed: {exc}  /{path}", flush=True)
                    continue
                figures = "  ".join(f"{scores[name]:3d}" for name in CATEGORIES)
                below = f"  (weak: {', '.join(failed)})" if failed else ""
                print(f"  {code:4}  {kind:{width}}  {figures}  /{path}{below}", flush=True)
