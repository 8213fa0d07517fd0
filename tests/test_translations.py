"""Translation tracking: outdated translations are reported and shown to readers."""

from __future__ import annotations

import re

from benchmarks.corpus import write_portal
from conftest import PREFIX, ROOT, article, own_copy
from portal_build import build, load_settings
from portal_model import load_site
from portal_model.status import outdated, report, stamp_file


def test_outdated_translation_shows_a_notice_only_where_outdated(site) -> None:
    stale = (site / PREFIX["ja"] / "news/port-throughput-2025/index.html").read_text("utf-8")
    current = (site / PREFIX["en"] / "news/port-throughput-2025/index.html").read_text("utf-8")
    assert "この翻訳は古い可能性があります" in stale
    assert 'href="/news/port-throughput-2025/"' in stale
    assert "may be out of date" not in current


def test_editing_the_source_outdates_its_translations_until_stamped(portal, monkeypatch) -> None:
    project = portal({"zh/news/port.md": article("港口", body="原文。"),
                      "en/news/port.md": article("Port", body="Original.")})
    monkeypatch.chdir(project)
    settings = load_settings(project / "pelicanconf.py")
    english = project / "content/en/news/port.md"
    stamp_file(load_site(settings), english)
    assert outdated(load_site(settings), "en") == []

    (project / "content/zh/news/port.md").write_text(article("港口", body="原文已修改。"), "utf-8")
    site = load_site(settings)
    assert [i.relpath for i in outdated(site, "en")] == ["news/port.md"]
    assert "outdated  news/port.md" in report(site)
    build(project / "pelicanconf.py", project / "output")
    page = (project / "output/en/news/port/index.html").read_text("utf-8")
    assert "may be out of date" in page

    stamp_file(load_site(settings), english)
    assert outdated(load_site(settings), "en") == []


def test_demo_translations_are_stamped() -> None:
    site = load_site(load_settings(ROOT / "pelicanconf.py"))
    stale = {(lang, i.relpath) for lang in ("en", "ja", "ko") for i in outdated(site, lang)}
    assert stale == {("ja", "news/port-throughput-2025.md")}, "only the deliberate example"


def test_one_file_name_in_two_sections_makes_two_items_not_translations(portal) -> None:
    project = portal({"zh/news/port.md": article("港口新闻"),
                      "zh/notices/port.md": article("港口通知"),
                      "en/news/port.md": article("Port news")})
    build(project / "pelicanconf.py", project / "output", strict=True)  # no warning either
    output = project / "output"
    assert "港口新闻" in (output / "news/port/index.html").read_text("utf-8")
    assert "港口通知" in (output / "notices/port/index.html").read_text("utf-8")
    english = (output / "en/news/port/index.html").read_text("utf-8")
    assert 'hreflang="zh-Hans" href="http://127.0.0.1:8000/news/port/"' in english
    assert "/notices/port/" not in english
    assert not (output / "en/notices/port").exists()


def test_a_catalog_edited_between_builds_of_one_process_is_used(tmp_path) -> None:
    """The preview server builds again in one process, and its PDFs compile the catalogs
    before the language runs are forked: a translator's edit must still reach the pages."""
    portal = tmp_path / "portal"
    write_portal(portal, 2, seed=5)
    conf = portal / "pelicanconf.py"
    conf.write_text(conf.read_text(encoding="utf-8").replace(
        "PORTAL_PDF_SECTIONS = []", 'PORTAL_PDF_SECTIONS = ["news"]'), encoding="utf-8")
    own_copy(portal, "theme")
    build(conf, portal / "output", strict=False)
    assert list((portal / "output" / "en" / "news").rglob("*.pdf"))  # the catalogs were used

    po = portal / "theme" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    found = re.search(r'msgid "Skip to main content"\nmsgstr "[^"]*"', text)
    assert found is not None
    po.write_text(text.replace(found.group(0), 'msgid "Skip to main content"\n'
                               'msgstr "Jump to the content"'), encoding="utf-8")
    build(conf, portal / "output", strict=False)
    assert "Jump to the content" in (portal / "output" / "en" / "index.html").read_text(
        encoding="utf-8")
