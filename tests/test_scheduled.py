"""Scheduled publication: an item dated later than the build is published by the first build
at or after its date, and until then appears nowhere but in an editor's preview."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import LANGS, PREFIX, ROOT, Repo, article
from portal_build import build, load_settings
from portal_model import ContentError, load_site
from portal_model.model import build_moment
from portal_model.status import report, stamp_file

TITLES = {"zh": "港口新航线开通", "en": "New harbour route opens", "ja": "港の新航路開設",
          "ko": "항만 신항로 개통"}
#: How each language's preview names the moment it will be published.
MOMENTS = {"zh": "2024年6月1日 09:00", "en": "June 1, 2024, 9:00", "ja": "2024年6月1日 9:00",
           "ko": "2024년 6월 1일 AM 9:00"}


def scheduled_portal(portal) -> Path:
    """A portal with a published item in every language and one scheduled for 2024-06-01 09:00,
    translated into every language."""
    files = {f"{lang}/news/today.md": article(f"今日新闻 {lang}", "2024-05-01") for lang in LANGS}
    files.update({f"{lang}/news/route.md": article(TITLES[lang], "2024-06-01 09:00",
                                                  body=f"{TITLES[lang]}。")
                  for lang in LANGS})
    return portal(files)


def indexed(output: Path, lang: str) -> str:
    """Everything a language's search index holds."""
    return "".join(p.read_text("utf-8") for p in (output / PREFIX[lang] / "search").rglob("*.json"))


def every_text(output: Path) -> str:
    return "\n".join(p.read_text("utf-8", errors="replace") for p in output.rglob("*")
                     if p.is_file() and p.suffix in {".html", ".xml", ".json", ".txt"})


def test_a_scheduled_item_appears_nowhere_before_its_moment(portal, tmp_path: Path) -> None:
    project = scheduled_portal(portal)
    output = tmp_path / "before"
    report = build(project / "pelicanconf.py", output, build_date=dt.date(2024, 5, 31))
    text = every_text(output)
    assert "今日新闻 zh" in text  # the build did publish
    for lang in LANGS:
        assert TITLES[lang] not in text, lang
        assert not (output / PREFIX[lang] / "news" / "route").exists()
    assert "news/route/" not in text  # no page, list, feed, sitemap entry or index entry
    assert report.scheduled == [(dt.datetime(2024, 6, 1, 9, 0), f"content/{lang}/news/route.md")
                                for lang in sorted(LANGS)]


def test_the_first_build_on_its_day_publishes_it_everywhere(portal, tmp_path: Path) -> None:
    project = scheduled_portal(portal)
    output = tmp_path / "on-the-day"
    report = build(project / "pelicanconf.py", output, build_date=dt.date(2024, 6, 1))
    assert report.scheduled == []
    sitemap = (output / "sitemap.xml").read_text("utf-8")
    for lang in (*LANGS, "zh-hant"):
        prefix = PREFIX[lang]
        page = (output / prefix / "news" / "route" / "index.html").read_text("utf-8")
        assert "Scheduled" not in page and "notice--draft" not in page
        assert "/news/route/" in (output / prefix / "news" / "index.html").read_text("utf-8")
        assert "/news/route/" in (output / prefix / "feeds" / "all.atom.xml").read_text("utf-8")
        assert f"/{prefix}news/route/" in sitemap
        assert "news/route/" in indexed(output, lang), lang
    page = (output / "news" / "route" / "index.html").read_text("utf-8")
    assert '<time datetime="2024-06-01T09:00">2024年6月1日 09:00</time>' in page  # its hour
    today = (output / "news" / "today" / "index.html").read_text("utf-8")
    assert '<time datetime="2024-05-01">2024年5月1日</time>' in today  # a day has no hour


@pytest.mark.parametrize("lang", LANGS)
def test_a_preview_shows_it_marked_with_its_moment_but_feeds_and_search_leave_it_out(
        portal, tmp_path: Path, lang: str) -> None:
    project = scheduled_portal(portal)
    output = tmp_path / "preview"
    build(project / "pelicanconf.py", output, drafts=True, strict=False,
          build_date=dt.date(2024, 5, 31))
    prefix = PREFIX[lang]
    page = (output / prefix / "news" / "route" / "index.html").read_text("utf-8")
    assert TITLES[lang] in page and "notice--draft" in page and MOMENTS[lang] in page
    listing = (output / prefix / "news" / "index.html").read_text("utf-8")
    assert TITLES[lang] in listing and "badge--draft" in listing
    assert TITLES[lang] not in (output / prefix / "feeds" / "all.atom.xml").read_text("utf-8")
    index = indexed(output, lang)
    assert "今日新闻" in index and "news/route/" not in index


def test_a_date_without_a_time_is_published_from_the_start_of_its_day(portal) -> None:
    project = portal({"zh/news/day.md": article("当天发布", "2024-06-01")})
    settings = load_settings(project / "pelicanconf.py")
    assert [i.title for i in load_site(settings, build_date=dt.date(2024, 6, 1)).items["zh"]] \
        == ["当天发布"]
    site = load_site(settings, build_date=dt.date(2024, 5, 31))
    assert site.items["zh"] == [] and [i.title for i in site.drafts["zh"]] == ["当天发布"]


def test_the_build_moment_is_the_portals_time_not_the_servers() -> None:
    """A server in UTC at 23:00 is already at 07:00 of the next day in Shanghai: consultations
    open and scheduled items appear by the city's clock."""
    settings = {"TIMEZONE": "Asia/Shanghai"}
    zone = ZoneInfo("Asia/Shanghai")
    before = dt.datetime.now(zone).replace(tzinfo=None)
    moment = build_moment(settings, None)
    after = dt.datetime.now(zone).replace(tzinfo=None)
    assert before <= moment <= after
    elsewhere = build_moment({"TIMEZONE": "America/Los_Angeles"}, None)
    assert abs((moment - elsewhere) - dt.timedelta(hours=15 if _dst() else 16)) \
        < dt.timedelta(minutes=1)
    assert build_moment(settings, dt.date(2024, 6, 1)) == dt.datetime(2024, 6, 1, 23, 59, 59,
                                                                      999999)


def _dst() -> bool:
    return bool(dt.datetime.now(ZoneInfo("America/Los_Angeles")).dst())


def test_a_reference_to_a_scheduled_item_names_its_date(portal) -> None:
    project = portal({
        "zh/policies/subsidy.md": (
            "---\ntitle: 补贴办法\ndate: 2024-07-01\ndocument_number: 丰政规〔2024〕1号\n"
            "issuer: civil-affairs-bureau\nwritten: 2024-06-20\n"
            "index_number: 014025823/2024-00001\ntopic: social-security\n---\n\n正文。\n"),
        "zh/interpretations/subsidy-explained.md": (
            "---\ntitle: 补贴办法解读\ndate: 2024-06-02\npolicy: subsidy\n"
            "issuer: civil-affairs-bureau\n---\n\n解读。\n"),
    })
    with pytest.raises(ContentError) as caught:
        load_site(load_settings(project / "pelicanconf.py"), build_date=dt.date(2024, 6, 10))
    message = str(caught.value)
    assert "subsidy-explained.md:4" in message
    assert "policies/subsidy.md, which is scheduled for 2024-07-01 00:00" in message
    # both dated later: both wait, and the build goes on
    load_site(load_settings(project / "pelicanconf.py"), build_date=dt.date(2024, 6, 1))


def test_a_scheduled_page_deleted_before_its_day_leaves_no_removal_notice(portal,
                                                                        tmp_path: Path) -> None:
    """A removal notice names the page's title: for a page never published, it would leak
    what was to be announced."""
    project = portal({"zh/news/today.md": article("今日新闻", "2024-05-01")})
    repo = Repo(project)
    repo.commit("2024-05-01T10:00:00+08:00", "first")
    repo.write("zh/news/plan.md", article("尚未公布的计划", "2024-06-01"))
    repo.commit("2024-05-20T10:00:00+08:00", "scheduled")
    repo.write("zh/news/due.md", article("到期发布后删除", "2024-05-22"))
    repo.commit("2024-05-21T10:00:00+08:00", "scheduled for tomorrow")
    repo.git("rm", "-q", "content/zh/news/plan.md", "content/zh/news/due.md")
    repo.commit("2024-05-25T10:00:00+08:00", "withdrawn before its day")
    output = tmp_path / "output"
    build(project / "pelicanconf.py", output, build_date=dt.date(2024, 7, 1))
    assert "尚未公布的计划" not in every_text(output)
    assert not (output / "news" / "plan").exists()
    due = (output / "news" / "due" / "index.html").read_text("utf-8")  # it was out for 3 days
    assert "到期发布后删除" in due and '<time datetime="2024-05-25">' in due


def test_the_build_summary_names_the_next_scheduled_item(portal) -> None:
    project = scheduled_portal(portal)
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "-r", str(ROOT), "build", "--config",
         str(project / "pelicanconf.py"), "--build-date", "2024-05-31"],
        capture_output=True, text=True, check=True, cwd=project)
    assert f"{len(LANGS)} item(s) dated later; the next is " in result.stdout
    assert "the next is content/en/news/route.md on 2024-06-01 09:00, which the first build " \
        "after then publishes" in result.stdout


def test_translators_see_scheduled_items_and_can_stamp_their_translations(portal) -> None:
    """Translations are best ready when the original is published, not days after."""
    project = portal({"zh/news/route.md": article(TITLES["zh"], "2024-06-01 09:00"),
                      "zh/news/plan.md": article("计划草稿", extra="status: draft\n"),
                      "en/news/route.md": article(TITLES["en"], "2024-06-01 09:00")})
    settings = load_settings(project / "pelicanconf.py")
    before = dt.date(2024, 5, 31)
    text = report(load_site(settings, show_drafts=True, build_date=before))
    assert "missing   news/route.md" not in text.split("ja (")[0]  # translated into English
    assert f"missing   news/route.md  {TITLES['zh']}  (scheduled for 2024-06-01 09:00)" in text
    assert "missing   news/plan.md  计划草稿  (draft)" in text
    english = project / "content" / "en" / "news" / "route.md"
    stamp_file(load_site(settings, show_drafts=True, build_date=before), english)
    assert "translated_from: " in english.read_text("utf-8")


def test_a_translation_cannot_announce_its_scheduled_original_early(portal) -> None:
    project = portal({"zh/news/route.md": article(TITLES["zh"], "2024-06-02 09:00"),
                      "en/news/route.md": article(TITLES["en"], "2024-06-01"),
                      "ja/news/route.md": article(TITLES["ja"], "2024-06-03")})
    settings = load_settings(project / "pelicanconf.py")
    with pytest.raises(ContentError) as caught:
        load_site(settings, build_date=dt.date(2024, 6, 1))
    assert [str(problem) for problem in caught.value.problems] == [
        f"{project / 'content/en/news/route.md'}:3: this translation would be published now, "
        "but its original news/route.md is scheduled for 2024-06-02 09:00 — date it "
        "2024-06-02 09:00 or later, as its original"]
    for day in (dt.date(2024, 5, 31), dt.date(2024, 6, 2), dt.date(2024, 6, 3)):
        load_site(settings, build_date=day)  # all waiting, the original out, or all out
