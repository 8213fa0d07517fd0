"""portal_assets: the production touches to a finished output, over whatever files it holds.

On ``portal_build.site_finished`` (after every plugin has written its files) and only when
the settings ask for it (publishconf.py does; local builds stay as they are):

- ``PORTAL_MINIFY``: every ``.css`` and ``.js`` file is minified (rcssmin, rjsmin);
- ``PORTAL_FINGERPRINT``: every file under ``/theme/`` gets its content hash in its name
  (``site.css`` → ``site.3f2a9c0d.css``) and every reference to it in every text file is
  rewritten, so these files can be cached for a year and still change the moment they do;
- ``PORTAL_PRECOMPRESS``: every text file gets a ``.gz`` and a ``.br`` beside it, for
  nginx's ``gzip_static`` and ``brotli_static``.

Everything is a function of the files' bytes, so the same input gives the same output bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import posixpath
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from portal_build import site_finished

#: Files treated as text: minified, searched for asset references, precompressed.
TEXT_SUFFIXES = frozenset({".html", ".htm", ".css", ".js", ".mjs", ".json", ".xml", ".txt",
                           ".svg", ".webmanifest", ".map", ".csv", ".ics", ".atom", ".rss",
                           ".xsl", ".xslt"})
#: Already compressed siblings, never compressed again.
COMPRESSED_SUFFIXES = frozenset({".gz", ".br"})
#: Bytes that are not UTF-8 pass through untouched instead of failing the build.
KEEP = "surrogateescape"
HASH_LENGTH = 8
#: A fingerprinted asset's URL path: /theme/…/name.<8 hex>.ext. nginx and publish match it.
FINGERPRINTED = re.compile(r"^/theme/(?:.+/)?[^/]+\.[0-9a-f]{8}\.[A-Za-z0-9]+$")
# url(...) and @import "..." in CSS, for references relative to the stylesheet.
_CSS_REF = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


def is_fingerprinted(url_path: str) -> bool:
    """Whether a URL path names a fingerprinted asset (safe to cache for a year)."""
    return bool(FINGERPRINTED.match(url_path))


def finish(site: Any, output: Path, settings: dict[str, Any]) -> None:
    """Minify, fingerprint and precompress ``output`` as the settings say (a receiver of
    ``site_finished``, connected once however often ``register`` runs)."""
    if settings.get("PORTAL_MINIFY"):
        minify(output)
    if settings.get("PORTAL_FINGERPRINT"):
        fingerprint(output, settings.get("THEME_STATIC_DIR", "theme"))
    if settings.get("PORTAL_PRECOMPRESS"):
        precompress(output)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _is_text(path: Path) -> bool:
    return path.suffix.lower() in TEXT_SUFFIXES


def minify(output: Path) -> None:
    """Minify every stylesheet and script that is not minified already (``*.min.js``)."""
    import rcssmin
    import rjsmin

    for path in _files(output):
        suffix = path.suffix.lower()
        if suffix not in (".css", ".js") or path.stem.endswith(".min"):
            continue
        text = path.read_text(encoding="utf-8", errors=KEEP)
        small = rcssmin.cssmin(text) if suffix == ".css" else rjsmin.jsmin(text)
        _replace(path, small.strip() + "\n")


def fingerprint(output: Path, static_dir: str = "theme") -> dict[str, str]:
    """Rename every file under ``/<static_dir>/`` to carry its content hash and rewrite every
    reference to it in every text file. Returns {old URL path: new URL path}.

    A stylesheet's hash is taken after the names it refers to are rewritten, so a changed
    image also changes the name of the stylesheet that uses it.
    """
    root = output / static_dir
    if not root.is_dir():
        return {}
    assets = {"/" + p.relative_to(output).as_posix(): p for p in _files(root)}
    renamed: dict[str, str] = {}
    visiting: set[str] = set()

    def settle(url: str) -> None:
        """Give ``url`` its final name, after the assets it refers to have theirs."""
        if url in renamed or url in visiting:
            return  # done, or a reference cycle: hash what is there
        visiting.add(url)
        path = assets[url]
        if _is_text(path):
            text = path.read_text(encoding="utf-8", errors=KEEP)
            for target in _references(url, text, assets):
                settle(target)
            rewritten = _rewrite_css_relative(url, text, assets, renamed)
            rewritten = _rewriter(renamed)(rewritten)
            if rewritten != text:
                _replace(path, rewritten)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
        new_path = path.with_name(f"{path.stem}.{digest}{path.suffix}")
        path.rename(new_path)
        renamed[url] = "/" + new_path.relative_to(output).as_posix()
        visiting.discard(url)

    for url in sorted(assets):
        settle(url)
    rewrite = _rewriter(renamed)
    fingerprinted = {output / new.lstrip("/") for new in renamed.values()}
    for path in _files(output):
        if _is_text(path) and path not in fingerprinted:
            text = path.read_text(encoding="utf-8", errors=KEEP)
            new_text = rewrite(text)
            if new_text != text:
                _replace(path, new_text)
    return renamed


def _references(url: str, text: str, assets: dict[str, Path]) -> list[str]:
    """The assets a text asset refers to: by absolute path, or relatively from CSS."""
    found = [other for other in assets if other != url and other in text]
    if url.endswith(".css"):
        for relative in _css_refs(text):
            target = _resolve(url, relative)
            if target in assets and target != url:
                found.append(target)
    return sorted(set(found))


def _css_refs(text: str) -> Iterable[str]:
    for match in _CSS_REF.finditer(text):
        yield match.group(2) or match.group(4)


def _resolve(base_url: str, relative: str) -> str | None:
    """The absolute path of a relative reference (no scheme, no leading slash), else None."""
    if re.match(r"^[a-zA-Z][\w+.-]*:|^/|^#", relative):
        return None
    path = relative.split("#", 1)[0].split("?", 1)[0]
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_url), path))


def _rewrite_css_relative(url: str, text: str, assets: dict[str, Path],
                          renamed: dict[str, str]) -> str:
    """In a stylesheet, point relative references at the renamed files, still relatively."""
    if not url.endswith(".css"):
        return text

    def swap(match: re.Match[str]) -> str:
        relative = match.group(2) or match.group(4)
        target = _resolve(url, relative)
        if target is None or target not in renamed:
            return match.group(0)
        path = relative.split("#", 1)[0].split("?", 1)[0]
        new_path = posixpath.join(posixpath.dirname(path), posixpath.basename(renamed[target]))
        return match.group(0).replace(path, new_path, 1)

    return _CSS_REF.sub(swap, text)


def _rewriter(renamed: dict[str, str]) -> Any:
    """A function replacing each old absolute asset path by its new one, whole names only
    (``/theme/a.js`` is not a prefix match of ``/theme/a.json``)."""
    if not renamed:
        return lambda text: text
    names = sorted(renamed, key=len, reverse=True)
    pattern = re.compile("(" + "|".join(re.escape(n) for n in names) + r")(?![\w-]|\.\w)")
    return lambda text: pattern.sub(lambda m: renamed[m.group(1)], text)


def precompress(output: Path) -> int:
    """Write ``name.gz`` and ``name.br`` beside every text file; returns how many files."""
    import brotli

    count = 0
    for path in _files(output):
        if not _is_text(path):
            continue
        data = path.read_bytes()
        # mtime=0 and no file name in the header: the same bytes in give the same bytes out.
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, 9, mtime=0))
        path.with_name(path.name + ".br").write_bytes(brotli.compress(data, quality=11))
        count += 1
    return count


def register() -> None:
    site_finished.connect(finish)


def _replace(path: Path, text: str) -> None:
    """Write a new file over the old one: staging may share a file's bytes with the live
    output/ (unchanged pages are hard links), which must never change under visitors."""
    fresh = path.with_name(f".{path.name}.new")
    fresh.write_text(text, encoding="utf-8", errors=KEEP)
    os.replace(fresh, path)
