"""The open-government pages of the demo, in every language: details, lists, banners,
two-way links, procurement timelines, the catalogue and the letter statistics."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import BUILD_DATE, LANGS, PREFIX, ROOT
from portal_build import load_settings
from portal_model import load_site

SECTIONS = ("policies", "interpretations", "procurement", "procurement-notices",
            "consultations", "letters", "departments")


@pytest.fixture(scope="module")
def model():
    return load_site(load_settings(ROOT / "pelicanconf.py"), build_date=BUILD_DATE)


def read(site: Path, lang: str, path: str) -> str:
    return (site / PREFIX[lang] / path / "index.html").read_text(encoding="utf-8")


def url(lang: str, path: str) -> str:
    return f"/{PREFIX[lang]}{path}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_section_has_a_list_and_detail_pages(site, lang) -> None:
    for section in SECTIONS:
        listing = read(site, lang, f"{section}/")
        items = sorted((ROOT / "content" / lang / section).glob("*.md"))
        assert items, f"the demo has {section} in {lang}"
        for source in items:
            assert url(lang, f"{section}/{source.stem}/") in listing
            assert (site / PREFIX[lang] / section / source.stem / "index.html").is_file()
    assert url(lang, "catalogue/") in read(site, lang, "")  # the main menu reaches them


@pytest.mark.parametrize("lang", LANGS)
def test_a_repealed_policy_shows_a_banner_linking_to_the_current_one(site, lang) -> None:
    page = read(site, lang, "policies/rural-housing-subsidy-2020/")
    banner = re.search(r'<div class="notice notice--warning" role="note">(.*?)</div>', page, re.S)
    assert banner, "a repealed document is marked on its own page"
    assert url(lang, "policies/rural-housing-safety-2024/") in banner.group(1)
    current = read(site, lang, "policies/rural-housing-safety-2024/")
    assert "notice--warning" not in current
    assert url(lang, "policies/rural-housing-subsidy-2020/") in current  # "replaces"


def test_an_amended_policy_links_to_the_amendment(site) -> None:
    page = read(site, "en", "policies/elderly-meal-subsidy-2023/")
    assert "no longer fully in force: Amended" in page
    assert "/en/policies/elderly-meal-subsidy-amendment-2025/" in page


def test_policy_metadata_is_a_table_with_row_headers(site) -> None:
    page = read(site, "zh", "policies/rural-housing-safety-2024/")
    assert '<table class="metadata-table">' in page and "<caption>文件信息</caption>" in page
    for label, value in (("文号", "丰政发〔2024〕8号"), ("索引号", "014025823/2024-00008")):
        assert f'<th scope="row">{label}</th><td>{value}</td>' in page


@pytest.mark.parametrize("lang", LANGS)
def test_policies_and_interpretations_link_both_ways(site, lang) -> None:
    policy = read(site, lang, "policies/rural-housing-safety-2024/")
    interpretation = read(site, lang, "interpretations/rural-housing-safety-2024-explained/")
    assert url(lang, "interpretations/rural-housing-safety-2024-explained/") in policy
    assert url(lang, "policies/rural-housing-safety-2024/") in interpretation


@pytest.mark.parametrize("lang", LANGS)
def test_procurement_timeline_is_in_order_and_keeps_the_withdrawn_notice(site, lang) -> None:
    page = read(site, lang, "procurement/wetland-boardwalk-renovation/")
    timeline = page.split('id="timeline-title"')[1]
    stems = sorted(p.stem for p in (ROOT / "content" / lang / "procurement-notices").glob(
        "wetland-boardwalk-*.md"))
    order = ["tender", "clarification-1", "clarification-2", "bid-opening", "award", "contract"]
    expected = [f"wetland-boardwalk-{s}" for s in order if f"wetland-boardwalk-{s}" in stems]
    found = re.findall(r'href="[^"]*procurement-notices/(wetland-boardwalk-[a-z0-9-]+)/"', timeline)
    assert found == expected
    withdrawn = re.search(r'<tr class="is-withdrawn">(.*?)</tr>', timeline, re.S)
    assert withdrawn and "clarification-1" in withdrawn.group(1) and "badge--warning" in \
        withdrawn.group(1)
    notice = read(site, lang, "procurement-notices/wetland-boardwalk-clarification-1/")
    assert "notice--warning" in notice  # the withdrawn notice keeps its page, marked


def test_budget_is_formatted_as_money_per_language(site) -> None:
    assert "¥3,860,000.00" in read(site, "zh", "procurement/wetland-boardwalk-renovation/")
    assert "CN¥3,860,000.00" in read(site, "en", "procurement/wetland-boardwalk-renovation/")


def test_attachments_are_listed_with_type_and_size_and_copied(site) -> None:
    for lang in ("zh", "en"):
        page = read(site, lang, "policies/rural-housing-safety-2024/")
        assert re.search(r'href="/(en/)?policies/rural-housing-safety-2024/'
                         r'rural-housing-safety-2024\.pdf" download>[^<]+</a> '
                         r'<span class="attachments__meta">\(PDF, [\d.,]+ kB\)</span>', page)
        assert (site / PREFIX[lang] / "policies" / "rural-housing-safety-2024" /
                "rural-housing-safety-2024.pdf").is_file()
        assert (site / PREFIX[lang] / "policies" / "wetland-protection-measures-2022" /
                "wetland-protection-zones.png").is_file()


@pytest.mark.parametrize("lang", ("en", "ja", "ko"))
def test_catalogue_counts_what_exists_only_in_chinese(site, model, lang) -> None:
    sections = ("policies", "interpretations", "procurement", "procurement-notices")
    page = read(site, lang, "catalogue/")
    zh_only = [i for i in model.items["zh"]
               if i.section.name in sections and lang not in i.translations]
    assert zh_only, "the demo leaves some catalogue items untranslated"
    note = re.search(r'<p class="notice" role="note">\D*(\d+)(.*?)</p>', page, re.S)
    assert note is not None
    assert int(note.group(1)) == len(zh_only)
    assert 'href="/catalogue/"' in note.group(2)  # the Chinese catalogue
    for item in model.items[lang]:
        if item.section.name in sections:
            listing = read(site, lang, f"catalogue/types/{item.section.name}/")
            assert item.url in listing


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_browses_by_topic_body_year_and_type(site, lang) -> None:
    index = read(site, lang, "catalogue/")
    for path in ("catalogue/topics/urban-construction/", "catalogue/issuers/district-government/",
                 "catalogue/years/2024/", "catalogue/types/interpretations/"):
        assert url(lang, path) in index
        assert (site / PREFIX[lang] / path / "index.html").is_file()
    year = read(site, lang, "catalogue/years/2024/")
    assert url(lang, "policies/rural-housing-safety-2024/") in year


@pytest.mark.parametrize("lang", LANGS)
def test_letter_statistics_page_exists_and_counts_the_letters(site, model, lang) -> None:
    page = read(site, lang, "letters/statistics/")
    letters = [i for i in model.items[lang] if i.section.name == "letters"]
    assert f"<dd>{len(letters)}</dd>" in page
    assert "<caption>" in page and 'scope="col"' in page and 'scope="row"' in page


def test_letters_show_the_reply_and_an_unanswered_one_says_so(site) -> None:
    answered = read(site, "zh", "letters/night-construction-noise-xingfu-avenue/")
    assert "区长信箱" in answered and "已责令其停止夜间施工" in answered
    waiting = read(site, "zh", "letters/bus-stop-shelter-request/")
    assert "本来信尚未答复。" in waiting


@pytest.mark.parametrize("lang", LANGS)
def test_a_withdrawn_notice_stays_in_its_list_marked(site, lang) -> None:
    listing = read(site, lang, "procurement-notices/")
    entry = listing.split("procurement-notices/wetland-boardwalk-clarification-1/")[1]
    entry = entry.split('<li class="item-list__item">')[0]
    assert "badge--warning" in entry
    page = read(site, lang, "procurement-notices/wetland-boardwalk-clarification-1/")
    reason = re.search(r"withdrawn_reason: (.+)", (ROOT / "content" / lang / "procurement-notices"
                                                  / "wetland-boardwalk-clarification-1.md")
                       .read_text(encoding="utf-8"))
    assert reason and reason.group(1) in page


def test_a_letter_links_to_the_replying_department(site) -> None:
    page = read(site, "en", "letters/bus-route-to-high-speed-station/")
    assert '<a href="/en/departments/transport-bureau/">Transport Bureau</a>' in page
