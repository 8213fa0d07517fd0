"""Links in the text: one to an address the portal does not have stops the build with the file,
the line and the fix; the generated Traditional-Chinese site links to its own pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import article
from portal_build import build
from portal_links import links, target
from portal_model import ContentError

GOOD = """见[另一条新闻](/news/other/)、[同一条的英文版](/en/news/other/)、
[相对链接](../../news/other/)、[新闻列表](/news/)、[搜索港口](/search/?q=港口)、[英文首页](/en/)、[首页](/)、[本页标题](#top)、
[附件](plan.pdf)、[政府信息公开目录](/catalogue/)、[外部网站](https://www.gov.cn/)、
[写信](mailto:mayor@dafeng.gov.cn)、[站点地图](/sitemap.xml)、[样式](/theme/css/site.css)。
"""


def linked_portal(portal, body: str, extra: dict[str, str] | None = None) -> Path:
    """A consultation (a section with attachments) whose text is ``body``: the link of the
    tests below is on line 12."""
    return portal({
        "zh/consultations/links.md": (
            "---\ntitle: 链接征求意见\ndate: 2024-05-02\nopens: 2024-05-02\ncloses: 2024-05-20\n"
            f"attachments:\n  - {{file: plan.pdf, title: 计划}}\n---\n\n{body}"),
        "zh/consultations/plan.pdf": "%PDF-1.4 demo\n",
        "zh/news/other.md": article("另一条新闻", "2024-05-01"),
        "en/news/other.md": article("Other news", "2024-05-01"),
        **(extra or {}),
    })


def test_links_to_what_the_site_has_pass(portal, tmp_path: Path) -> None:
    project = linked_portal(portal, GOOD)
    build(project / "pelicanconf.py", tmp_path / "output")


@pytest.mark.parametrize(("href", "message"), [
    ("/news/otehr/", "the link '/news/otehr/' leads to no page of the portal"),
    ("/ja/news/other/", "the link '/ja/news/other/' leads to no page of the portal"),
    ("../otehr/", "the link '../otehr/' leads to no page of the portal"),
    ("/consultations/links/plan.doc",
     "the link '/consultations/links/plan.doc' leads to no page of the portal"),
    # beside the output folder there is a file of that name: the server would not serve it
    ("/../pelicanconf.py", "the link '/../pelicanconf.py' leads to no page of the portal"),
    ("/news/draft/", "the link '/news/draft/' leads to a draft"),
    ("/news/later/", "the link '/news/later/' leads to news/later.md, which is scheduled for "
                     "2024-07-01 00:00"),
])
def test_a_link_to_nothing_stops_the_build_with_its_line(portal, tmp_path: Path, href: str,
                                                         message: str) -> None:
    project = linked_portal(portal, f"第一段。\n\n详见[这里]({href})。\n", {
        "zh/news/draft.md": article("草稿", "2024-05-01", "status: draft\n"),
        "zh/news/later.md": article("定时", "2024-07-01"),
    })
    output = tmp_path / "output"
    with pytest.raises(ContentError) as caught:
        build(project / "pelicanconf.py", output, build_date=dt.date(2024, 6, 1))
    first = str(caught.value.problems[0])
    assert first.startswith(f"{project / 'content/zh/consultations/links.md'}:12: {message}"), first
    assert "link an address the site has" in first
    assert not output.exists()  # nothing half-written


def test_the_traditional_site_links_to_its_own_pages(portal, tmp_path: Path) -> None:
    project = linked_portal(portal, GOOD)
    output = tmp_path / "output"
    build(project / "pelicanconf.py", output)
    simplified = links((output / "consultations/links/index.html").read_text("utf-8"))
    traditional = links((output / "zh-hant/consultations/links/index.html").read_text("utf-8"))
    for moved in ("/news/other/", "/news/", "/search/?q=港口", "/", "/catalogue/"):
        assert moved in simplified and f"/zh-hant{moved}" in traditional, moved
    for kept in ("/en/news/other/", "/en/", "../../news/other/", "plan.pdf", "https://www.gov.cn/",
                 "/sitemap.xml", "/theme/css/site.css", "#top"):
        assert kept in traditional, kept


def test_targets_are_what_a_web_server_would_serve() -> None:
    page = "/en/news/port/"
    assert target(page, "../ferry/") == "/en/news/ferry/"
    assert target(page, "/news/a%20b/?q=1#x") == "/news/a b/"
    assert target(page, "/a/../../b") == "/b"
    assert target(page, "report.pdf") == "/en/news/port/report.pdf"
    assert target(page, "/search/?q=a&amp;b=c") == "/search/"
    for elsewhere in ("https://example.org/", "//cdn.example.org/x", "mailto:a@b.c", "tel:12345",
                      "#top"):
        assert target(page, elsewhere) is None


def test_a_link_without_words_stops_the_build(portal, tmp_path: Path) -> None:
    """A screen reader would read out its address: WCAG's link purpose."""
    project = linked_portal(portal, "第一段。\n\n详见[](/news/other/)。\n")
    with pytest.raises(ContentError) as caught:
        build(project / "pelicanconf.py", tmp_path / "output")
    assert [str(problem) for problem in caught.value.problems] == [
        f"{project / 'content/zh/consultations/links.md'}:12: the link to '/news/other/' has "
        "no words: a screen reader reads out its address — say where it leads between the "
        "brackets: [通知全文](/news/other/)"]
