"""The production build (publishconf.py): fingerprinted, minified and precompressed files,
absolute addresses, the same bytes from the same input; the local build left as it was; and
a theme with no inline script or style, so a strict Content-Security-Policy holds."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import brotli
import pytest

from conftest import BUILD_DATE, LANGS, PREFIX, ROOT, SITES
from portal_assets import COMPRESSED_SUFFIXES, TEXT_SUFFIXES, fingerprint, is_fingerprinted
from portal_build import build

PUBLIC_URL = "https://www.dafeng.gov.cn"
THEME_REF = re.compile(r"/theme/[\w./-]+")


def files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def text_files(root: Path) -> list[Path]:
    return [p for p in files(root) if p.suffix in TEXT_SUFFIXES]


def test_every_theme_file_carries_its_content_hash(prod_site: Path) -> None:
    theme = [p for p in files(prod_site / "theme") if p.suffix not in COMPRESSED_SUFFIXES]
    assert {p.suffix for p in theme} >= {".css", ".js", ".svg"}
    for path in theme:
        url = "/" + path.relative_to(prod_site).as_posix()
        assert is_fingerprinted(url), url
        digest = path.name.rsplit(".", 2)[1]
        assert hashlib.sha256(path.read_bytes()).hexdigest().startswith(digest), url
    assert not (prod_site / "theme" / "css" / "site.css").exists()


def test_every_reference_to_a_theme_file_names_a_file_that_exists(prod_site: Path) -> None:
    seen = set()
    for path in text_files(prod_site):
        for ref in THEME_REF.findall(path.read_text(encoding="utf-8")):
            seen.add(ref)
            assert (prod_site / ref.lstrip("/")).is_file(), f"{path}: {ref}"
            assert is_fingerprinted(ref), f"{path}: {ref}"
    assert any(ref.endswith(".css") for ref in seen) and any(ref.endswith(".js") for ref in seen)


def test_stylesheets_and_scripts_are_minified(prod_site: Path) -> None:
    for suffix, source in ((".css", ROOT / "theme/static/css/site.css"),
                           (".js", ROOT / "theme/static/js/language-banner.js")):
        stem = source.stem
        built = next((prod_site / "theme").rglob(f"{stem}.*{suffix}"))
        text = built.read_text(encoding="utf-8")
        assert len(text) < 0.85 * len(source.read_text(encoding="utf-8")), built
        assert "/* " not in text and text.count("\n") < source.read_text().count("\n") / 5, built


def test_every_text_file_has_gzip_and_brotli_twins_with_the_same_bytes(prod_site: Path) -> None:
    texts = text_files(prod_site)
    assert {p.suffix for p in texts} >= {".html", ".css", ".js", ".xml", ".txt", ".svg"}
    for path in texts:
        data = path.read_bytes()
        assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == data, path
        assert brotli.decompress(path.with_name(path.name + ".br").read_bytes()) == data, path


def test_sitemap_robots_and_hreflang_use_the_public_address(prod_site: Path) -> None:
    sitemap = (prod_site / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locs and all(loc.startswith(PUBLIC_URL + "/") for loc in locs)
    assert f"Sitemap: {PUBLIC_URL}/sitemap.xml" in (prod_site / "robots.txt").read_text()
    page = (prod_site / "en/news/deer-population-census-2023/index.html").read_text()
    assert f'hreflang="zh-Hans" href="{PUBLIC_URL}/news/deer-population-census-2023/"' in page


def test_the_same_input_builds_the_same_bytes(prod_site: Path, tmp_path: Path) -> None:
    again = tmp_path / "output"
    build(ROOT / "publishconf.py", again, build_date=BUILD_DATE, strict=True)

    def digests(root: Path) -> dict[str, str]:
        return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in files(root)}

    assert digests(again) == digests(prod_site)


def test_the_local_build_keeps_plain_names_and_no_compressed_copies(site: Path) -> None:
    assert (site / "theme/css/site.css").read_bytes() == (
        ROOT / "theme/static/css/site.css").read_bytes()
    assert '<link rel="stylesheet" href="/theme/css/site.css">' in (
        site / "index.html").read_text(encoding="utf-8")
    assert not [p for p in files(site) if p.suffix in COMPRESSED_SUFFIXES]


# --- fingerprinting, generically: any file under /theme/, any text file referring to it ------

def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def test_fingerprinting_rewrites_references_in_every_kind_of_text_file(tmp_path: Path) -> None:
    write(tmp_path, {
        "theme/css/site.css": 'body{background:url(../img/bg.png)}@import "print.css";',
        "theme/css/print.css": "p{color:red}",
        "theme/img/bg.png": b"\x89PNG one",
        "theme/js/a.js": 'fetch("/theme/js/a.json")',
        "theme/js/a.json": "{}",
        "index.html": '<link href="/theme/css/site.css"><script src="/theme/js/a.js"></script>',
        "feeds/all.xml": "<icon>https://www.dafeng.gov.cn/theme/img/bg.png</icon>",
        "search/index.json": '{"script": "/theme/js/a.js"}',
    })
    renamed = fingerprint(tmp_path)
    assert set(renamed) == {"/theme/css/site.css", "/theme/css/print.css",
                            "/theme/img/bg.png", "/theme/js/a.js", "/theme/js/a.json"}
    css = (tmp_path / renamed["/theme/css/site.css"].lstrip("/")).read_text()
    assert f"url(../img/{Path(renamed['/theme/img/bg.png']).name})" in css
    assert f'@import "{Path(renamed["/theme/css/print.css"]).name}"' in css
    script = (tmp_path / renamed["/theme/js/a.js"].lstrip("/")).read_text()
    assert renamed["/theme/js/a.json"] in script  # a.js was not mistaken for a prefix of it
    html = (tmp_path / "index.html").read_text()
    assert renamed["/theme/css/site.css"] in html and renamed["/theme/js/a.js"] in html
    assert renamed["/theme/img/bg.png"] in (tmp_path / "feeds/all.xml").read_text()
    assert renamed["/theme/js/a.js"] in (tmp_path / "search/index.json").read_text()


def test_a_changed_image_renames_the_stylesheet_that_uses_it(tmp_path: Path) -> None:
    names = []
    for image in (b"one", b"two"):
        root = tmp_path / image.decode()
        write(root, {"theme/css/site.css": "a{background:url(../img/bg.png)}",
                     "theme/img/bg.png": image})
        names.append(fingerprint(root)["/theme/css/site.css"])
    assert names[0] != names[1]


# --- a strict CSP holds: nothing inline in the theme or in any page ------------------------

INLINE = [
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style[\s>]", re.I), "a <style> element"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event-handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.I | re.S)


def inline_problems(text: str) -> list[str]:
    found = [what for pattern, what in INLINE if pattern.search(text)]
    for attrs, body in SCRIPT.findall(text):
        if "src=" not in attrs and 'type="application/json"' not in attrs and body.strip():
            found.append("an inline <script>")
    return found


def test_no_template_has_inline_script_or_style() -> None:
    templates = sorted((ROOT / "theme" / "templates").rglob("*.html"))
    problems = [f"{t.name}: {p}" for t in templates for p in inline_problems(t.read_text())]
    assert problems == []


def test_no_page_has_inline_script_or_style(prod_site: Path) -> None:
    pages = sorted(prod_site.rglob("*.html"))
    problems = [f"{p.relative_to(prod_site)}: {what}" for p in pages
                for what in inline_problems(p.read_text(encoding="utf-8"))]
    assert problems == []


def test_inline_checker_catches_what_a_csp_would_block() -> None:
    assert inline_problems('<p style="color:red">') == ["a style attribute"]
    assert inline_problems("<script>alert(1)</script>") == ["an inline <script>"]
    assert inline_problems('<button onclick="x()">') == ["an event-handler attribute"]
    assert inline_problems('<script type="application/json">{"a": 1}</script>') == []


# --- the language banner's texts travel with every page ------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_every_page_carries_the_banner_texts_of_every_language(site: Path, lang: str) -> None:
    page = (site / PREFIX[lang] / "index.html").read_text(encoding="utf-8")
    block = re.search(r'<script type="application/json" id="language-suggestions">(.*?)'
                      r"</script>", page, re.S)
    assert block, lang
    data = json.loads(block.group(1))
    assert sorted(data) == sorted(SITES)
    assert data["en"]["page"] == "This page is also available in your language:"
    assert data["zh"]["page"] == "本页面也有您的语言版本："
    assert data["ja"]["dismiss"] == "閉じる" and data["ko"]["dismiss"] == "닫기"
    assert [data[code]["home"] for code in LANGS] == ["/", "/en/", "/ja/", "/ko/"]
    assert '<script src="/theme/js/language-banner.js"></script>' in page
