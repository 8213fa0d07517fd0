"""Feeds partners pull: valid Atom, RSS and JSON Feed in every language, stable ids, dates
that move only with a major change, absolute URLs, enclosures and WebSub links."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import BUILD_DATE, LANGS, PREFIX, ROOT, SITE_URL, SITES, article
from feed_checkers import ATOM, XML_LANG, feed_problems, relative_urls
from portal_build import build, load_settings
from portal_model import Site, load_site, model_loaded
from portal_model.schema import SECTIONS

TAGS = {"zh": "zh-Hans", "en": "en", "ja": "ja", "ko": "ko"}


@pytest.fixture(scope="module")
def model() -> Site:
    return load_site(load_settings(ROOT / "pelicanconf.py"), build_date=BUILD_DATE)


def dated(model: Site, lang: str) -> list:
    """What feeds carry: dated items, without withdrawn ones."""
    return [i for i in model.items[lang]
            if i.section.kind == "article" and i.meta.get("status") != "withdrawn"]


ARTICLE_SECTIONS = [name for name, s in SECTIONS.items() if s.kind == "article"]


def entry_ids(path: Path) -> list[str]:
    return [e.findtext(f"{ATOM}id") for e in ET.parse(path).getroot().iter(f"{ATOM}entry")]


@pytest.mark.parametrize("lang", LANGS)
def test_every_feed_of_every_language_is_valid(site: Path, model: Site, lang: str) -> None:
    folder = site / PREFIX[lang] / "feeds"
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".xml", ".json"))
    used = {i.category for i in dated(model, lang) if i.category}
    assert len(files) == 3 * (1 + len(ARTICLE_SECTIONS) + len(used))
    for name in ("all", *ARTICLE_SECTIONS, *(f"category/{c}" for c in used)):
        for suffix in ("atom.xml", "rss.xml", "json"):
            assert (folder / f"{name}.{suffix}").is_file()
    for path in files:
        assert feed_problems(path) == [], path


@pytest.mark.parametrize("lang", LANGS)
def test_feeds_say_their_language_address_and_items(site: Path, model: Site, lang: str) -> None:
    base = f"{SITE_URL}/{PREFIX[lang]}feeds/"
    atom = ET.parse(site / PREFIX[lang] / "feeds" / "all.atom.xml").getroot()
    assert atom.get(XML_LANG) == TAGS[lang]
    assert [link.get("href") for link in atom.findall(f"{ATOM}link")
            if link.get("rel") == "self"] == [base + "all.atom.xml"]
    every = {f"tag:dafeng.gov.cn,2026:{lang}/{i.origin_key}" for i in dated(model, lang)}
    ids = entry_ids(site / PREFIX[lang] / "feeds" / "all.atom.xml")
    limit = model.settings["PORTAL_FEED_LIMIT"]
    assert set(ids) <= every and len(ids) == len(set(ids)) == min(limit, len(every))
    expected = set(ids)

    rss = ET.parse(site / PREFIX[lang] / "feeds" / "all.rss.xml").getroot()
    assert rss.findtext("channel/language") == TAGS[lang]
    assert {g.text for g in rss.iter("guid")} == expected
    feed = json.loads((site / PREFIX[lang] / "feeds" / "all.json").read_text(encoding="utf-8"))
    assert feed["language"] == TAGS[lang] and feed["feed_url"] == base + "all.json"
    assert {i["id"] for i in feed["items"]} == expected
    news = set(entry_ids(site / PREFIX[lang] / "feeds" / "news.atom.xml"))
    assert news == {f"tag:dafeng.gov.cn,2026:{lang}/{i.origin_key}" for i in dated(model, lang)
                    if i.section.name == "news"}


def test_every_page_announces_the_feeds_of_its_language(site: Path) -> None:
    checked = 0
    for page in site.rglob("*.html"):
        relative = page.relative_to(site).as_posix()
        lang = next((code for code in SITES[1:] if relative.startswith(f"{code}/")), "zh")
        head = page.read_text(encoding="utf-8").split("</head>")[0]
        assert f'href="{SITE_URL}/{PREFIX[lang]}feeds/all.atom.xml"' in head, page
        assert f'href="{SITE_URL}/{PREFIX[lang]}feeds/all.rss.xml"' in head, page
        assert f'href="{SITE_URL}/{PREFIX[lang]}feeds/all.json"' in head, page
        checked += 1
    assert checked > 200
    section = (site / "en" / "news" / "index.html").read_text(encoding="utf-8")
    assert f'href="{SITE_URL}/en/feeds/news.atom.xml"' in section


@pytest.mark.parametrize("lang", LANGS)
def test_the_feeds_page_lists_every_feed(site: Path, lang: str) -> None:
    page = (site / PREFIX[lang] / "feeds" / "index.html").read_text(encoding="utf-8")
    folder = site / PREFIX[lang] / "feeds"
    for path in folder.rglob("*"):
        if path.suffix in (".xml", ".json"):
            assert f'href="/{PREFIX[lang]}{path.relative_to(site / PREFIX[lang])}"' in page
    assert f"<loc>{SITE_URL}/{PREFIX[lang]}feeds/</loc>" in (site / "sitemap.xml").read_text(
        encoding="utf-8")


def feed_files(output: Path) -> list[Path]:
    return [p for p in output.rglob("feeds/**/*") if p.suffix in (".xml", ".json")]


def feed_of(project: Path, lang: str = "zh", name: str = "all.atom.xml") -> Path:
    return project / "output" / PREFIX[lang] / "feeds" / name


def atom_entries(path: Path) -> dict[str, ET.Element]:
    return {e.findtext(f"{ATOM}title"): e
            for e in ET.parse(path).getroot().iter(f"{ATOM}entry")}


#: The smallest PNG: one transparent pixel.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082")


def test_entries_follow_the_rules(portal: Callable[..., Path]) -> None:
    body = ("见[另一条](/news/minor/)和[相对链接](../minor/)。\n\n![港口](port.png)\n\n"
            "[外部](https://www.gov.cn/)")
    project = portal({
        "zh/news/links.md": article("链接", "2024-05-01", body=body),
        "zh/news/minor.md": article("小改", "2024-05-02", extra="updated: 2024-06-01\n"),
        "zh/news/major.md": article("大改", "2024-05-03",
                                    extra="updated: 2024-06-10\nchange_note: 更正日期\n"),
        "zh/news/secret.md": article("草稿", "2024-05-04", extra="status: draft\n"),
        "zh/pages/about.md": "---\ntitle: 关于\ndate: 2024-01-01\n---\n\n简介。\n",
    })
    (project / "content" / "zh" / "news" / "port.png").write_bytes(PNG)
    build(project / "pelicanconf.py", project / "output", build_date=BUILD_DATE)
    for path in feed_files(project / "output"):
        assert feed_problems(path) == [], path
    entries = atom_entries(feed_of(project))
    assert set(entries) == {"链接", "小改", "大改"}, "no drafts, no undated pages"
    minor, major = entries["小改"], entries["大改"]
    assert minor.findtext(f"{ATOM}updated") == minor.findtext(f"{ATOM}published")
    assert major.findtext(f"{ATOM}updated") == "2024-06-10T00:00:00+08:00"
    assert major.findtext(f"{ATOM}published") == "2024-05-03T00:00:00+08:00"
    root = ET.parse(feed_of(project)).getroot()
    assert root.findtext(f"{ATOM}updated") == "2024-06-10T00:00:00+08:00"

    content = entries["链接"].findtext(f"{ATOM}content")
    assert relative_urls(content) == []
    for url in (f"{SITE_URL}/news/minor/", f"{SITE_URL}/news/links/port.png",
                "https://www.gov.cn/"):
        assert f'"{url}"' in content
    rss = feed_of(project, name="all.rss.xml").read_text(encoding="utf-8")
    assert "草稿" not in rss and "关于" not in rss
    assert "草稿" not in feed_of(project, name="all.json").read_text(encoding="utf-8")


def test_entry_ids_come_from_the_origin_key_not_the_file_name(portal) -> None:
    project = portal({"zh/news/old-name.md": article("改名", "2024-05-01")})
    build(project / "pelicanconf.py", project / "output", build_date=BUILD_DATE)
    (before,) = entry_ids(feed_of(project))
    assert before == "tag:dafeng.gov.cn,2026:zh/news/old-name"

    (project / "content" / "zh" / "news" / "old-name.md").unlink()
    portal({"zh/news/new-name.md": article("改名", "2024-05-01",
                                           extra="translation_key: news/old-name\n")})
    build(project / "pelicanconf.py", project / "output", build_date=BUILD_DATE)
    assert entry_ids(feed_of(project)) == [before]
    link = atom_entries(feed_of(project))["改名"].find(f"{ATOM}link").get("href")
    assert link == f"{SITE_URL}/news/new-name/"

    def renamed(site: Site, root: Path) -> list:
        """What a history plugin does for a file git saw renamed."""
        for item in site.items["zh"]:
            item.origin_key = "news/first-name"
        return []

    model_loaded.connect(renamed)
    try:
        build(project / "pelicanconf.py", project / "output", build_date=BUILD_DATE)
    finally:
        model_loaded.disconnect(renamed)
    assert entry_ids(feed_of(project)) == ["tag:dafeng.gov.cn,2026:zh/news/first-name"]


def test_pdf_enclosures_websub_hub_and_summaries(portal) -> None:
    project = portal({"zh/news/policy.md": article("政策", "2024-05-01", extra="pdf: true\n",
                                                   body="全文。" * 40),
                      "en/news/policy.md": article("Policy", "2024-05-01", extra="pdf: true\n",
                                                   body="Full text.")})
    with (project / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write('\nPORTAL_WEBSUB_HUB = "https://hub.example.org/"\n'
                   'PORTAL_FEED_CONTENT = "summary"\n')
    build(project / "pelicanconf.py", project / "output", build_date=BUILD_DATE)
    zh_size = (project / "output/news/policy/policy.pdf").stat().st_size
    en_size = (project / "output/en/news/policy/policy.pdf").stat().st_size

    for path in feed_files(project / "output"):
        assert feed_problems(path) == [], path
    atom = ET.parse(feed_of(project)).getroot()
    assert [link.get("href") for link in atom.findall(f"{ATOM}link")
            if link.get("rel") == "hub"] == ["https://hub.example.org/"]
    (entry,) = atom.iter(f"{ATOM}entry")
    assert entry.find(f"{ATOM}content") is None and entry.findtext(f"{ATOM}summary")
    enclosure = next(link for link in entry.findall(f"{ATOM}link")
                     if link.get("rel") == "enclosure")
    assert enclosure.attrib == {"rel": "enclosure", "type": "application/pdf",
                                "length": str(zh_size),
                                "href": f"{SITE_URL}/news/policy/policy.pdf"}
    rss = ET.parse(feed_of(project, "en", "all.rss.xml")).getroot()
    assert rss.find("channel/item/enclosure").attrib == {
        "url": f"{SITE_URL}/en/news/policy/policy.pdf", "length": str(en_size),
        "type": "application/pdf"}
    assert [link.get("href") for link in rss.iter(f"{ATOM}link") if link.get("rel") == "hub"] \
        == ["https://hub.example.org/"]
    assert rss.findtext("channel/item/description") == "Full text."
    feed = json.loads(feed_of(project, "en", "all.json").read_text(encoding="utf-8"))
    assert feed["hubs"] == [{"type": "WebSub", "url": "https://hub.example.org/"}]
    (item,) = feed["items"]
    assert "content_html" not in item and item["content_text"] == "Full text."
    assert item["attachments"] == [{"url": f"{SITE_URL}/en/news/policy/policy.pdf",
                                    "mime_type": "application/pdf", "size_in_bytes": en_size}]


def test_withdrawn_items_leave_the_feeds(portal) -> None:
    project = portal({"zh/news/kept.md": article("保留", "2024-05-01"),
                      "zh/news/gone.md": article("撤回", "2024-05-02", extra=(
                          "status: withdrawn\nwithdrawn_reason: 信息有误，已撤回。\n"))})
    build(project / "pelicanconf.py", project / "output", build_date=BUILD_DATE)
    assert set(atom_entries(feed_of(project))) == {"保留"}
