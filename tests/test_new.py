"""`invoke new`: a content file that starts with the front matter its section requires."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest

from conftest import ROOT, article
from portal_build import build, load_settings
from portal_model import ContentError, languages_from, load_site
from portal_model.scaffold import data_keys, new_file
from portal_model.schema import SECTIONS

TODAY = dt.date(2024, 5, 1)
#: A portal needs some content to start from.
SOME = {"zh/news/welcome.md": article("欢迎", "2024-04-01")}


def start(project, relpath: str, title: str = ""):
    settings = load_settings(project / "pelicanconf.py")
    return new_file(project / "content", languages_from(settings), relpath,
                    data_keys(project / "data"), TODAY, title)


@pytest.mark.parametrize("section", list(SECTIONS))
def test_left_blank_the_build_names_every_required_key_on_its_line(portal, section) -> None:
    project = portal(SOME)
    path = start(project, f"zh/{section}/first-item")
    text = path.read_text("utf-8")
    required = [name for name, spec in SECTIONS[section].fields.items() if spec.required]
    assert all(re.search(rf"^{name}:", text, re.MULTILINE) for name in required)
    blank = [name for name in required
             if re.search(rf'^{name}:\s*(""\s*)?(#.*)?$', text, re.MULTILINE)]
    assert "title" in blank and "date" not in blank
    with pytest.raises(ContentError) as caught:
        load_site(load_settings(project / "pelicanconf.py"), build_date=TODAY)
    lines = text.splitlines()
    named = {lines[problem.line - 1].split(":")[0] for problem in caught.value.problems}
    assert named == set(blank), [str(p) for p in caught.value.problems]


def test_filled_in_it_builds(portal, tmp_path) -> None:
    project = portal(SOME)
    path = start(project, "zh/notices/holiday-2027", title="元旦放假安排")
    text = path.read_text("utf-8")
    assert 'title: "元旦放假安排"' in text and "date: 2024-05-01" in text
    assert re.search(r"^category: +# required: a key of data/categories.yml \(government, ",
                     text, re.MULTILINE)
    path.write_text(text.replace("category: ", "category: announcements ", 1)
                    + "一月一日至三日放假。\n", encoding="utf-8")
    output = tmp_path / "output"
    build(project / "pelicanconf.py", output, build_date=TODAY)
    page = (output / "notices" / "holiday-2027" / "index.html").read_text("utf-8")
    assert "元旦放假安排" in page and "一月一日至三日放假" in page and "The text, in" not in page


@pytest.mark.parametrize(("relpath", "message"), [
    ("fr/news/port", "write it as <language>/<section>/<file name>"),
    ("zh-hant/news/port", "write it as <language>/<section>/<file name>"),
    ("zh/blog/port", "write it as <language>/<section>/<file name>"),
    ("zh/news/Port_Opening", "the file name 'Port_Opening' cannot be a URL"),
    ("zh/news/existing", "the file exists already"),
])
def test_a_path_that_cannot_be_a_new_item_is_refused(portal, relpath, message) -> None:
    project = portal({**SOME, "zh/news/existing.md": "---\ntitle: 已有\n---\n"})
    with pytest.raises(ContentError, match=re.escape(message)):
        start(project, relpath)
    assert (project / "content/zh/news/existing.md").read_text("utf-8") == "---\ntitle: 已有\n---\n"


def test_invoke_new_writes_the_file_of_another_portal(portal) -> None:
    project = portal(SOME)
    run = subprocess.run(
        [sys.executable, "-m", "invoke", "-r", str(ROOT), "new", "content/en/news/port.md",
         "--title", 'The "new" port', "--config", str(project / "pelicanconf.py")],
        capture_output=True, text=True, check=True)
    assert "Wrote content/en/news/port.md" in run.stdout
    text = (project / "content/en/news/port.md").read_text("utf-8")
    assert 'title: "The \\"new\\" port"' in text
    failed = subprocess.run(
        [sys.executable, "-m", "invoke", "-r", str(ROOT), "new", "en/news/port",
         "--config", str(project / "pelicanconf.py")], capture_output=True, text=True)
    assert failed.returncode == 1 and "the file exists already" in failed.stderr


def test_a_new_translation_is_a_draft_copy_of_its_original_until_translated(
        portal, tmp_path) -> None:
    from portal_model.status import outdated

    project = portal({**SOME, "zh/news/port.md": article(
        "港口吞吐量创新高", "2024-04-02", "summary: 摘要。\nstatus: published\n", "原文第一段。")})
    path = start(project, "en/news/port")
    text = path.read_text("utf-8")
    assert "title: 港口吞吐量创新高" in text and "date: 2024-04-02" in text
    assert "status: draft" in text and "status: published" not in text and "原文第一段。" in text
    output = tmp_path / "output"
    build(project / "pelicanconf.py", output, build_date=TODAY)
    assert not (output / "en" / "news" / "port").exists()  # nothing half-translated is published

    translated = re.sub(r"^status: draft.*\n", "", text, flags=re.MULTILINE)
    translated = (translated.replace("港口吞吐量创新高", "Port throughput at a record")
                  .replace("摘要。", "Summary.").replace("原文第一段。", "First paragraph."))
    path.write_text(translated, encoding="utf-8")
    site = load_site(load_settings(project / "pelicanconf.py"), build_date=TODAY)
    assert outdated(site, "en") == []  # stamped with the version it was translated from
    build(project / "pelicanconf.py", output, build_date=TODAY)
    page = (output / "en" / "news" / "port" / "index.html").read_text("utf-8")
    assert "Port throughput at a record" in page and "may be out of date" not in page
