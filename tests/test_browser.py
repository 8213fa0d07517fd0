"""What visitors and validators see: Nu HTML Checker over the whole output, and axe-core and
the language switcher in Debian's Chromium."""

from __future__ import annotations

import pytest

from checkers import axe_violations, vnu_errors
from conftest import PREFIX, SITES

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
