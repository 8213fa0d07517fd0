"""Change history from a real git repository: entries, dates, renames followed, and old
addresses that keep working (redirects and removal notices); the front-matter fallback."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import portal_model
from checkers import axe_violations, launch_chromium, serve_directory, vnu_errors
from conftest import SITE_URL, Repo, article
from portal_build import build
from portal_model import ContentError

NOTE_1 = "更正了集装箱吞吐量数据。"
NOTE_2 = "补充了5月份的统计口径说明。"
REASON_ZH = "道路已恢复通行，本通告已失效。"
REASON_EN = "The road has reopened; this notice no longer applies."


def harbour(extra: str = "", body: str = "正文内容。") -> str:
    return article("港口吞吐量", "2024-05-01", extra, body)


@pytest.fixture
def history_site(portal, tmp_path):
    """A portal whose content went through several commits; built, with its model."""
    project = portal({})
    repo = Repo(project)
    repo.write("zh/news/harbour.md", harbour())
    repo.write("en/news/harbour.md", article("Harbour throughput", "2024-05-01"))
    repo.write("zh/news/old-page.md", article("旧地址的新闻", "2024-05-02"))
    repo.write("en/news/old-page.md", article("News at the old address", "2024-05-02"))
    repo.write("zh/notices/road.md", article("道路封闭通告", "2024-05-03"))
    repo.write("en/notices/road.md", article("Road closure", "2024-05-03"))
    repo.write("zh/news/ferry.md", article("轮渡停航", "2024-05-04"))
    repo.write("zh/news/hours.md", article("办公时间调整", "2024-05-05"))
    repo.write("zh/news/never.md", article("从未发布", "2024-05-06", "status: draft\n"))
    repo.write("zh/news/pause.md", article("暂停发布的新闻", "2024-05-07"))
    repo.commit("2024-05-01T10:00:00+08:00", "first")
    repo.write("zh/news/harbour.md", harbour(body="正文内容，改了一个错字。"))
    repo.commit("2024-05-10T10:00:00+08:00", "minor edit")
    repo.write("zh/news/harbour.md", harbour(f"updated: 2024-05-20\nchange_note: {NOTE_1}\n"))
    repo.commit("2024-05-21T10:00:00+08:00", "first correction")
    repo.write("zh/news/harbour.md", harbour(f"updated: 2024-06-01\nchange_note: {NOTE_2}\n"))
    repo.commit("2024-06-02T10:00:00+08:00", "second correction")
    repo.write("zh/news/harbour.md",
               harbour(f"updated: 2024-06-01\nchange_note: {NOTE_2}\n", "再改一个标点。"))
    repo.commit("2024-06-10T10:00:00+08:00", "minor edit after a note")
    repo.git("mv", "content/zh/news/old-page.md", "content/zh/news/new-page.md")
    repo.git("mv", "content/en/news/old-page.md", "content/en/news/new-page.md")
    repo.commit("2024-07-01T10:00:00+08:00", "rename")
    renamed = "zh/news/new-page.md"
    repo.write(renamed, article("旧地址的新闻", "2024-05-02",
                                "updated: 2024-07-15\nchange_note: 改名后更正。\n"))
    repo.commit("2024-07-16T10:00:00+08:00", "note after rename")
    repo.write(renamed, article("旧地址的新闻", "2024-05-02",
                                "updated: 2024-07-15\nchange_note: 改名后再次更正。\n"))
    repo.commit("2024-08-05T01:30:00+00:00", "new note, same date")  # 09:30 in Beijing
    repo.git("rm", "-q", "content/zh/notices/road.md", "content/en/notices/road.md",
             "content/zh/news/ferry.md", "content/zh/news/never.md")
    repo.write("zh/news/pause.md", article("暂停发布的新闻", "2024-05-07", "status: draft\n"))
    repo.commit("2024-08-01T12:00:00+08:00", "remove")
    repo.write("zh/news/hours.md", article("办公时间调整", "2024-05-05",
                                           "updated: 2024-09-01\nchange_note: 未提交的更正。\n"))
    (project / "data" / "removed.yml").write_text(
        f"notices/road/:\n  zh: {REASON_ZH}\n  en: {REASON_EN}\n", encoding="utf-8")
    output = tmp_path / "output"
    build(project / "pelicanconf.py", output, build_date=dt.date(2024, 10, 1))
    return output, portal_model.current()


def item(model, lang: str, path: str):
    return next(i for i in model.items[lang] if i.path == path)


def read(output: Path, url: str) -> str:
    return (output / url.lstrip("/") / "index.html").read_text(encoding="utf-8")


def test_each_new_note_is_an_entry_and_minor_edits_do_not_move_the_date(history_site) -> None:
    output, model = history_site
    harbour_zh = item(model, "zh", "news/harbour/")
    assert [(c.date, c.note) for c in harbour_zh.history] == [
        (dt.datetime(2024, 6, 1), NOTE_2), (dt.datetime(2024, 5, 20), NOTE_1)]
    assert harbour_zh.updated == dt.datetime(2024, 6, 1)  # not the minor edit of June 10
    assert item(model, "en", "news/harbour/").history == []
    assert item(model, "en", "news/harbour/").updated is None
    html = read(output, "/news/harbour/")
    assert html.index(NOTE_2) < html.index(NOTE_1) < html.index("首次发布")
    assert '<time datetime="2024-06-01">2024年6月1日</time>' in html
    assert "change-history" not in read(output, "/en/news/harbour/")


def test_a_renamed_file_keeps_its_history_and_origin_key(history_site) -> None:
    _, model = history_site
    moved = item(model, "zh", "news/new-page/")
    assert moved.origin_key == "news/old-page"
    assert item(model, "en", "news/new-page/").origin_key == "news/old-page"
    assert item(model, "zh", "news/harbour/").origin_key == "news/harbour"
    # a new note with an unchanged 'updated' is dated by its commit, in Beijing time
    assert [(c.date, c.note) for c in moved.history] == [
        (dt.datetime(2024, 8, 5, 9, 30), "改名后再次更正。"),
        (dt.datetime(2024, 7, 15), "改名后更正。")]


def test_an_uncommitted_note_counts(history_site) -> None:
    _, model = history_site
    hours = item(model, "zh", "news/hours/")
    assert [(c.date, c.note) for c in hours.history] == [
        (dt.datetime(2024, 9, 1), "未提交的更正。")]


@pytest.mark.parametrize(("old", "new"), [("/news/old-page/", "/news/new-page/"),
                                          ("/en/news/old-page/", "/en/news/new-page/")])
def test_the_old_address_of_a_renamed_page_redirects(history_site, old, new) -> None:
    output, _ = history_site
    html = read(output, old)
    assert f'<meta http-equiv="refresh" content="0; url={new}">' in html
    assert f'<link rel="canonical" href="{SITE_URL}{new}">' in html
    assert f'<a href="{new}">' in html
    assert '<meta name="robots" content="noindex">' in html
    assert not re.search(r"<script(?![^>]*(src=\"/theme/|application/json))", html)  # no JS


def test_a_removed_page_leaves_a_dated_notice_with_its_reason(history_site) -> None:
    output, _ = history_site
    road = read(output, "/notices/road/")
    assert "该页面已删除" in road and REASON_ZH in road and "道路封闭通告" in road
    assert '<time datetime="2024-08-01">2024年8月1日</time>' in road
    road_en = read(output, "/en/notices/road/")
    assert REASON_EN in road_en and "August 1, 2024" in road_en
    ferry = read(output, "/news/ferry/")
    assert "该页面的信息已不再有效。" in ferry  # no declared reason: the generic one
    assert not (output / "news" / "never").exists()  # never published, nothing to keep
    paused = read(output, "/news/pause/")  # back to draft: unpublished since that commit
    assert "暂停发布的新闻" in paused and '<time datetime="2024-08-01">' in paused


def test_old_addresses_are_in_no_list_and_no_sitemap(history_site) -> None:
    output, _ = history_site
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    listing = read(output, "/news/") + read(output, "/") + read(output, "/en/news/")
    for path in ("news/old-page/", "notices/road/", "news/ferry/"):
        assert path not in sitemap and path not in listing


@pytest.mark.slow
def test_redirect_and_removal_pages_are_valid_html(history_site) -> None:
    output, _ = history_site
    pages = [output / p / "index.html" for p in ("news/old-page", "en/news/old-page",
                                                 "notices/road", "en/notices/road")]
    assert vnu_errors(pages) == []


@pytest.mark.slow
def test_a_browser_follows_the_redirect_and_axe_passes_the_notice(history_site) -> None:
    from playwright.sync_api import sync_playwright

    output, _ = history_site
    with serve_directory(output) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        page.goto(base + "en/news/old-page/")
        page.wait_for_url(base + "en/news/new-page/")
        assert page.locator("h1").inner_text() == "News at the old address"
        for path in ("notices/road/", "en/notices/road/"):
            page.goto(base + path)
            assert axe_violations(page) == [], path
        browser.close()


@pytest.mark.parametrize(("newcomer", "then"), [
    ("zh/news/other.md", "rm"),  # another page, with 'slug: ferry'
    ("zh/news/ferry.md", "mv"),  # a new file where a renamed one was
])
def test_a_new_page_may_not_take_an_old_address(portal, tmp_path, newcomer, then) -> None:
    project = portal({})
    repo = Repo(project)
    repo.write("zh/news/ferry.md", article("轮渡停航"))
    repo.commit("2024-05-01T10:00:00+08:00")
    if then == "mv":
        repo.git("mv", "content/zh/news/ferry.md", "content/zh/news/ferry-2024.md")
    else:
        repo.git("rm", "-q", "content/zh/news/ferry.md")
    repo.commit("2024-05-02T10:00:00+08:00")
    repo.write(newcomer, article("另一条新闻", extra="slug: ferry\n"))
    with pytest.raises(ContentError) as failure:
        build(project / "pelicanconf.py", tmp_path / "output")
    message = str(failure.value)
    assert f"content/{newcomer}" in message
    assert "/news/ferry/ was the address of content/zh/news/ferry.md" in message
    assert "choose another file name" in message


def test_without_git_the_front_matter_is_the_history(portal, tmp_path) -> None:
    project = portal({
        "zh/news/harbour.md": harbour(f"updated: 2024-05-20\nchange_note: {NOTE_1}\n"),
        "zh/news/plain.md": article("没有更正", extra="updated: 2024-05-09\n"),
    })
    output = tmp_path / "output"
    build(project / "pelicanconf.py", output)
    model = portal_model.current()
    corrected = item(model, "zh", "news/harbour/")
    assert [(c.date, c.note) for c in corrected.history] == [(dt.datetime(2024, 5, 20), NOTE_1)]
    assert corrected.origin_key == "news/harbour"
    assert NOTE_1 in read(output, "/news/harbour/")
    assert item(model, "zh", "news/plain/").updated is None  # no note, no "last updated"


def test_a_restored_page_is_simply_live_again(portal, tmp_path) -> None:
    project = portal({})
    repo = Repo(project)
    repo.write("zh/news/ferry.md", article("轮渡停航"))
    repo.commit("2024-05-01T10:00:00+08:00")
    repo.git("rm", "-q", "content/zh/news/ferry.md")
    repo.commit("2024-05-02T10:00:00+08:00")
    repo.write("zh/news/ferry.md", article("轮渡停航"))
    repo.commit("2024-05-03T10:00:00+08:00")
    output = tmp_path / "output"
    build(project / "pelicanconf.py", output)
    html = read(output, "/news/ferry/")
    assert "轮渡停航" in html and "该页面已删除" not in html


def test_two_git_processes_per_build_however_many_files(portal, tmp_path, monkeypatch) -> None:
    """The portal lives in a subfolder of the repository here, as in a monorepo."""
    import portal_history.git as history_git

    project = portal({})
    repo = Repo(tmp_path)  # the repository is the project's parent folder
    repo.project = project
    for number in range(60):
        repo.write(f"zh/news/item-{number}.md", article(f"新闻{number}"))
    repo.commit("2024-05-01T10:00:00+08:00")
    for number in range(0, 60, 2):
        note = f"updated: 2024-06-01\nchange_note: 更正{number}。\n"
        repo.write(f"zh/news/item-{number}.md", article(f"新闻{number}", extra=note))
    repo.commit("2024-06-02T10:00:00+08:00")
    calls: list[str] = []
    real = history_git.subprocess.run

    def counting(args, **kwargs):
        calls.append(args[1] if args[1] != "-c" else args[3])
        return real(args, **kwargs)

    monkeypatch.setattr(history_git.subprocess, "run", counting)
    build(project / "pelicanconf.py", tmp_path / "output")
    assert calls == ["log", "cat-file"]
    corrected = item(portal_model.current(), "zh", "news/item-4/")
    assert [c.note for c in corrected.history] == ["更正4。"]
    calls.clear()
    build(project / "pelicanconf.py", tmp_path / "output")
    assert calls == ["log"]  # past front matter comes from the cache
