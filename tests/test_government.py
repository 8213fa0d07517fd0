"""Government page metadata, footer badges and the mailbox form, in every language."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import LANGS, PREFIX, ROOT, SITES
from portal_build import build, load_settings
from portal_model.frontmatter import split

SETTINGS = load_settings(ROOT / "pelicanconf.py")
ARTICLE = "news/hotline-12345-annual-report-2020/"
NEWS = {"zh": "新闻动态", "en": "News", "ja": "ニュース", "ko": "뉴스"}


class Page(HTMLParser):
    """Meta tags, form controls, labels and images of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.forms: list[dict[str, str]] = []
        self.controls: list[dict[str, str]] = []
        self.labels: set[str] = set()
        self.ids: set[str] = set()
        self.images: list[dict[str, str]] = []
        self.scripts = 0  # scripts other than the theme's own files and JSON data blocks
        self.legends = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v if v is not None else "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "meta" and "name" in a:
            self.meta[a["name"]] = a["content"]
        elif tag == "form":
            self.forms.append(a)
        elif tag in ("input", "textarea", "select") and a.get("type") != "hidden":
            self.controls.append(a)
        elif tag == "label":
            self.labels.add(a.get("for", ""))
        elif tag == "img":
            self.images.append(a)
        elif tag == "script" and not (a.get("src", "").startswith("/theme/")
                                      or a.get("type") == "application/json"):
            self.scripts += 1
        elif tag == "legend":
            self.legends += 1


def parse(path: Path, main_only: bool = False) -> Page:
    """A page's parts; ``main_only`` leaves out the header (its search form is on every page)."""
    html = path.read_text(encoding="utf-8")
    page = Page()
    page.feed("<main" + html.split("<main", 1)[1] if main_only else html)
    return page


def setting(name: str, lang: str) -> str:
    value = SETTINGS[name]
    return value[lang] if isinstance(value, dict) else value


@pytest.mark.parametrize("lang", LANGS)
def test_article_pages_carry_the_national_specification_meta_tags(site, lang) -> None:
    meta = parse(site / PREFIX[lang] / ARTICLE / "index.html").meta
    assert meta["SiteName"] == setting("CITY_NAME", lang)
    assert meta["SiteDomain"] == "www.dafeng.gov.cn"
    assert meta["SiteIDCode"] == "3209820001"
    assert meta["ColumnName"] == NEWS[lang]
    assert meta["ColumnType"] == "政务动态"
    assert meta["PubDate"] == "2021-01-20 00:00"
    assert meta["ContentSource"] == setting("SPONSOR", lang)
    source = ROOT / "content" / lang / (ARTICLE.rstrip("/") + ".md")
    assert meta["ArticleTitle"] == split(source.read_text(encoding="utf-8"), source).data["title"]


@pytest.mark.parametrize("lang", LANGS)
def test_article_level_tags_only_on_article_pages(site, lang) -> None:
    home = parse(site / PREFIX[lang] / "index.html").meta
    assert home["SiteIDCode"] == "3209820001"
    assert "ColumnName" not in home and "ArticleTitle" not in home
    listing = parse(site / PREFIX[lang] / "news" / "index.html").meta
    assert listing["ColumnName"] == NEWS[lang] and "PubDate" not in listing


def test_a_declared_source_is_the_content_source(portal, tmp_path) -> None:
    from conftest import article

    project = portal({"zh/news/a.md": article(extra="source: 区发展改革委\n")})
    build(project / "pelicanconf.py", tmp_path / "output")
    meta = parse(tmp_path / "output" / "news" / "a" / "index.html").meta
    assert meta["ContentSource"] == "区发展改革委"


@pytest.mark.parametrize("lang", LANGS)
def test_footer_badges_are_plain_links_with_local_images(site, lang) -> None:
    page = parse(site / PREFIX[lang] / "index.html")
    badges = [img for img in page.images if img["src"].startswith("/theme/img/")]
    assert [b["alt"] for b in badges] == [b["alt"][lang] for b in SETTINGS["GOV_BADGES"]]
    for badge in badges:
        assert (site / badge["src"].lstrip("/")).is_file()
    assert page.scripts == 0


@pytest.mark.parametrize("lang", LANGS)
def test_the_mailbox_form_posts_to_the_configured_endpoint(site, lang) -> None:
    path = site / PREFIX[lang] / "mailbox" / "write" / "index.html"
    page = parse(path, main_only=True)
    assert page.forms == [{"class": "form", "action": SETTINGS["PORTAL_FORM_ENDPOINT"],
                           "method": "post", "accept-charset": "utf-8"}]
    assert page.legends == 2
    names = {c["name"] for c in page.controls}
    assert {"category", "subject", "message", "name", "phone", "email", "publish"} == names
    for control in page.controls:
        assert control["id"] in page.labels, control
        for hint in control.get("aria-describedby", "").split():
            assert hint in page.ids
    required = {c["name"] for c in page.controls if "required" in c}
    assert required == {"category", "subject", "message", "name", "phone"}
    autocomplete = {c["name"]: c.get("autocomplete") for c in page.controls}
    assert autocomplete["name"] == "name" and autocomplete["email"] == "email"
    assert autocomplete["phone"] == "tel"
    assert page.scripts == 0
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"/{PREFIX[lang]}mailbox/write/</loc>" in sitemap


def test_without_an_endpoint_the_mailbox_page_gives_other_ways(portal, tmp_path) -> None:
    from conftest import article

    files = {f"{lang}/news/a.md": article() for lang in LANGS}
    project = portal(files)
    output = tmp_path / "output"
    build(project / "pelicanconf.py", output, PORTAL_FORM_ENDPOINT="")
    for lang in LANGS:
        html = (output / PREFIX[lang] / "mailbox" / "write" / "index.html").read_text(
            encoding="utf-8")
        main = html.split('<main', 1)[1]  # the header's search form is on every page
        assert "<form" not in main
        assert f'href="mailto:{SETTINGS["CONTACT_EMAIL"]}"' in html
        assert 'href="tel:12345"' in html
        assert setting("CONTACT_ADDRESS", lang) in html


@pytest.mark.parametrize("kind", ["item-list", "catalogue"])
def test_an_items_list_entry_names_that_item_and_is_the_same_on_every_list(site, kind) -> None:
    """A list entry (a catalogue row) is rendered once per item and reused on each list
    showing the item (its section's, categories' and tags' pages; the catalogue's
    dimensions): each names its own item, in each language."""
    entry = re.compile(r'<li class="item-list__item">\s*<h2.*?</li>' if kind == "item-list"
                       else r"<tr>\s*<td><a href=.*?</tr>", re.S)  # the home page's are h3s
    for lang in LANGS:
        seen: dict[str, str] = {}
        for page in pages(site, lang):
            links = []
            for found in entry.findall(page.read_text(encoding="utf-8")):
                href = re.search(r'href="([^"]+)"', found).group(1)
                links.append(href)
                assert seen.setdefault(href, found) == found, (page, href)
            assert len(links) == len(set(links)), page
        assert len(seen) > 5, lang
        for href, found in seen.items():
            target = (site / href.lstrip("/") / "index.html").read_text(encoding="utf-8")
            title = re.search(r"<h1[^>]*>(.*?)</h1>", target, re.S).group(1).strip()
            assert f">{title}</a>" in found, href


@pytest.mark.parametrize("lang", SITES)
def test_the_main_menu_marks_the_part_of_the_site_each_page_is_in(site, lang) -> None:
    """The main menu is rendered once per marked link and reused: each page's marks its own
    part of the site (or none)."""
    def marked(path: str) -> list[str]:
        html = (site / PREFIX[lang] / path / "index.html").read_text(encoding="utf-8")
        nav = html.split('<nav class="main-nav"', 1)[1].split("</nav>", 1)[0]
        return re.findall(f'<a href="/{PREFIX[lang]}([^"]*)" aria-current="page">', nav)

    def first(folder: str) -> str:
        return min(p.name for p in (site / PREFIX[lang] / folder).iterdir() if p.is_dir())

    assert marked("") == [""]
    assert marked("news/") == marked(f"news/{first('news')}/") == ["news/"]
    topic = f"catalogue/topics/{first('catalogue/topics')}/"
    assert marked("catalogue/") == marked(topic) == ["catalogue/"]
    assert marked("pages/about/") == ["pages/about/"]
    assert marked("search/") == marked("letters/") == []


def pages(site: Path, lang: str) -> list[Path]:
    """The pages of a language (not those of the languages in folders of its folder)."""
    folder = site / PREFIX[lang]
    others = set(PREFIX.values()) - {PREFIX[lang], ""}
    return [page for page in folder.rglob("index.html")
            if f"{page.relative_to(folder).parts[0]}/" not in others]


def footers(site: Path, lang: str) -> set[str]:
    """The footers of a language's pages (redirect stubs have none)."""
    found = set()
    for page in pages(site, lang):
        parts = page.read_text(encoding="utf-8").split('<footer class="site-footer">')
        if len(parts) == 2:
            found.add(parts[1].split("</footer>")[0])
    return found


def test_every_page_of_a_language_has_its_languages_footer(site) -> None:
    """The footer is rendered once per language and reused: each language's own, on all of
    its pages whatever their template."""
    telephone = {"zh": "联系电话", "zh-hant": "電話", "en": "Telephone", "ja": "電話", "ko": "전화"}
    seen = []
    for lang, word in telephone.items():
        found = footers(site, lang)
        assert len(found) == 1, lang
        footer = found.pop()
        assert word in footer and footer not in seen, lang
        seen.append(footer)
