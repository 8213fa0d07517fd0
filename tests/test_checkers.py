"""Each checker in checkers.py must catch a seeded problem and pass a clean sample.

These run the real tools (Java + vnu.jar, xmlschema, Debian's Chromium +
axe-core); ``bash scripts/setup.sh`` installs them.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from checkers import (
    SitemapError,
    axe_violations,
    broken_links,
    serve_directory,
    sitemap_schema,
    validate_sitemap,
    vnu_errors,
)

VALID_PAGE = """<!DOCTYPE html>
<html lang="zh-Hant">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>市政府入口網</title>
</head>
<body>
<header><a href="/en/" hreflang="en" lang="en">English</a></header>
<main id="main">
<h1>最新消息</h1>
<p>市政府公告。</p>
<img src="/theme/logo.png" alt="市徽" width="10" height="10">
</main>
</body>
</html>
"""

# Line 6: a <div> inside <p> closes the paragraph, so </p> has nothing to close.
INVALID_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Broken</title></head>
<body>
<main>
<p><div>block in a paragraph</div></p>
</main>
</body>
</html>
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- vnu ----------------------------------------------------------------------


def test_vnu_passes_valid_page(tmp_path: Path) -> None:
    assert vnu_errors([write(tmp_path / "index.html", VALID_PAGE)]) == []


def test_vnu_reports_error_with_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A C locale must not make the JVM lose the non-ASCII path (and pass it).
    monkeypatch.setenv("LC_ALL", "C")
    monkeypatch.setenv("LANG", "C")
    bad = write(tmp_path / "新聞" / "bad page.html", INVALID_PAGE)
    errors = vnu_errors([bad])
    assert errors, "vnu accepted an invalid page"
    assert all(e.startswith(f"{bad}:6: ") for e in errors), errors
    assert any("“p”" in e for e in errors), errors


def test_vnu_walks_directories_and_skips_non_html(tmp_path: Path) -> None:
    write(tmp_path / "index.html", VALID_PAGE)
    write(tmp_path / "news" / "a" / "index.html", INVALID_PAGE)
    write(tmp_path / "theme" / "site.css", "body { colour: nonsense }")
    write(tmp_path / "search.json", "{not json")
    errors = vnu_errors([tmp_path])
    assert errors
    assert {e.split(":", 1)[0] for e in errors} == {
        str(tmp_path / "news" / "a" / "index.html")
    }


def test_vnu_rejects_missing_path(tmp_path: Path) -> None:
    # vnu itself exits 0 with no messages for a path that does not exist.
    with pytest.raises(FileNotFoundError):
        vnu_errors([tmp_path / "nope.html"])


# --- sitemap ------------------------------------------------------------------

SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <url>
    <loc>https://www.city.example/news/a/</loc>
    <lastmod>2025-05-20</lastmod>
    <xhtml:link rel="alternate" hreflang="zh-Hant" href="https://www.city.example/news/a/"/>
    <xhtml:link rel="alternate" hreflang="en" href="https://www.city.example/en/news/a/"/>
    <xhtml:link rel="alternate" hreflang="x-default" href="https://www.city.example/news/a/"/>
  </url>
  <url>
    <loc>https://www.city.example/en/</loc>
    <lastmod>2025-05-20T08:00:00+08:00</lastmod>
    <changefreq>daily</changefreq>
    <priority>0.8</priority>
  </url>
</urlset>
"""
EN_LINK = '<xhtml:link rel="alternate" hreflang="en" href="https://www.city.example/en/news/a/"/>'


def test_valid_sitemap_with_alternates_passes(tmp_path: Path) -> None:
    validate_sitemap(write(tmp_path / "sitemap.xml", SITEMAP))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # Rejected by the XSD (xhtml1-strict's <link>):
        (EN_LINK, EN_LINK.replace(" href=", ' bogus="1" href='), "'bogus' attribute"),
        (EN_LINK, EN_LINK.replace('"en"', '"not a lang!"'), "hreflang"),
        (EN_LINK, EN_LINK.replace("/>", ">text</xhtml:link>"), "content is empty"),
        (EN_LINK, EN_LINK.replace("xhtml:link", "xhtml:lnk"), "lnk"),
        # Rejected by the XSD (sitemaps.org):
        ("2025-05-20</lastmod>", "20 May 2025</lastmod>", "lastmod"),
        ("<changefreq>daily", "<changefreq>sometimes", "sometimes"),
        ("<priority>0.8", "<priority>1.5", "1.5"),
        (
            'xmlns:xhtml="http://www.w3.org/1999/xhtml"',
            'xmlns:xhtml="urn:other"',
            "other",
        ),
        # Allowed by xhtml1-strict (every <link> attribute is optional, any XHTML
        # element may appear), rejected by validate_sitemap's own checks:
        (EN_LINK, '<xhtml:link rel="alternate" hreflang="en"/>', "href"),
        (EN_LINK, EN_LINK.replace(' hreflang="en"', ""), "hreflang"),
        (EN_LINK, EN_LINK.replace('"alternate"', '"canonical"'), "alternate"),
        (EN_LINK, "<xhtml:div/>", "xhtml:div"),
        (
            "<loc>https://www.city.example/en/</loc>",
            "<loc>/en/this-is-relative/</loc>",
            "absolute",
        ),
        # Not XML at all:
        ("</urlset>", "</urlst>", "well-formed"),
    ],
)
def test_invalid_sitemap_fails(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in SITEMAP
    path = write(tmp_path / "sitemap.xml", SITEMAP.replace(old, new, 1))
    with pytest.raises(
        SitemapError, match=r"(?s)sitemap\.xml.*" + expected.replace(".", r"\.")
    ):
        validate_sitemap(path)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to resolve or connect fails loudly; import warnings are errors."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    sitemap_schema.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    sitemap_schema.cache_clear()


@pytest.mark.usefixtures("no_network")
def test_sitemap_schema_builds_offline_with_xhtml(tmp_path: Path) -> None:
    schema = sitemap_schema()
    assert "http://www.w3.org/1999/xhtml" in schema.maps.namespaces
    assert schema.maps.namespaces["http://www.w3.org/1999/xhtml"][0].url.startswith(
        "file:"
    )
    validate_sitemap(write(tmp_path / "sitemap.xml", SITEMAP))
    bad = SITEMAP.replace(EN_LINK, EN_LINK.replace(" href=", ' bogus="1" href='))
    with pytest.raises(SitemapError, match="bogus"):
        validate_sitemap(write(tmp_path / "bad.xml", bad))


# --- links --------------------------------------------------------------------

LINKING_PAGE = """<!DOCTYPE html>
<html lang="zh-Hant"><head><meta charset="utf-8"><title>t</title>
<link rel="stylesheet" href="/theme/site.css?v=3">
<link rel="alternate" hreflang="en" href="https://www.city.example/en/">
<link rel="canonical" href="https://www.city.example/news/gone/">
</head><body id="top-of-page">
<a href="/">home</a> <a href="../a/">a</a> <a href="../">up</a> <a href="../../en/">en</a>
<a href="/news/a/#detail">detail</a> <a href="#top">top</a> <a href="#">self</a>
<a href="/news/a">no slash</a> <a href="/en/index.html#intro">intro</a>
<a href="mailto:mayor@city.example">mail</a> <a href="tel:+886-2-1234-5678">call</a>
<a href="https://other.example/missing/">elsewhere</a> <a href="data:text/plain,x">d</a>
<img src="../../theme/logo.png" alt="" srcset="/theme/logo.png 1x, /theme/logo@2x.png 2x">
<a href="/news/missing/">gone</a> <a href="/en/#nope">nope</a> <a href="#nowhere">here</a>
<script src="../../theme/missing.js"></script>
</body></html>
"""


def make_site(root: Path) -> Path:
    write(root / "index.html", VALID_PAGE)
    write(root / "en" / "index.html", VALID_PAGE.replace("<p>", '<p id="intro">', 1))
    write(
        root / "news" / "a" / "index.html",
        VALID_PAGE.replace("<h1>", '<h1 id="detail">', 1),
    )
    write(root / "news" / "b" / "index.html", LINKING_PAGE)
    write(root / "theme" / "site.css", "body { color: #111 }")
    (root / "theme" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return root


def test_broken_links_reports_missing_targets_and_fragments(tmp_path: Path) -> None:
    site = make_site(tmp_path / "output")
    assert broken_links(site, site_url="https://www.city.example") == [
        "news/b/index.html: #nowhere (no id 'nowhere' in news/b/index.html)",
        "news/b/index.html: ../ (no file news/index.html)",
        "news/b/index.html: ../../theme/missing.js (no file theme/missing.js)",
        "news/b/index.html: /en/#nope (no id 'nope' in en/index.html)",
        "news/b/index.html: /news/missing/ (no file news/missing/index.html)",
        "news/b/index.html: /theme/logo@2x.png (no file theme/logo@2x.png)",
        "news/b/index.html: https://www.city.example/news/gone/"
        + " (no file news/gone/index.html)",
    ]


def test_broken_links_clean_site_passes(tmp_path: Path) -> None:
    site = make_site(tmp_path / "output")
    (site / "news" / "b" / "index.html").unlink()
    assert broken_links(site) == []


def test_broken_links_honours_url_prefix(tmp_path: Path) -> None:
    site = tmp_path / "output"
    write(
        site / "index.html", '<a href="/portal/en/">en</a> <a href="/en/">outside</a>'
    )
    write(site / "en" / "index.html", '<a href="/portal">home</a>')
    assert broken_links(site, url_prefix="/portal/") == [
        "index.html: /en/ (outside /portal/)"
    ]


# --- HTTP server --------------------------------------------------------------


def test_serve_directory_serves_files_and_plain_404(tmp_path: Path) -> None:
    write(tmp_path / "index.html", VALID_PAGE)
    with serve_directory(tmp_path) as base:
        assert base.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(base) as response:
            assert response.read().decode() == VALID_PAGE
        with pytest.raises(urllib.error.HTTPError) as excinfo:
            urllib.request.urlopen(base + "missing/")
        assert excinfo.value.code == 404
        assert excinfo.value.headers.get_content_type() == "text/plain"
        assert excinfo.value.read().decode().strip() == "404 File not found"


# --- browser + axe --------------------------------------------------------------


def test_axe_clean_page_has_no_violations(tmp_path: Path, browser: Browser) -> None:
    write(tmp_path / "index.html", VALID_PAGE)
    (tmp_path / "theme").mkdir()
    (tmp_path / "theme" / "logo.png").write_bytes(b"")
    with serve_directory(tmp_path) as base:
        page = browser.new_page()
        page.goto(base)
        assert page.title() == "市政府入口網"
        assert axe_violations(page) == []
        page.close()


def test_axe_finds_missing_alt_and_lang(tmp_path: Path, browser: Browser) -> None:
    write(
        tmp_path / "bad.html",
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>x</title></head>'
        '<body><main><h1>x</h1><img src="p.png"></main></body></html>',
    )
    with serve_directory(tmp_path) as base:
        page = browser.new_page()
        page.goto(base + "bad.html")
        violations = axe_violations(page)
        page.close()
    ids = {line.split(":", 1)[0] for line in violations}
    assert ids == {"image-alt", "html-has-lang"}, violations
    assert any(line.endswith("— img") for line in violations), violations
