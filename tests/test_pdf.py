"""PDF documents: text, fonts, tags and metadata read back with poppler and pikepdf; the link
on the page; the cache; and the errors for missing fonts and missing glyphs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

import portal_pdf
from conftest import BUILD_DATE, LANGS, PREFIX, ROOT, article
from portal_build import BuildError, build
from portal_model import ContentError

TAGS = {"zh": "zh-Hans", "en": "en", "ja": "ja", "ko": "ko"}
REGION = {"zh": "SC", "en": "SC", "ja": "JP", "ko": "KR"}
FIRST_PAGE = {"zh": "第 1 页 共 {n} 页", "en": "Page 1 of {n}", "ja": "1 / {n} ページ",
              "ko": "1 / {n} 쪽"}
SIZE_TEXT = {"zh": "PDF，{kb} KB", "en": "PDF, {kb} KB", "ja": "PDF、{kb} KB", "ko": "PDF, {kb} KB"}
DEMO = ("notices/water-price-public-hearing", "pages/about")


def run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True,
                          text=True).stdout


def squeeze(text: str) -> str:
    """Text without whitespace: pdftotext's spacing between CJK characters varies."""
    return re.sub(r"\s+", "", text)


def info(pdf: Path) -> dict[str, str]:
    lines = (line.split(":", 1) for line in run("pdfinfo", pdf).splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in lines}


def title_of(lang: str, path: str) -> str:
    text = (ROOT / "content" / lang / f"{path}.md").read_text(encoding="utf-8")
    return re.search(r'^title: "?(.+?)"?$', text, re.MULTILINE).group(1)


def pdf_path(site: Path, lang: str, path: str) -> Path:
    return site / PREFIX[lang] / path / f"{path.split('/')[-1]}.pdf"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", DEMO)
def test_demo_pdf_has_real_text_right_fonts_tags_and_metadata(site, lang, path) -> None:
    pdf = pdf_path(site, lang, path)
    title = title_of(lang, path)
    meta = info(pdf)
    assert meta["Tagged"] == "yes"
    assert meta["Page size"].endswith("(A4)")
    pages = int(meta["Pages"])
    text = squeeze(run("pdftotext", pdf, "-"))
    assert squeeze(title) in text
    assert squeeze(FIRST_PAGE[lang].format(n=pages)) in text  # the footer

    fonts = run("pdffonts", pdf).splitlines()[2:]
    assert fonts, "the PDF embeds its fonts"
    for line in fonts:
        assert f"Noto-Serif-CJK-{REGION[lang]}" in line, line
        assert "Type 3" not in line
        emb, sub = line.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), line  # embedded and subset

    with pikepdf.open(pdf) as doc:
        assert str(doc.Root.Lang) == TAGS[lang]
        assert str(doc.docinfo["/Title"]) == title
        assert str(doc.docinfo["/Author"])  # the city's sponsor when no issuing body is given
        assert "/StructTreeRoot" in doc.Root and "/Outlines" in doc.Root  # tags, bookmarks
        assert str(doc.docinfo["/CreationDate"]).startswith("D:20")
        with doc.open_metadata() as xmp:
            assert xmp.get("dc:title") == title


@pytest.mark.parametrize("lang", LANGS)
def test_page_links_its_pdf_with_the_localized_size(site, lang) -> None:
    for path in DEMO:
        pdf = pdf_path(site, lang, path)
        html = (site / PREFIX[lang] / path / "index.html").read_text(encoding="utf-8")
        url = "/" + pdf.relative_to(site).as_posix()
        link = re.search(r'<a class="download__link" href="([^"]+)" type="application/pdf">'
                         r'.*?<span class="download__meta">([^<]+)</span></a>', html)
        assert link is not None, path
        assert link.group(1) == url
        kb = f"{round(pdf.stat().st_size / 1024):,}"
        assert link.group(2) == SIZE_TEXT[lang].format(kb=kb)


def test_items_without_pdf_get_neither_file_nor_link(site) -> None:
    page = site / "news" / "deer-population-census-2023"
    assert not list(page.glob("*.pdf"))
    assert "download__link" not in (page / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("slug", "number", "banner"), [
    ("rural-housing-safety-2024", "丰政发〔2024〕8号", False),
    ("rural-housing-subsidy-2020", "丰政发〔2020〕12号", True),
])
def test_policies_get_pdfs_with_number_issuer_and_validity_banner(site, slug, number, banner):
    pdf = site / "policies" / slug / f"{slug}.pdf"
    meta = info(pdf)
    assert meta["Subject"] == number
    assert meta["Author"] == "大丰区人民政府"  # the issuing body's label, not its key
    first = run("pdftotext", "-layout", "-l", "1", pdf, "-")
    assert number in first and "大丰区人民政府" in first
    assert "成文日期" in first
    assert ("已废止" in first) is banner
    assert ("本文件已不再按原文有效" in first) is banner
    assert "现行有效" in first or banner


def test_second_build_renders_nothing_and_a_change_renders_only_that_one(portal, tmp_path):
    files = {f"zh/news/doc-{n}.md": article(title=f"文件{n}", extra="pdf: true\n")
             for n in range(3)}
    project = portal(files)
    conf, output = project / "pelicanconf.py", tmp_path / "out"
    build(conf, output, build_date=BUILD_DATE)
    # Each Chinese document also has its generated Traditional-Chinese version.
    assert (portal_pdf.last_run.documents, portal_pdf.last_run.rendered) == (6, 6)
    first = (output / "news" / "doc-1" / "doc-1.pdf").read_bytes()

    build(conf, output, build_date=BUILD_DATE)
    assert (portal_pdf.last_run.rendered, portal_pdf.last_run.cached) == (0, 6)
    assert (output / "news" / "doc-1" / "doc-1.pdf").read_bytes() == first

    portal({"zh/news/doc-1.md": article(title="文件1（修订）", extra="pdf: true\n")})
    build(conf, output, build_date=BUILD_DATE)
    assert (portal_pdf.last_run.rendered, portal_pdf.last_run.cached) == (2, 4)  # zh + zh-Hant
    assert "文件1（修订）" in run("pdftotext", output / "news" / "doc-1" / "doc-1.pdf", "-")


def test_a_character_no_font_has_stops_the_build_and_writes_no_pdf(portal, tmp_path) -> None:
    project = portal({"zh/news/glyph.md": article(extra="pdf: true\n", body="象形文字 𓀀。")})
    with pytest.raises(ContentError) as caught:
        build(project / "pelicanconf.py", tmp_path / "out", build_date=BUILD_DATE)
    message = str(caught.value)
    assert "glyph.md" in message and "U+13000" in message
    assert not (tmp_path / "out").exists()
    assert not list((project / ".cache" / "pdf").glob("*.pdf"))


def test_pdf_must_be_true_or_false(portal, tmp_path) -> None:
    project = portal({"zh/news/x.md": article(extra='pdf: "yes"\n')})
    with pytest.raises(ContentError, match=r"x\.md:5: 'pdf': expected true or false"):
        build(project / "pelicanconf.py", tmp_path / "out", build_date=BUILD_DATE)


def test_missing_fonts_fail_with_the_package_to_install(portal, tmp_path) -> None:
    project = portal({"zh/news/x.md": article(extra="pdf: true\n")})
    empty = tmp_path / "no-fonts"
    (empty / "fonts").mkdir(parents=True)
    config = empty / "fonts.conf"
    config.write_text('<?xml version="1.0"?>\n'
                      '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                      f"<fontconfig><dir>{empty / 'fonts'}</dir>"
                      f"<cachedir>{empty / 'cache'}</cachedir></fontconfig>\n", encoding="utf-8")
    output = tmp_path / "out"
    done = subprocess.run(
        [Path(sys.executable).parent / "invoke", "-r", ROOT, "build", "--config",
         project / "pelicanconf.py", "--output", output, "--build-date", BUILD_DATE.isoformat()],
        capture_output=True, text=True, env={**os.environ, "FONTCONFIG_FILE": str(config)})
    assert done.returncode != 0
    assert "Noto Serif CJK SC" in done.stderr and "fonts-noto-cjk" in done.stderr, done.stderr
    assert not output.exists()


def test_without_policies_or_pdf_items_nothing_is_rendered(portal, tmp_path) -> None:
    project = portal({"zh/news/x.md": article()})
    build(project / "pelicanconf.py", tmp_path / "out", build_date=BUILD_DATE)
    assert portal_pdf.last_run.documents == 0
    assert not list((tmp_path / "out").rglob("*.pdf"))


def test_build_error_names_an_unconfigured_language(portal, tmp_path) -> None:
    project = portal({"zh/news/x.md": article(extra="pdf: true\n")})
    conf = project / "pelicanconf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + '\ndel PORTAL_PDF_FONTS["zh"]\n',
                    encoding="utf-8")
    with pytest.raises(BuildError, match="PORTAL_PDF_FONTS has no font for 'zh'"):
        build(conf, tmp_path / "out", build_date=BUILD_DATE)
