"""Serving the production build with Debian's nginx and the server block `invoke nginx-conf`
writes: headers, precompressed files, cache lifetimes, 404s per language, no traversal and no
listings; and in Chromium under that Content-Security-Policy, pages without a console error,
with the language banner."""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from checkers import axe_violations
from conftest import LANGS, PREFIX, ROOT
from portal_assets import is_fingerprinted
from portal_build import load_settings
from portal_publish import bench, nginx
from portal_publish.policy import CACHE_IMMUTABLE, CACHE_SHORT, SECURITY_HEADERS, form_origin

ARTICLE = "news/deer-population-census-2023/"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(scope="module")
def served(prod_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The production build, plus a JSON file and a PDF, behind a private nginx."""
    work = tmp_path_factory.mktemp("nginx")
    root = work / "root"
    shutil.copytree(prod_site, root)
    (root / "files").mkdir()
    (root / "files" / "data.json").write_text('{"city": "大丰"}\n', encoding="utf-8")
    (root / "files" / "report.pdf").write_bytes(PDF)
    (root / "files" / "inline.html").write_text(
        '<!DOCTYPE html><html lang="en"><title>x</title><p style="color:red">x</p>'
        "<script>document.title = 'ran';</script>", encoding="utf-8")
    with nginx.serve(root, work / "nginx", ["en", "ja", "ko"]) as base:
        yield base


def get(base: str, path: str, encoding: str = "") -> tuple[int, dict[str, str], bytes]:
    """A raw GET: the path goes out exactly as written (no client-side normalizing)."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    headers = {"Accept-Encoding": encoding} if encoding else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def asset(prod_site: Path, suffix: str) -> str:
    found = sorted((prod_site / "theme").rglob(f"*{suffix}"))
    return "/" + found[0].relative_to(prod_site).as_posix()


def assert_security_headers(headers: dict[str, str], what: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name.lower()) == value, f"{what}: {name}"
    csp = headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "default-src 'self'" in csp
    assert not re.search(r"https?:", csp), "no third-party origin"


def test_security_headers_on_pages_assets_and_errors(served: str, prod_site: Path) -> None:
    for path in ("/", "/en/", f"/ja/{ARTICLE}", asset(prod_site, ".css"), "/sitemap.xml",
                 "/no-such-page/", "/ko/no-such-page/", "/../etc/passwd"):
        status, headers, _ = get(served, path)
        assert_security_headers(headers, f"{path} ({status})")


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_precompressed_files_are_served_when_accepted(served: str, prod_site: Path,
                                                      encoding: str) -> None:
    for path in ("/", f"/en/{ARTICLE}", asset(prod_site, ".css"), asset(prod_site, ".js")):
        status, headers, body = get(served, path, encoding)
        assert status == 200 and headers.get("content-encoding") == encoding, path
        assert "accept-encoding" in headers.get("vary", "").lower(), path
        local = prod_site / (path.lstrip("/") or "index.html")
        local = local / "index.html" if local.is_dir() else local
        suffix = ".br" if encoding == "br" else ".gz"
        assert body == local.with_name(local.name + suffix).read_bytes(), path
    status, headers, body = get(served, "/")
    assert "content-encoding" not in headers and body.startswith(b"<!DOCTYPE html>")


def test_cache_lifetimes_long_for_fingerprinted_assets_short_for_pages(
        served: str, prod_site: Path) -> None:
    for suffix in (".css", ".js", ".svg"):
        path = asset(prod_site, suffix)
        assert is_fingerprinted(path)
        assert get(served, path)[1]["cache-control"] == CACHE_IMMUTABLE, path
    for path in ("/", f"/en/{ARTICLE}", "/sitemap.xml", "/robots.txt", "/files/data.json",
                 "/ko/no-such-page/"):
        assert get(served, path)[1]["cache-control"] == CACHE_SHORT, path


def test_types_are_right_and_text_is_utf8(served: str, prod_site: Path) -> None:
    expected = {"/": "text/html", asset(prod_site, ".css"): "text/css",
                asset(prod_site, ".js"): "javascript", "/sitemap.xml": "xml",
                "/robots.txt": "text/plain", "/files/data.json": "application/json",
                asset(prod_site, ".svg"): "image/svg+xml"}
    for path, kind in expected.items():
        content_type = get(served, path)[1]["content-type"]
        assert kind in content_type and "charset=utf-8" in content_type, (path, content_type)
    status, headers, body = get(served, "/files/report.pdf")
    assert (status, headers["content-type"], body) == (200, "application/pdf", PDF)
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("lang", LANGS)
def test_not_found_pages_speak_the_language_of_their_prefix(served: str, lang: str) -> None:
    tag = {"zh": "zh-Hans", "en": "en", "ja": "ja", "ko": "ko"}[lang]
    for path in (f"/{PREFIX[lang]}no-such-page/", f"/{PREFIX[lang]}news/no-such-item/",
                 f"/{PREFIX[lang]}theme.css"):
        status, headers, body = get(served, path)
        assert status == 404, path
        assert f'<html lang="{tag}">'.encode() in body, path
        assert headers["content-type"] == "text/html; charset=utf-8"


def test_directories_are_never_listed(served: str) -> None:
    for path in ("/theme/", "/theme/css/", "/files/", "/en/theme/"):
        status, _, body = get(served, path)
        assert status == 404, path
        assert b"Index of" not in body and b"data.json" not in body, path


@pytest.mark.parametrize("path", [
    "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/en/../../../etc/passwd",
    "/theme/..%2f..%2f..%2fetc/passwd", "/..%2f..%2f..%2fetc%2fpasswd",
    "/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/en/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/.git/config", "/.env",
])
def test_path_traversal_and_hidden_files_are_refused(served: str, path: str) -> None:
    status, _, body = get(served, path)
    assert status in (400, 403, 404), path
    assert b"root:" not in body, path


def test_key_pages_stay_within_the_weight_budget(served: str, prod_site: Path) -> None:
    for lang in LANGS:
        pages = bench.key_pages(prod_site, PREFIX[lang])
        for kind in ("home", "article"):
            size, files = bench.page_weight(served, pages[kind])
            assert files >= 3 and size <= bench.BUDGET_BYTES, (lang, kind, size)


def test_nginx_conf_task_writes_the_given_settings(tmp_path: Path) -> None:
    out = tmp_path / "portal.conf"
    subprocess.run([str(Path(sys.executable).parent / "invoke"), "nginx-conf", "--out", str(out),
                    "--root", str(tmp_path / "site"), "--port", "8080",
                    "--server-name", "portal.example.org"], cwd=ROOT, check=True,
                   capture_output=True)
    text = out.read_text(encoding="utf-8")
    assert "listen 8080;" in text and "server_name portal.example.org;" in text
    assert f"root {tmp_path / 'site'};" in text
    for directive in ("gzip_static on;", "brotli_static on;", "autoindex off;",
                      "error_page 403 404 =404 /en/404.html;"):
        assert directive in text
    endpoint = load_settings(ROOT / "publishconf.py")["PORTAL_FORM_ENDPOINT"]
    assert f"form-action 'self' {form_origin(endpoint)};" in text  # the mailbox's letter system
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx.main_config(tmp_path, out), encoding="utf-8")
    check = subprocess.run(["nginx", "-p", str(tmp_path), "-c", str(conf), "-e",
                            str(tmp_path / "error.log"), "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize(("endpoint", "origin"), [
    ("", ""), ("/letters/submit", ""),
    ("https://Letters.Example.gov.cn/submit?x=1", "https://letters.example.gov.cn"),
    ("http://user:secret@127.0.0.1:8123/submit", "http://127.0.0.1:8123"),
    ("http://[::1]:9000/", "http://[::1]:9000"),
])
def test_the_form_may_post_to_its_endpoints_origin_and_nothing_more(endpoint: str,
                                                                   origin: str) -> None:
    assert form_origin(endpoint) == origin


@pytest.mark.parametrize("endpoint", ['https://a.org";add_header X y/', "ftp://files.org/in",
                                      "https://a.org:port/", "javascript://x/%0aalert(1)"])
def test_an_endpoint_that_would_break_the_policy_is_refused(endpoint: str) -> None:
    with pytest.raises(ValueError, match="is not an http\\(s\\) address"):
        form_origin(endpoint)


# --- in Chromium, under the Content-Security-Policy ----------------------------------------

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
"""


def visit(context, url: str) -> list[str]:
    """Open a page and return its console errors, page errors, CSP violations and failed
    requests (a 404 page's own 404 is what it is for; Chromium logs it, it is no problem)."""
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 and r.url != url else None)
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.add_init_script(WATCH)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    problems += [f"CSP: {v}" for v in page.evaluate("window.__cspViolations")]
    page.close()
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_pages_run_without_errors_under_the_csp(browser, served: str, lang: str) -> None:
    context = browser.new_context(locale="en-US")
    paths = [PREFIX[lang], PREFIX[lang] + ARTICLE, PREFIX[lang] + "no-such-page/"]
    problems = [f"/{path}: {p}" for path in paths for p in visit(context, served + path)]
    context.close()
    assert problems == []


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_search_runs_without_errors_under_the_csp(browser, served: str, prod_site: Path,
                                                  lang: str) -> None:
    if not (prod_site / PREFIX[lang] / "search" / "index.html").is_file():
        pytest.skip("this build has no search page")
    query = {"zh": "大丰", "en": "Dafeng", "ja": "大豊", "ko": "다펑"}[lang]
    context = browser.new_context(locale="en-US")
    problems = visit(context, f"{served}{PREFIX[lang]}search/?q={query}")
    context.close()
    assert problems == []


@pytest.mark.slow
def test_the_csp_blocks_inline_code_and_the_visit_sees_it(browser, served: str) -> None:
    context = browser.new_context()
    problems = visit(context, served + "files/inline.html")
    context.close()
    csp = [p for p in problems if p.startswith("CSP: ")]
    assert any("script-src" in p for p in csp) and any("style-src" in p for p in csp)


def violations(page: Any) -> list[str]:
    """The CSP violations WATCH saw (a page without that script has none to give)."""
    try:
        return page.evaluate("window.__cspViolations || []")
    except Exception:  # the page is navigating away
        return []


@pytest.fixture()
def letter_system() -> Iterator[tuple[str, list[dict[str, list[str]]]]]:
    """A city's letter system on another origin: a real HTTP server recording each letter."""
    received: list[dict[str, list[str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(parse_qs(body.decode("utf-8")))
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"<!DOCTYPE html><html lang=en><title>Received</title><p>Received")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/letters/submit", received
    server.shutdown()
    server.server_close()


@pytest.mark.slow
@pytest.mark.parametrize("allowed", [True, False], ids=["nginx-conf", "csp-without-it"])
def test_the_mailbox_form_reaches_a_letter_system_on_another_origin(
        browser, prod_site: Path, tmp_path: Path, letter_system, allowed: bool) -> None:
    """The policy nginx-conf writes lets the form post to PORTAL_FORM_ENDPOINT's origin;
    without it the browser blocks the letter (what a city whose letter system is on another
    host would have met)."""
    endpoint, received = letter_system
    root = tmp_path / "root"
    shutil.copytree(prod_site, root)
    form = root / "mailbox" / "write" / "index.html"
    html = form.read_text(encoding="utf-8")
    built = f'action="{load_settings(ROOT / "publishconf.py")["PORTAL_FORM_ENDPOINT"]}"'
    assert built in html
    form.write_text(html.replace(built, f'action="{endpoint}"'), encoding="utf-8")
    for twin in (".gz", ".br"):  # nginx would send the precompressed page as built
        form.with_name(form.name + twin).unlink(missing_ok=True)
    with nginx.serve(root, tmp_path / "nginx", ["en", "ja", "ko"],
                     form_endpoint=endpoint if allowed else "") as base:
        context = browser.new_context()
        page = context.new_page()
        page.add_init_script(WATCH)
        page.goto(base + "mailbox/write/")
        page.check("#mailbox-category-complaint")
        page.fill("#mailbox-subject", "路灯不亮")
        page.fill("#mailbox-message", "幸福路北段的路灯已经一周不亮了。")
        page.fill("#mailbox-name", "王女士")
        page.fill("#mailbox-phone", "13800000000")
        page.click("main form button[type=submit]", no_wait_after=True)  # not the search's
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not received and not violations(page):
            time.sleep(0.1)
        if allowed:
            page.wait_for_url(endpoint, wait_until="domcontentloaded")
            assert page.locator("title").text_content() == "Received"
        else:
            assert any(v.startswith("form-action") for v in violations(page))
        context.close()
    if allowed:
        assert [(r["lang"], r["category"], r["subject"]) for r in received] == [
            (["zh"], ["complaint"], ["路灯不亮"])]
    else:
        assert received == []


@pytest.mark.slow
def test_language_banner_suggests_the_same_page_and_stays_dismissed(browser, served: str
                                                                    ) -> None:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(served + ARTICLE)
    banner = page.get_by_role("region", name="Language suggestion")
    banner.wait_for()
    assert banner.get_attribute("lang") == "en"
    assert "This page is also available in your language" in banner.inner_text()
    link = banner.get_by_role("link", name="English")
    assert link.get_attribute("href") == "/" + "en/" + ARTICLE

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "English"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Dismiss"
    page.keyboard.press("Enter")
    assert banner.count() == 0
    assert page.evaluate("document.activeElement.className") == "site-header__brand"

    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator(".language-banner").count() == 0
    page.goto(served)
    page.wait_for_load_state("networkidle")
    assert page.locator(".language-banner").count() == 0
    context.close()


@pytest.mark.slow
@pytest.mark.parametrize(("locale", "lang", "text"), [
    ("ja-JP", "ja", "このページはあなたの言語でもご覧いただけます"),
    ("ko-KR", "ko", "이 페이지는 귀하의 언어로도 볼 수 있습니다"),
    ("zh-CN", "zh", "本页面也有您的语言版本"),
])
def test_language_banner_in_each_language(browser, served: str, locale: str, lang: str,
                                          text: str) -> None:
    context = browser.new_context(locale=locale)
    page = context.new_page()
    start = "en/" + ARTICLE if lang == "zh" else ARTICLE
    page.goto(served + start)
    banner = page.locator(".language-banner")
    banner.wait_for()
    assert text in banner.inner_text()
    assert banner.locator("a").get_attribute("href") == "/" + PREFIX[lang] + ARTICLE
    page.goto(served + PREFIX[lang])  # already in the preferred language: nothing to suggest
    page.wait_for_load_state("networkidle")
    assert page.locator(".language-banner").count() == 0
    context.close()


@pytest.mark.slow
def test_language_banner_without_a_translation_points_to_that_languages_home(
        browser, served: str, prod_site: Path) -> None:
    zh_only = sorted(p.parent.name for p in (prod_site / "news").glob("*/index.html")
                     if not (prod_site / "en" / "news" / p.parent.name).exists())
    assert zh_only
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(served + f"news/{zh_only[0]}/")
    banner = page.locator(".language-banner")
    banner.wait_for()
    assert "This website is also available in your language" in banner.inner_text()
    assert banner.locator("a").get_attribute("href") == "/en/"
    context.close()


@pytest.mark.slow
def test_language_banner_passes_axe(browser, served: str) -> None:
    context = browser.new_context(locale="ko-KR", bypass_csp=True)
    page = context.new_page()
    page.goto(served + ARTICLE)
    page.locator(".language-banner").wait_for()
    assert axe_violations(page) == []
    context.close()
