"""The zh-Hant site generated from the Simplified content with OpenCC."""

from __future__ import annotations

import pytest

from conftest import ROOT, article
from portal_build import build
from portal_model import ContentError
from portal_opencc import Converter


def test_known_sample_converts_character_by_character_with_s2t() -> None:
    convert = Converter("s2t", []).text
    expected = "大豐區人民政府關於開展溼地保護工作的通知"
    assert convert("大丰区人民政府关于开展湿地保护工作的通知") == expected


def test_s2twp_converts_phrases_to_taiwan_usage() -> None:
    convert = Converter("s2twp", []).text
    assert convert("软件") == "軟體"
    assert convert("鼠标") == "滑鼠"
    assert convert("网络信息") == "網路資訊"


def test_document_numbers_exceptions_urls_and_code_are_kept() -> None:
    converter = Converter("s2t", ["我的大丰"])
    assert converter.text("按照丰政发〔2020〕12号执行") == "按照丰政发〔2020〕12号執行"
    assert converter.text("下载“我的大丰”App，办理业务") == "下載“我的大丰”App，辦理業務"
    html = converter.html('<p>见<a href="/news/丰收/" title="丰收">丰收</a><code>丰()</code></p>'
                          '<img alt="丰收的麦田" src="wheat.jpg"><code title="丰">丰</code>')
    # what readers see or hear is converted (text, a tooltip, an image's description);
    # addresses and code are not
    assert html == ('<p>見<a href="/news/丰收/" title="豐收">豐收</a><code>丰()</code></p>'
                    '<img alt="豐收的麥田" src="wheat.jpg"><code title="丰">丰</code>')


def test_demo_has_a_traditional_page_for_every_chinese_page(site) -> None:
    from portal_build import load_settings
    from portal_model import load_site

    model = load_site(load_settings(ROOT / "pelicanconf.py"))
    assert len(model.items["zh-hant"]) == len(model.items["zh"])
    for item in model.items["zh-hant"]:
        assert (site / item.url.lstrip("/") / "index.html").is_file()
    home = (site / "zh-hant" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hant">' in home
    assert "跳到主要內容" in home  # UI strings converted from the Chinese catalog
    assert "新聞動態" in home  # menu labels converted
    assert ">简</a>" in home and ">繁</a>" in home and ">EN</a>" in home
    page = (site / "zh-hant/news/smart-dafeng-app/index.html").read_text(encoding="utf-8")
    assert "我的大丰" in page and "我的大豐" not in page  # an editor's exception
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    url = "http://127.0.0.1:8000/zh-hant/news/smart-dafeng-app/"
    assert f'hreflang="zh-Hant" href="{url}"' in sitemap


def test_hand_written_traditional_file_wins(portal, monkeypatch) -> None:
    project = portal({"zh/news/port.md": article("港口新闻", body="简体原文。"),
                      "zh-hant/news/port.md": article("港口新聞（人工校訂）", body="人工繁體。")})
    monkeypatch.chdir(project)
    build(project / "pelicanconf.py", project / "output")
    page = (project / "output/zh-hant/news/port/index.html").read_text(encoding="utf-8")
    assert "港口新聞（人工校訂）" in page and "人工繁體。" in page
    assert "簡體原文" not in page


def test_hand_written_traditional_file_needs_a_source(portal, monkeypatch) -> None:
    project = portal({"zh/news/port.md": article(),
                      "zh-hant/news/orphan.md": article("孤兒")})
    monkeypatch.chdir(project)
    with pytest.raises(ContentError, match=r"content/zh-hant/news/orphan.md: .*no zh source"):
        build(project / "pelicanconf.py", project / "output")


def test_cross_references_on_the_traditional_site_stay_on_it(site) -> None:
    page = (site / "zh-hant/policies/rural-housing-subsidy-2020/index.html").read_text("utf-8")
    assert '<a href="/zh-hant/policies/rural-housing-safety-2024/">大豐區' in page
    assert 'href="/policies/rural-housing-safety-2024/"' not in page


def test_search_pages_name_every_section_in_their_language(site) -> None:
    import json
    import re

    for prefix, label in (("", "政策文件"), ("en/", "Policy documents"), ("zh-hant/", "政策文件")):
        html = (site / prefix / "search" / "index.html").read_text(encoding="utf-8")
        config = json.loads(re.search(r'<script type="application/json" id="search-config">'
                                      r"(.*?)</script>", html, re.S).group(1))
        assert config["sections"]["policies"] == label
        assert set(config["sections"]) == set(config["sectionOrder"])


def test_conversion_spread_over_cores_equals_one_by_one(tmp_path, monkeypatch) -> None:
    """A cold build converts many items in forked workers: the same items as one by one."""
    import portal_opencc
    from portal_build import load_settings
    from portal_model import load_site

    def converted(parallel: int) -> list[tuple[object, str, str]]:
        monkeypatch.setattr(portal_opencc, "PARALLEL", parallel)
        cache = str(tmp_path / str(parallel))
        settings = load_settings(ROOT / "pelicanconf.py", PORTAL_CACHE=cache)
        return [(item.meta, item.html, item.text) for item in load_site(settings).items["zh-hant"]]

    spread = converted(1)
    assert len(spread) > 20 and spread == converted(10**6)

    def nothing_left_to_convert(*_: object) -> None:
        raise AssertionError("converted again: the cache was not kept")

    # conversions made in the workers are kept in the cache, so the next build makes none
    monkeypatch.setattr(portal_opencc, "_converted", nothing_left_to_convert)
    assert converted(1) == spread
