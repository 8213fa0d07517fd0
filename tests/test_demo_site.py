"""The demo portal, built once: pages, languages, links, sitemap and catalogs."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from checkers import SITEMAP_NS, broken_links, validate_sitemap, validate_sitemap_index
from conftest import BUILD_DATE, LANGS, PREFIX, ROOT, SITE_URL
from portal_build import build, load_settings
from portal_i18n.check import untranslated
from portal_model import load_site
from portal_model.render import summarize
from portal_model.status import missing, report


class Head(HTMLParser):
    """What a test needs from a page: lang, alternates, switcher links, ids."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.alternates: dict[str, str] = {}
        self.switcher: dict[str, str] = {}
        self.ids: set[str] = set()
        self.links: list[str] = []
        self._in_switcher = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "link" and a.get("rel") == "alternate" and "hreflang" in a:
            self.alternates[a["hreflang"]] = a["href"]
        if tag == "nav" and "language-switcher" in a.get("class", ""):
            self._in_switcher = True
        if tag == "a" and self._in_switcher:
            self.switcher[a["hreflang"]] = a["href"]
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if "id" in a:
            self.ids.add(a["id"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_switcher = False


def parse(path: Path) -> Head:
    head = Head()
    head.feed(path.read_text(encoding="utf-8"))
    return head


def page_file(site: Path, url: str) -> Path:
    path = url.removeprefix(SITE_URL).split("#")[0].lstrip("/")
    return site / path / "index.html" if path == "" or path.endswith("/") else site / path


@pytest.fixture(scope="session")
def model():
    return load_site(load_settings(ROOT / "pelicanconf.py"), build_date=BUILD_DATE)


TAGS = {"zh": "zh-Hans", "en": "en", "ja": "ja", "ko": "ko"}


@pytest.mark.parametrize("lang", LANGS)
def test_every_language_has_home_404_and_all_its_pages(site, model, lang) -> None:
    home = parse(site / PREFIX[lang] / "index.html")
    assert home.lang == TAGS[lang]
    assert parse(site / PREFIX[lang] / "404.html").lang == TAGS[lang]
    items = model.items[lang]
    assert items, f"the demo has content in {lang}"
    for item in items:
        page = page_file(site, item.url)
        assert page.is_file(), item.url
        assert parse(page).lang == TAGS[lang]


def test_demo_content_is_large_enough() -> None:
    zh = ROOT / "content" / "zh"
    assert len(list((zh / "news").glob("*.md"))) >= 15
    assert len(list((zh / "notices").glob("*.md"))) >= 6
    for name in ("about", "tourism", "investment"):
        for lang in LANGS:
            assert (ROOT / "content" / lang / "pages" / f"{name}.md").is_file()


def all_pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if p.name != "404.html"]


def test_hreflang_links_are_reciprocal_and_resolve(site) -> None:
    checked = 0
    for path in all_pages(site):
        alternates = parse(path).alternates
        if not alternates:
            continue
        assert "x-default" in alternates, path
        own = f"{SITE_URL}/{path.relative_to(site).as_posix()}".removesuffix("index.html")
        assert own in alternates.values(), f"{path} does not list itself"
        for hreflang, url in alternates.items():
            target = page_file(site, url)
            assert target.is_file(), f"{path}: {hreflang} → {url}"
            back = parse(target).alternates
            assert own in back.values(), f"{url} does not link back to {own}"
            checked += 1
    assert checked > 100


def test_switcher_targets_exist_and_missing_translations_land_on_the_note(site, model) -> None:
    untranslated_zh = [i for i in model.items["zh"] if "ko" not in i.translations]
    assert untranslated_zh, "the demo keeps some items untranslated"
    for path in all_pages(site):
        for url in parse(path).switcher.values():
            target = page_file(site, url)
            assert target.is_file(), f"{path}: switcher → {url}"
            if "#" in url:
                assert url.split("#")[1] in parse(target).ids
    page = page_file(site, untranslated_zh[0].url)
    assert parse(page).switcher["ko"] == "/ko/#not-translated"


def test_untranslated_items_stay_out_of_other_languages_lists(site, model) -> None:
    zh_only = [i for i in model.items["zh"] if set(i.translations) <= {"zh", "zh-hant"}]
    assert zh_only
    for lang in ("en", "ja", "ko"):
        listing = (site / PREFIX[lang] / "news" / "index.html").read_text(encoding="utf-8")
        home = (site / PREFIX[lang] / "index.html").read_text(encoding="utf-8")
        for item in zh_only:
            assert item.path not in listing and item.path not in home


def test_dates_are_localized_by_babel(site, model) -> None:
    item = next(i for i in model.items["zh"] if len(i.translations) == 5 and i.date.day > 12)
    d = item.date
    expected = {
        "zh": f"{d.year}年{d.month}月{d.day}日",
        "zh-hant": f"{d.year}年{d.month}月{d.day}日",
        "en": f"{d.strftime('%B')} {d.day}, {d.year}",
        "ja": f"{d.year}年{d.month}月{d.day}日",
        "ko": f"{d.year}년 {d.month}월 {d.day}일",
    }
    for lang, text in expected.items():
        html = page_file(site, item.translations[lang].url).read_text(encoding="utf-8")
        assert f'<time datetime="{d.date().isoformat()}">{text}</time>' in html, lang


def test_pagination_shows_the_ends_and_the_neighbours_and_fills_a_gap_of_one() -> None:
    from portal_model.pages import ListPage

    def numbers(number: int, count: int) -> list[int | None]:
        return ListPage("section", "news", "", number=number, count=count, base="news/").numbers

    assert numbers(1, 1) == [1]
    assert numbers(1, 5) == [1, 2, None, 5]
    assert numbers(3, 5) == [1, 2, 3, 4, 5]
    assert numbers(7, 500) == [1, None, 6, 7, 8, None, 500]
    assert numbers(500, 500) == [1, None, 499, 500]


def test_summaries_cut_by_characters_in_cjk_and_by_words_in_english() -> None:
    chinese = "大丰" * 200
    assert summarize(chinese, cjk=True) == chinese[:110] + "…"
    english = " ".join(["word"] * 100)
    assert summarize(english, cjk=False) == " ".join(["word"] * 40) + " …"
    assert summarize("短文。", cjk=True) == "短文。"


def test_the_demo_draft_and_scheduled_notice_are_published_nowhere(site, model) -> None:
    drafts = model.drafts["zh"]
    assert any(d.is_draft for d in drafts), "the demo keeps one draft"
    assert any(d.scheduled and d.section.name == "notices" for d in drafts), \
        "and one notice scheduled for later"
    for draft in drafts:
        for path in site.rglob("*"):
            if path.is_file() and path.suffix in {".html", ".xml", ".txt", ".json"}:
                text = path.read_text(encoding="utf-8")
                assert draft.title not in text and draft.path not in text, path


def test_sitemap_validates_and_lists_every_page_with_alternates(site, model) -> None:
    validate_sitemap(site / "sitemap.xml")
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    for lang in LANGS:
        for item in model.items[lang]:
            assert f"<loc>{SITE_URL}{item.url}</loc>" in sitemap
    assert 'hreflang="x-default"' in sitemap
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {SITE_URL}/sitemap.xml" in robots


def test_a_sitemap_over_the_limit_becomes_an_index_of_sitemaps(site, tmp_path) -> None:
    """sitemaps.org allows 50,000 URLs a file; here a limit of 100 stands for it."""
    output = tmp_path / "output"
    build(ROOT / "pelicanconf.py", output, build_date=BUILD_DATE, strict=True,
          PORTAL_SITEMAP_MAX_URLS=100)
    locs = validate_sitemap_index(output / "sitemap.xml")
    whole = ET.parse(site / "sitemap.xml").getroot()
    expected = [url.findtext(f"{{{SITEMAP_NS}}}loc") for url in whole]
    assert len(locs) == -(-len(expected) // 100) > 1
    found = []
    for loc in locs:
        part = output / loc.removeprefix(f"{SITE_URL}/")
        validate_sitemap(part)
        urls = [url.findtext(f"{{{SITEMAP_NS}}}loc") for url in ET.parse(part).getroot()]
        assert 0 < len(urls) <= 100
        found += urls
    assert found == expected
    robots = (output / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {SITE_URL}/sitemap.xml" in robots


def test_the_sitemap_escapes_a_site_url_that_needs_it(model, tmp_path) -> None:
    """Addresses are written as they are only when XML needs no escape for them."""
    import portal_sitemap

    settings = load_settings(ROOT / "pelicanconf.py")
    for base in ("https://example.org/a&b'c\"d", SITE_URL):
        output = tmp_path / str(len(base))
        output.mkdir()
        portal_sitemap.write(model, output, {**settings, "PORTAL_SITE_URL": base})
        validate_sitemap(output / "sitemap.xml")
        urls = list(ET.parse(output / "sitemap.xml").getroot())
        assert len(urls) > 100
        for url in urls:
            assert url.findtext(f"{{{SITEMAP_NS}}}loc").startswith(base + "/")
            for link in url.iter("{http://www.w3.org/1999/xhtml}link"):
                assert link.get("href").startswith(base + "/")


def test_every_internal_link_and_asset_resolves(site) -> None:
    assert broken_links(site, site_url=SITE_URL) == []


def test_static_assets_are_written_once(site) -> None:
    assert (site / "theme" / "css" / "site.css").is_file()
    for lang in ("en", "ja", "ko"):
        assert not (site / lang / "theme").exists()


def test_footer_shows_identifiers_only_when_set(site) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "网站标识码" in home and "苏ICP备05002345号" in home
    assert "公网安备" not in home  # PSB_RECORD is empty in the demo settings


def test_every_ui_string_is_translated_in_every_language(tmp_path) -> None:
    translations = ROOT / "theme" / "translations"
    assert untranslated(translations, LANGS) == []
    fresh = tmp_path / "messages.pot"
    subprocess.run([Path(sys.executable).parent / "pybabel", "--quiet", "extract", "--no-location",
                    "-F", ROOT / "babel.cfg", "-o", fresh, ROOT / "theme" / "templates",
                    ROOT / "plugins"], check=True)
    ids = re.compile(r'^msgid "(.+)"$', re.MULTILINE)
    committed = set(ids.findall((translations / "messages.pot").read_text(encoding="utf-8")))
    assert set(ids.findall(fresh.read_text(encoding="utf-8"))) <= committed, (
        "run `invoke i18n-update` and translate the new strings")


def test_translation_report_lists_missing_items(model) -> None:
    text = report(model)
    for lang in ("en", "ja", "ko"):
        gaps = missing(model, lang)
        assert f"{lang} (" in text
        for item in gaps:
            assert f"missing   {item.relpath}" in text
    assert missing(model, "ko"), "the demo leaves some items untranslated in Korean"


@pytest.mark.parametrize("lang", [*LANGS, "zh-hant"])
def test_templates_translate_as_jinjas_own_gettext_does(model, lang) -> None:
    """The portal's quicker ``_()`` gives what Jinja's newstyle gettext gives: the language's
    translation, variables escaped, "%%" formatted, plain text where autoescape is off."""
    from jinja2 import Environment

    from portal_i18n import install, translations_for

    settings = load_settings(ROOT / "pelicanconf.py")
    language = model.language(lang)
    quick = Environment(autoescape=True)
    install(quick, model, language, settings)
    jinja = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    jinja.install_gettext_translations(translations_for(settings, language, model), newstyle=True)
    source = ('{{ _("Search this site") }}|{{ gettext("Search this site") }}|'
              '{{ _("Page %(page)s of %(pages)s", page="<b>&", pages=2) }}|{{ _("100%% sure") }}|'
              '{% autoescape false %}{{ _("Page %(page)s of %(pages)s", page="<b>", pages=1) }}'
              '{% endautoescape %}')
    ours, theirs = (env.from_string(source).render() for env in (quick, jinja))
    assert ours == theirs
    assert "&lt;b&gt;&amp;" in ours and "100% sure" in ours and "<b>" in ours
    assert ("Search this site" in ours) == (lang == "en")


@pytest.mark.parametrize("lang", LANGS)
def test_pages_name_their_address_and_what_a_shared_link_shows(site, lang) -> None:
    def head(path: str) -> str:
        return (site / PREFIX[lang] / path / "index.html").read_text(encoding="utf-8").split(
            "</head>")[0]

    locale = {"zh": "zh_CN", "en": "en_US", "ja": "ja_JP", "ko": "ko_KR"}[lang]
    item = f"{SITE_URL}/{PREFIX[lang]}news/port-throughput-2025/"
    folder = site / PREFIX[lang] / "news" / "port-throughput-2025"
    page = head("news/port-throughput-2025")
    title = re.search(r"<h1[^>]*>([^<]*)</h1>", (folder / "index.html").read_text(
        encoding="utf-8")).group(1)
    for tag in (f'<link rel="canonical" href="{item}">',
                f'<meta property="og:url" content="{item}">',
                '<meta property="og:type" content="article">',
                f'<meta property="og:title" content="{title}">',
                f'<meta property="og:locale" content="{locale}">',
                f'<meta property="og:image" content="{item}port-cargo-2025.png">',
                '<meta property="article:published_time" content="2026-01-16">'):
        assert tag in page, tag
    assert (folder / "port-cargo-2025.png").is_file()
    listing = head("news")
    assert f'<link rel="canonical" href="{SITE_URL}/{PREFIX[lang]}news/">' in listing
    assert '<meta property="og:type" content="website">' in listing
    assert "og:image" not in listing
    not_found = (site / PREFIX[lang] / "404.html").read_text(encoding="utf-8")
    assert "canonical" not in not_found and "og:url" not in not_found
