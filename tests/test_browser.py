"""What visitors and validators see: Nu HTML Checker over the whole output, and axe-core and
the language switcher in Debian's Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checkers import axe_violations, serve_directory, vnu_errors
from conftest import BUILD_DATE, PREFIX, ROOT, SITES
from portal_build import build

pytestmark = pytest.mark.slow


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_nu_html_checker_finds_no_error_in_the_whole_output(site) -> None:
    assert vnu_errors([site]) == []


def sample_pages(lang: str) -> list[str]:
    prefix = PREFIX[lang]
    return [f"{prefix}", f"{prefix}news/", f"{prefix}news/deer-population-census-2023/",
            f"{prefix}pages/about/", f"{prefix}categories/", f"{prefix}404.html",
            f"{prefix}mailbox/write/", f"{prefix}news/hotline-12345-annual-report-2020/",
            # open government: catalogue, lists, every detail template, statistics
            f"{prefix}catalogue/", f"{prefix}catalogue/topics/urban-construction/",
            f"{prefix}policies/", f"{prefix}policies/rural-housing-subsidy-2020/",
            f"{prefix}policies/rural-housing-safety-2024/",
            f"{prefix}interpretations/rural-housing-safety-2024-explained/",
            f"{prefix}procurement/wetland-boardwalk-renovation/",
            f"{prefix}procurement-notices/wetland-boardwalk-clarification-1/",
            f"{prefix}consultations/", f"{prefix}consultations/public-transport-network-2027/",
            f"{prefix}consultations/wetland-tourism-plan-draft/",
            f"{prefix}letters/", f"{prefix}letters/bus-route-to-high-speed-station/",
            f"{prefix}letters/statistics/", f"{prefix}departments/",
            f"{prefix}departments/transport-bureau/"]


@pytest.mark.parametrize("lang", SITES)
def test_axe_finds_no_violation(page, base_url, lang) -> None:
    problems = []
    for path in sample_pages(lang):
        response = page.goto(base_url + path)
        assert response is not None and response.ok, path
        problems += [f"{path}: {v}" for v in axe_violations(page)]
    assert problems == []


def test_language_switcher_goes_to_the_translation(page, base_url) -> None:
    page.goto(base_url + "news/deer-population-census-2023/")
    page.get_by_role("navigation", name="选择语言").get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.url == base_url + "en/news/deer-population-census-2023/"
    assert page.locator("html").get_attribute("lang") == "en"
    switcher = page.get_by_role("navigation", name="Choose a language")
    switcher.get_by_role("link", name="日本語").click()
    assert page.url == base_url + "ja/news/deer-population-census-2023/"


def test_missing_translation_lands_on_home_with_a_visible_note(page, base_url, site) -> None:
    from conftest import ROOT

    zh_only = sorted(p.stem for p in (ROOT / "content" / "zh" / "news").glob("*.md")
                     if not (ROOT / "content" / "ko" / "news" / p.name).exists()
                     and (site / "news" / p.stem / "index.html").exists())
    page.goto(base_url + f"news/{zh_only[0]}/")
    note = page.locator("#not-translated")
    page.get_by_role("navigation", name="选择语言").get_by_role("link", name="한국어").click()
    page.wait_for_load_state()
    assert page.url == base_url + "ko/#not-translated"
    assert note.is_visible()
    assert "한국어" in note.inner_text()
    page.goto(base_url + "ko/")
    assert not page.locator("#not-translated").is_visible()


def test_keyboard_user_reaches_the_skip_link_first(page, base_url) -> None:
    page.goto(base_url + "en/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_a_long_list_links_its_first_last_and_neighbouring_pages(tmp_path, page, site) -> None:
    """Lists of hundreds of pages (a portal of 10,000 items) are crossed in a few steps: a
    page links the previous and next ones, the first and the last, and its neighbours. The
    catalogue's lists are paginated too."""
    output = tmp_path / "output"
    build(ROOT / "pelicanconf.py", output, build_date=BUILD_DATE, strict=True,
          PORTAL_PAGE_SIZE=2)
    count = len(list((output / "news/page").glob("*/index.html"))) + 1
    assert count >= 9
    html = (output / "news/page/5/index.html").read_text("utf-8")
    nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S).group(0)
    links = re.findall(r'<a ([^>]*)>([^<]*)</a>', nav)
    assert [(re.search(r'href="([^"]*)"', attrs).group(1), text) for attrs, text in links] == [
        ("/news/page/4/", "上一页"), ("/news/", "1"), ("/news/page/4/", "4"),
        ("/news/page/5/", "5"), ("/news/page/6/", "6"), (f"/news/page/{count}/", str(count)),
        ("/news/page/6/", "下一页")]
    assert nav.count("…") == 2 and nav.count('aria-current="page"') == 1
    assert 'aria-label="第 5 页" aria-current="page">5</a>' in nav
    def rows(folder: Path) -> list[str]:
        found = []
        for listing in [folder / "index.html", *sorted(folder.glob("page/*/index.html"))]:
            found += re.findall(r'<tr>\s*<td><a href="([^"]+)"', listing.read_text("utf-8"))
        return found

    paged = output / "catalogue/types/policies"
    assert (paged / "page/2/index.html").is_file()
    assert len(rows(paged)) > 2
    assert sorted(rows(paged)) == sorted(rows(site / "catalogue/types/policies"))
    lists = [output / PREFIX[lang] / "news" for lang in SITES] + [paged]
    assert vnu_errors(lists) == []
    with serve_directory(output) as url:
        problems = []
        for lang in SITES:
            response = page.goto(f"{url}/{PREFIX[lang]}news/page/5/")
            assert response is not None and response.ok, lang
            problems += [f"{lang}: {v}" for v in axe_violations(page)]
        assert problems == []
