"""Images in the text: files beside the Markdown, shown by name, published beside the page in
every language (a translation may show its original's), in feeds with absolute addresses, in
PDFs; and a clear error for each way an image could not be shown."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest
from PIL import Image

import portal_pdf
from conftest import BUILD_DATE, LANGS, PREFIX, article
from portal_build import build
from portal_model import ContentError

ALT = {"zh": "滩涂上的丹顶鹤", "en": "Red-crowned cranes on the mudflat",
       "ja": "干潟のタンチョウ", "ko": "갯벌의 두루미"}


def jpeg(color: str, size: tuple[int, int] = (40, 30)) -> bytes:
    found = io.BytesIO()
    Image.new("RGB", size, color).save(found, "JPEG")
    return found.getvalue()


def with_image(lang: str, name: str = "cranes.jpg", extra: str = "") -> str:
    return article(title=f"湿地 {lang}", extra=extra,
                   body=f"第一段。\n\n![{ALT[lang]}]({name})\n\n第二段。")


def test_an_image_is_published_beside_its_page_in_every_language(portal, tmp_path) -> None:
    project = portal({f"{lang}/news/cranes.md": with_image(lang) for lang in LANGS})
    news = project / "content"
    (news / "zh" / "news" / "cranes.jpg").write_bytes(jpeg("red"))
    (news / "ja" / "news" / "cranes.jpg").write_bytes(jpeg("blue"))  # its own; en, ko: zh's
    output = tmp_path / "output"
    build(project / "pelicanconf.py", output, build_date=BUILD_DATE, strict=True)

    for lang in (*LANGS, "zh-hant"):
        folder = output / PREFIX[lang] / "news" / "cranes"
        own = "ja" if lang == "ja" else "zh"
        assert (folder / "cranes.jpg").read_bytes() == (news / own / "news" / "cranes.jpg"
                                                        ).read_bytes(), lang
        page = (folder / "index.html").read_text(encoding="utf-8")
        tags = re.findall(r"<img [^>]*>", page.split("<main", 1)[1].split("</main>")[0])
        assert len(tags) == 1 and 'src="cranes.jpg"' in tags[0], lang
        # its place kept while it loads, loaded when the reader comes near
        assert 'width="40" height="30" loading="lazy"' in tags[0], lang
        described = ALT.get(lang, "灘塗上的丹頂鶴")  # zh-Hant: the description converted too
        assert f'alt="{described}"' in tags[0], lang
    for lang in LANGS:  # partners get the image's address on the portal
        feed = (output / PREFIX[lang] / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
        assert f'src="http://127.0.0.1:8000/{PREFIX[lang]}news/cranes/cranes.jpg"' in feed


def test_the_browser_shows_the_image(portal, tmp_path, browser) -> None:
    from checkers import serve_directory

    project = portal({"zh/news/cranes.md": with_image("zh")})
    (project / "content" / "zh" / "news" / "cranes.jpg").write_bytes(jpeg("red", (64, 48)))
    output = tmp_path / "output"
    build(project / "pelicanconf.py", output, build_date=BUILD_DATE, strict=True)
    with serve_directory(output) as base:
        page = browser.new_page()
        page.goto(base + "news/cranes/")
        image = page.locator("main img")
        image.scroll_into_view_if_needed()  # it loads lazily: when the reader comes near
        page.wait_for_function("document.querySelector('main img').naturalWidth > 0")
        size = image.evaluate("i => [i.complete, i.naturalWidth, i.naturalHeight]")
        page.close()
    assert size == [True, 64, 48]


def test_a_pdf_carries_the_image_and_follows_its_changes(portal, tmp_path) -> None:
    project = portal({"zh/news/cranes.md": with_image("zh", extra="pdf: true\n")})
    image = project / "content" / "zh" / "news" / "cranes.jpg"
    image.write_bytes(jpeg("red"))
    conf, output = project / "pelicanconf.py", tmp_path / "output"
    build(conf, output, build_date=BUILD_DATE, strict=True)  # strict: no warning either
    pdf = output / "news" / "cranes" / "cranes.pdf"
    with pikepdf.open(pdf) as document:
        assert sum(len(page.get_images()) for page in document.pages) == 1
    first = pdf.read_bytes()

    image.write_bytes(jpeg("green"))  # the same name, another picture
    build(conf, output, build_date=BUILD_DATE, strict=True)
    assert portal_pdf.last_run.rendered == 2  # zh and zh-Hant: their PDFs show it
    assert pdf.read_bytes() != first


@pytest.mark.parametrize(("markdown", "message", "fix"), [
    ("![鹤](https://example.org/cranes.jpg)", "is on another website",
     "save the image beside the Markdown file"),
    ("![鹤](missing.jpg)", "the image 'missing.jpg' is missing", "put the file at"),
    ("![](cranes.jpg)", "the image 'cranes.jpg' has no description", "write what it shows"),
    ("![鹤](Cranes Photo.JPG)", "is not a file name the portal can publish",
     "lowercase letters, digits and hyphens"),
    ("![鹤](../cranes.jpg)", "is not a file name the portal can publish",
     "show it by that name"),
])
def test_an_image_that_cannot_be_shown_stops_the_build_with_its_line(
        portal, tmp_path, markdown: str, message: str, fix: str) -> None:
    project = portal({"zh/news/cranes.md": article(body=f"第一段。\n\n{markdown}\n")})
    (project / "content" / "zh" / "news" / "cranes.jpg").write_bytes(jpeg("red"))
    with pytest.raises(ContentError) as error:
        build(project / "pelicanconf.py", tmp_path / "output", build_date=BUILD_DATE)
    text = str(error.value)
    source = project / "content" / "zh" / "news" / "cranes.md"
    line = source.read_text(encoding="utf-8").splitlines().index(markdown) + 1
    assert f"{source}:{line}:" in text and message in text and fix in text
    assert not (tmp_path / "output").exists()


def test_an_image_file_that_nothing_shows_is_an_error(portal, tmp_path) -> None:
    project = portal({"zh/news/cranes.md": article()})
    stray = project / "content" / "zh" / "news" / "cranes.jpg"
    stray.write_bytes(jpeg("red"))
    with pytest.raises(ContentError) as error:
        build(project / "pelicanconf.py", tmp_path / "output", build_date=BUILD_DATE)
    assert f"{stray}:" in str(error.value) and "![what it shows](name.jpg)" in str(error.value)


def test_an_image_file_that_is_no_picture_is_an_error(portal, tmp_path) -> None:
    project = portal({"zh/news/cranes.md": with_image("zh")})
    broken = project / "content" / "zh" / "news" / "cranes.jpg"
    broken.write_bytes(b"<html>not a picture</html>")
    with pytest.raises(ContentError) as error:
        build(project / "pelicanconf.py", tmp_path / "output", build_date=BUILD_DATE)
    source = project / "content" / "zh" / "news" / "cranes.md"
    line = source.read_text(encoding="utf-8").splitlines().index(f"![{ALT['zh']}](cranes.jpg)")
    assert f"{source}:{line + 1}: the image 'cranes.jpg' ({broken}) is not a JPEG, PNG, WebP " \
        "or GIF picture" in str(error.value)


def test_a_picture_replaced_under_its_name_gives_the_page_its_new_size(portal, tmp_path) -> None:
    project = portal({"zh/news/cranes.md": with_image("zh")})
    image = project / "content" / "zh" / "news" / "cranes.jpg"
    output = tmp_path / "output"
    for size in ((40, 30), (64, 48)):  # both builds in one process, as a preview makes them
        image.write_bytes(jpeg("red", size))
        build(project / "pelicanconf.py", output, build_date=BUILD_DATE, strict=True)
        page = (output / "news" / "cranes" / "index.html").read_text(encoding="utf-8")
        assert f'width="{size[0]}" height="{size[1]}"' in page
        assert (output / "news" / "cranes" / "cranes.jpg").read_bytes() == image.read_bytes()
