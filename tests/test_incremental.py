"""Incremental builds write exactly what a clean build writes; the corpus is deterministic."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from benchmarks.corpus import KINDS, write_portal
from conftest import BUILD_DATE, ROOT, own_copy
from portal_build import ContentError, build


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() + "/" for p in root.rglob("*") if p.is_dir()}


def differences(a: Path, b: Path) -> list[str]:
    """Files that differ, and folders only one tree has (an empty one left behind)."""
    left, right = tree(a), tree(b)
    return sorted([name for name in left.keys() | right.keys() if left.get(name) != right.get(name)]
                  + list(folders(a) ^ folders(b)))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "portal"
    write_portal(out, 20, seed=7)
    return out


def clean_build(project: Path, output: Path) -> None:
    """A build with no cache and no previous output."""
    cache = output.parent / f"{output.name}-cache"
    for path in (output, cache):
        shutil.rmtree(path, ignore_errors=True)
    build(project / "pelicanconf.py", output, build_date=BUILD_DATE, PORTAL_CACHE=str(cache))


def first(project: Path, pattern: str) -> Path:
    return sorted((project / "content").glob(pattern))[0]


def test_incremental_output_equals_a_clean_build_after_every_kind_of_change(project: Path,
                                                                             tmp_path: Path):
    clean, incremental = tmp_path / "clean", tmp_path / "incremental"
    conf = project / "pelicanconf.py"
    build(conf, incremental, build_date=BUILD_DATE)
    report = build(conf, incremental, build_date=BUILD_DATE)
    assert report.rendered == 0 and report.linked == sum(report.pages.values())

    news = first(project, "zh/news/*.md")
    page = first(project, "en/notices/*.md")
    untranslated = next(p for p in sorted((project / "content" / "zh").rglob("*.md"))
                        if not (project / "content" / "ko" / p.relative_to(
                            project / "content" / "zh")).exists())

    def edit_body() -> None:
        news.write_text(news.read_text(encoding="utf-8") + "\n新增一段内容。\n", encoding="utf-8")

    def edit_body_again() -> None:  # its translations say "outdated" already
        edit_body()

    def edit_title() -> None:
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace("title: ", "title: Updated ", 1), encoding="utf-8")

    def rename() -> None:
        for lang in ("zh", "en", "ja", "ko"):
            source = project / "content" / lang / news.relative_to(project / "content" / "zh")
            if source.exists():
                source.rename(source.with_name("renamed-item.md"))

    def delete() -> None:
        first(project, "ja/notices/*.md").unlink()

    def add_translation() -> None:
        target = project / "content" / "ko" / untranslated.relative_to(project / "content" / "zh")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("---\ntitle: 새 번역\ndate: 2024-05-01\n"
                          + ("category: government\n" if "pages" not in target.parts else "")
                          + "---\n\n번역된 본문입니다.\n", encoding="utf-8")

    def relabel() -> None:
        data = project / "data" / "categories.yml"
        data.write_text(data.read_text(encoding="utf-8").replace("政务动态", "政务要闻"),
                        encoding="utf-8")

    indexes = project / ".cache" / "search"
    feeds = {lang: incremental / lang / "feeds" / "all.atom.xml" for lang in ("en", "ja", "ko")}
    for change in (edit_body, edit_body_again, edit_title, rename, delete, add_translation,
                   relabel):
        change()
        kept = {p.name: p.stat().st_mtime_ns for p in indexes.glob("*.pickle")}
        files = {lang: feed.stat().st_ino for lang, feed in feeds.items()}
        report = build(conf, incremental, build_date=BUILD_DATE)
        if change is edit_body:  # its translations are outdated: their languages run, and
            ran = [lang for lang in feeds if lang not in report.unchanged]
            assert ran and all(feeds[lang].stat().st_ino == files[lang] for lang in ran), (
                "their feeds, which do not show that, are kept")
        rebuilt = {p.name for p in indexes.glob("*.pickle")
                   if p.stat().st_mtime_ns != kept.get(p.name)}
        if change is edit_title:  # an English page: only the English index is made again
            assert rebuilt == {"en.pickle"}
        if change is edit_body_again:  # nothing another language shows has changed
            assert report.unchanged == ["en", "ja", "ko"]
        clean_build(project, clean)
        assert differences(clean, incremental) == [], change.__name__
        if change is not relabel:  # a data file changes every page
            assert report.linked > report.rendered, change.__name__


def test_corpus_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    size = len(KINDS)
    write_portal(tmp_path / "a", size, seed=3)
    write_portal(tmp_path / "b", size, seed=3)
    write_portal(tmp_path / "c", size, seed=4)
    a, b, c = (tree(tmp_path / name / "content") for name in "abc")
    assert a == b
    assert a != c
    langs = {name.split("/")[0] for name in a}
    assert langs == {"zh", "en", "ja", "ko"}
    for lang in langs:  # N items per language, in every section
        assert len([n for n in a if n.startswith(f"{lang}/")]) == size
    assert {name.split("/")[1] for name in a} == {kind.section for kind in KINDS}


def test_corpus_text_follows_each_languages_word_frequencies(project: Path) -> None:
    zh = "".join(p.read_text(encoding="utf-8") for p in (project / "content" / "zh").rglob("*.md"))
    en = " ".join(p.read_text(encoding="utf-8") for p in (project / "content" / "en").rglob("*.md"))
    ko = " ".join(p.read_text(encoding="utf-8") for p in (project / "content" / "ko").rglob("*.md"))
    assert zh.count("的") > zh.count("鹿") and zh.count("的") > 50
    words = en.lower().split()
    assert words.count("the") > len(words) / 50
    assert any("\uac00" <= ch <= "\ud7a3" for ch in ko)


def test_the_spare_tree_becomes_the_new_output_whatever_happened_to_it(project: Path,
                                                                         tmp_path: Path) -> None:
    """The tree the previous build replaced is reused as the next complete tree; it is
    scanned, not trusted, and the live output is never written to."""
    conf, output, clean = project / "pelicanconf.py", tmp_path / "output", tmp_path / "clean"
    spare = tmp_path / ".output.spare"
    build(conf, output, build_date=BUILD_DATE)
    waited = time.monotonic()  # a first build prepares the spare in the background
    while not spare.is_dir() and time.monotonic() - waited < 60:
        time.sleep(0.1)
    assert (spare / "index.html").stat().st_ino == (output / "index.html").stat().st_ino
    build(conf, output, build_date=BUILD_DATE)
    assert spare.is_dir()
    live = {p: p.stat().st_ino for p in output.rglob("*") if p.is_file()}

    (spare / "stray.html").write_text("left by someone")  # a file no build makes
    (spare / "empty" / "folder").mkdir(parents=True)
    victim = next(p for p in sorted(spare.rglob("index.html")) if p.parent != spare)
    victim.unlink()  # a file the next build keeps, gone from the spare
    replaced = next(p for p in sorted((spare / "en").rglob("index.html")))
    replaced.unlink()
    replaced.write_text("not the live file")  # same name, other bytes
    broken = project / "content" / "zh" / "news" / "broken.md"
    broken.write_text("---\ntitle: [\n---\n", encoding="utf-8")
    with pytest.raises(ContentError):  # a failed build gives the spare it claimed back
        build(conf, output, build_date=BUILD_DATE)
    broken.unlink()
    assert spare.is_dir() and not list(tmp_path.glob(".output.staging-*"))
    news = first(project, "zh/news/*.md")
    news.write_text(news.read_text(encoding="utf-8") + "\n又一段内容。\n", encoding="utf-8")

    report = build(conf, output, build_date=BUILD_DATE)
    clean_build(project, clean)
    assert differences(clean, output) == []
    assert report.rendered and report.linked > report.rendered
    page = f"news/{news.stem}/index.html"  # the previous output is the spare now
    assert (output / page).read_bytes() != (spare / page).read_bytes()
    same = [p for p, inode in live.items() if p.exists() and p.stat().st_ino == inode]
    assert len(same) > len(live) // 2, "files the edit did not change keep their identity"
    assert not list(tmp_path.glob(".output.staging-*"))


def test_a_pages_first_build_publishes_the_pages_then_the_new_search_index(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A preview build puts an edited page live with the previous search index (kept, not
    half-updated), then builds the new index and swaps again: the end equals a clean build.
    The second build does not work out again what the other languages show."""
    from portal_build import incremental

    conf, output = project / "pelicanconf.py", tmp_path / "output"
    build(conf, output, build_date=BUILD_DATE)
    worked_out = tmp_path / "keys.txt"  # by the forked language runs
    language_key = incremental.language_key

    def recorded(site: Any, lang: str, keys: Any) -> str:
        with worked_out.open("a", encoding="utf-8") as log:
            log.write(f"{lang}\n")
        return language_key(site, lang, keys)

    monkeypatch.setattr(incremental, "language_key", recorded)

    def search_files(files: dict[str, bytes]) -> dict[str, bytes]:
        return {name: data for name, data in files.items()
                if name.startswith(("search/", "zh-hant/search/"))}

    before = search_files(tree(output))
    news = first(project, "zh/news/*.md")
    news.write_text(news.read_text(encoding="utf-8") + "\n先行发布的段落。\n", encoding="utf-8")
    live: dict[str, dict[str, bytes]] = {}
    report = build(conf, output, build_date=BUILD_DATE, pages_first=True,
                   on_live=lambda first_build: live.update(files=tree(output)))

    assert sorted(report.postponed) == ["zh", "zh-hant"]
    assert sorted(worked_out.read_text(encoding="utf-8").split()) == [
        "en", "ja", "ko", "zh", "zh-hant"]  # once, in the first build
    assert "先行发布的段落" in live["files"][f"news/{news.stem}/index.html"].decode()
    assert search_files(live["files"]) == before, "the previous index stays whole meanwhile"
    after = search_files(tree(output))
    assert after.keys() != before.keys() and after["search/index.html"] != before[
        "search/index.html"], "the second build published the new index"
    assert 0 < report.live < report.seconds
    clean_build(project, tmp_path / "clean")
    assert differences(tmp_path / "clean", output) == []

    # nothing left to postpone: a pages-first build is one build
    again = build(conf, output, build_date=BUILD_DATE, pages_first=True,
                  on_live=lambda _: pytest.fail("no second build was needed"))
    assert again.postponed == [] and again.live == again.seconds


def test_sources_parsed_on_every_core_give_the_same_site(project: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from portal_model import model

    clean_build(project, tmp_path / "serial")
    monkeypatch.setattr(model, "PARALLEL_PARSE", 1)  # a cold build of a large site
    clean_build(project, tmp_path / "parallel")
    assert differences(tmp_path / "serial", tmp_path / "parallel") == []


POLICY = """---
title: {title}
date: {date}
document_number: 丰政发〔2024〕{number}号
issuer: district-government
written: 2024-04-20
index_number: 014025823/2024-0000{number}
topic: economy
---

正文。
"""


def test_a_chinese_only_policy_updates_every_languages_catalogue(portal, tmp_path: Path) -> None:
    """Other languages' catalogues count what exists only in Chinese: adding such an item
    must rebuild them, though none of their own items changed."""
    project = portal({"zh/policies/first.md": POLICY.format(title="第一个办法", date="2024-05-01",
                                                            number=1),
                      "en/policies/first.md": POLICY.format(title="First measures",
                                                            date="2024-05-01", number=1)})
    conf, incremental, clean = project / "pelicanconf.py", tmp_path / "inc", tmp_path / "clean"
    build(conf, incremental, build_date=BUILD_DATE)
    portal({"zh/policies/second.md": POLICY.format(title="第二个办法", date="2024-06-01",
                                                   number=2)})
    report = build(conf, incremental, build_date=BUILD_DATE)
    clean_build(project, clean)

    assert "en" not in report.unchanged
    assert differences(clean, incremental) == []


def test_items_that_refer_to_others_keep_their_keys_from_build_to_build(portal,
                                                                         tmp_path: Path) -> None:
    """A policy and its interpretation refer to each other; with nothing changed, the next
    build (another process, other object addresses) must find every language unchanged."""
    project = portal({
        "zh/policies/first.md": POLICY.format(title="第一个办法", date="2024-05-01", number=1),
        "zh/interpretations/first-explained.md": "---\ntitle: 解读\ndate: 2024-05-02\n"
                                                 "policy: first\n---\n\n解读正文。\n"})
    output = tmp_path / "output"
    for _ in range(2):  # the first build after a change of code renders everything
        subprocess.run([sys.executable, "-c", BUILD.format(
            conf=str(project / "pelicanconf.py"), output=str(output))], check=True)
    last = subprocess.run([sys.executable, "-c", BUILD.format(
        conf=str(project / "pelicanconf.py"), output=str(output))], check=True,
        capture_output=True, text=True)
    assert last.stdout.split() == ["zh", "zh-hant", "en", "ja", "ko"]


def test_a_portal_named_relatively_is_the_same_portal(portal, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    project = portal({"zh/news/port.md": "---\ntitle: 港口\ndate: 2024-05-01\n"
                                         "category: government\n---\n\n正文。\n"})
    build(project / "pelicanconf.py", tmp_path / "output", build_date=BUILD_DATE)
    monkeypatch.chdir(project)
    report = build(Path("pelicanconf.py"), Path("..", "output"), build_date=BUILD_DATE)
    assert report.unchanged == ["zh", "zh-hant", "en", "ja", "ko"]


BUILD = """
import sys
sys.path.insert(0, {plugins!r})
from pathlib import Path
from portal_build import build
print(*build(Path({{conf!r}}), Path({{output!r}}), build_date=__import__("datetime").date(
    2026, 11, 1)).unchanged)
""".format(plugins=str(ROOT / "plugins"))


def test_a_source_is_read_again_whenever_its_file_changed(project: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Unchanged sources are known by their file's stamp and not read; any change to a file
    (even one keeping its size and modification time) makes it read again."""
    from portal_build import load_model
    from portal_model import model

    portal = tmp_path / "portal"
    shutil.copytree(project, portal, symlinks=True)
    conf = portal / "pelicanconf.py"
    content = portal / "content"
    read: list[Path] = []
    read_bytes = Path.read_bytes

    def recording(path: Path) -> bytes:
        if content in path.parents:
            read.append(path)
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", recording)
    news = sorted(content.glob("zh/news/*.md"))[0]

    def text_of(site: model.Site) -> str:
        return next(i.text for i in site.items["zh"] if i.source == news)

    load_model(conf, build_date=BUILD_DATE)
    read.clear()  # a file just written is not trusted by its stamp: it may change again
    load_model(conf, build_date=BUILD_DATE)  # within the same tick of the file system's clock
    assert read and all(time.time_ns() - p.stat().st_ctime_ns < 60e9 for p in read)

    monkeypatch.setattr(model._Cache, "SETTLED_NS", 0)  # every stamp trusted at once
    load_model(conf, build_date=BUILD_DATE)
    read.clear()
    load_model(conf, build_date=BUILD_DATE)
    assert read == []  # nothing changed: no source read

    before = news.stat()
    original = news.read_text(encoding="utf-8")
    news.write_text(original.replace("。", "！", 1), encoding="utf-8")  # same size
    os.utime(news, ns=(before.st_atime_ns, before.st_mtime_ns))  # and modification time
    assert news.stat().st_size == before.st_size
    read.clear()
    site = load_model(conf, build_date=BUILD_DATE)
    assert read == [news] and "！" in text_of(site)

    replacement = news.with_name(".replacement")  # another file put in its place
    replacement.write_text(original, encoding="utf-8")
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    replacement.replace(news)
    read.clear()
    site = load_model(conf, build_date=BUILD_DATE)
    assert read == [news] and "！" not in text_of(site)


def test_an_items_key_does_not_depend_on_what_was_asked_of_it(project: Path) -> None:
    """Values an item works out once (its path and URL) are not part of what it shows."""
    from portal_build import load_model
    from portal_build.incremental import PageKeys

    site = load_model(project / "pelicanconf.py", build_date=BUILD_DATE)
    item = site.items["en"][0]
    url = item.url
    for worked_out in ("path", "url"):  # as if never asked for
        vars(item).pop(worked_out, None)
    before = PageKeys(site, "en", "base").item(item)
    assert item.url == url and "url" in vars(item)
    assert PageKeys(site, "en", "base").item(item) == before


def test_a_build_from_a_restored_cache_without_output_equals_a_clean_build(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CI: a fresh checkout (every source a new file with the same bytes), the last run's
    cache restored, no output: what the cache holds is used, and the site is a clean build's."""
    from portal_build.trees import settle
    from portal_model import model

    conf, cache, output = project / "pelicanconf.py", tmp_path / "cache", tmp_path / "output"
    build(conf, output, build_date=BUILD_DATE, PORTAL_CACHE=str(cache))
    settle(output)
    for path in (output, tmp_path / f".{output.name}.spare"):
        shutil.rmtree(path)
    for source in (project / "content").rglob("*.md"):
        fresh = source.with_name(f"{source.name}.new")
        fresh.write_bytes(source.read_bytes())
        fresh.replace(source)
    indexes = {p.name: p.stat().st_mtime_ns for p in (cache / "search").glob("*.pickle")}
    parsed: list[Path] = []
    monkeypatch.setattr(model, "PARALLEL_PARSE", 10**9)  # parsed here, where it is counted
    monkeypatch.setattr(model, "_parse", lambda raw, source, parse=model._parse: (
        parsed.append(source), parse(raw, source))[1])

    report = build(conf, output, build_date=BUILD_DATE, PORTAL_CACHE=str(cache))

    assert report.linked == 0 and report.rendered > 0  # every page rendered: no output to keep
    assert parsed == []  # sources read again (new files), but none parsed again
    assert indexes and indexes == {p.name: p.stat().st_mtime_ns
                                   for p in (cache / "search").glob("*.pickle")}
    clean_build(project, tmp_path / "clean")
    assert differences(tmp_path / "clean", output) == []


def test_a_store_writes_only_the_shards_that_changed_and_keeps_what_was_used(tmp_path) -> None:
    """Build caches (parsed sources, converted items) after an edit: one shard is written,
    entries no build used are dropped, and a process that built once reads nothing again
    unless another process changed a shard."""
    from portal_model.store import Store

    folder = tmp_path / "store"
    first: Store[str] = Store(folder)
    for key in ("a1", "a2", "b1", "c1"):
        first.put(key, key.upper())
    first.save()
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert set(stamps) == {"a.pickle", "b.pickle", "c.pickle"}

    time.sleep(0.01)
    Store._memory.clear()  # as a new process
    second: Store[str] = Store(folder)
    assert second.get("a1") == "A1" and second.get("b1") == "B1" and second.get("c1") == "C1"
    second.put("b2", "B2")  # a2 unused: dropped from shard a; shard c unchanged
    second.save()
    assert {p.name for p in folder.iterdir() if p.stat().st_mtime_ns != stamps.get(p.name)} \
        == {"a.pickle", "b.pickle"}

    Store._memory.clear()
    everything = {"a1": "A1", "b1": "B1", "b2": "B2", "c1": "C1"}
    assert Store(folder).entries == everything  # read from disk, and remembered
    shard = folder / "c.pickle"
    stat = shard.stat()
    shard.write_bytes(b"x" * stat.st_size)  # damaged, but with its size and time ...
    os.utime(shard, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert Store(folder).entries == everything  # ... it is not read again
    os.utime(shard)  # once it looks changed, it is
    assert Store(folder).entries == {"a1": "A1", "b1": "B1", "b2": "B2"}


def _write_marker(output: Path, text: str) -> dict[str, Any]:
    """Work done alongside the language runs: a file made from the model."""
    import portal_model

    count = sum(len(items) for items in portal_model.current().items.values())
    (output / "marker.txt").write_text(f"{text} {count}", encoding="utf-8")
    if text == "fail":
        raise RuntimeError("the marker could not be made")
    return {}


@pytest.mark.parametrize("text", ["made", "fail"])
def test_work_done_alongside_the_languages_lands_in_the_output_or_stops_the_build(
        portal, text: str) -> None:
    """``alongside`` work sees the model, writes into the tree being built, and a failure
    in it fails the build, leaving output/ as it was."""
    from portal_build import BuildError, alongside, before_languages

    project = portal({"zh/news/a.md": "---\ntitle: 新闻\ndate: 2026-01-02\ncategory: government"
                                      "\n---\n\n正文。\n"})
    output = project / "output"
    build(project / "pelicanconf.py", output, build_date=BUILD_DATE)

    def queue(site: Any, output: Path, settings: dict[str, Any]) -> None:
        alongside(_write_marker, output, text)

    before_languages.connect(queue)
    try:
        if text == "fail":
            with pytest.raises(BuildError, match="the marker could not be made"):
                build(project / "pelicanconf.py", output, build_date=BUILD_DATE)
            assert not (output / "marker.txt").exists()
            assert (output / "news" / "a" / "index.html").is_file()
        else:
            build(project / "pelicanconf.py", output, build_date=BUILD_DATE)
            assert (output / "marker.txt").read_text(encoding="utf-8") == "made 2"
    finally:
        before_languages.disconnect(queue)


def _set_front_matter(path: Path, **values: str | None) -> None:
    """Set (or, with None, remove) top-level keys of a source's front matter."""
    text = path.read_text(encoding="utf-8")
    head, _, body = text.removeprefix("---\n").partition("\n---\n")
    lines = [line for line in head.split("\n") if line.split(":")[0] not in values]
    lines += [f"{key}: {value}" for key, value in values.items() if value is not None]
    path.write_text("---\n" + "\n".join(lines) + "\n---\n" + body, encoding="utf-8")


def test_incremental_output_equals_a_clean_build_after_government_changes(tmp_path: Path
                                                                          ) -> None:
    """What editors of open-government content change: a draft, a withdrawal, a policy's
    validity, a procurement stage, a letter's reply, a consultation's dates, an item moved in
    time and between categories, a translation taken away, a new item. Each changes lists,
    feeds, catalogues, statistics or other languages' pages, as a preview builds them."""
    project = tmp_path / "portal"
    write_portal(project, 20, seed=7)
    clean, incremental = tmp_path / "clean", tmp_path / "incremental"
    conf = project / "pelicanconf.py"
    build(conf, incremental, build_date=BUILD_DATE)
    news = sorted((project / "content" / "zh" / "news").glob("*.md"))
    letter = first(project, "zh/letters/*.md")
    replied = "reply:" in letter.read_text(encoding="utf-8")
    english = project / "content" / "en" / "news"
    translated = next(p for p in news[2:] if (english / p.name).exists())

    changes = {
        "draft": lambda: _set_front_matter(news[0], status="draft"),
        "withdrawal": lambda: _set_front_matter(first(project, "zh/notices/*.md"),
                                                status="withdrawn",
                                                withdrawn_reason='"Superseded."'),
        "validity": lambda: _set_front_matter(first(project, "zh/policies/*.md"),
                                              validity='"repealed"'),
        "stage": lambda: _set_front_matter(first(project, "zh/procurement-notices/*.md"),
                                           stage='"award"'),
        "reply": lambda: _set_front_matter(letter, reply=None, replied=None, department=None)
        if replied else _set_front_matter(letter, reply='"答复。"', department='"housing"',
                                          replied=(BUILD_DATE - dt.timedelta(days=1)).isoformat()),
        "consultation": lambda: _set_front_matter(first(project, "zh/consultations/*.md"),
                                                  opens="2026-10-20", closes="2026-12-20"),
        "newest": lambda: _set_front_matter(news[1], date="2026-10-31"),
        "category": lambda: _set_front_matter(news[1], category='"economy"',
                                              tags='["wetlands"]'),
        "untranslated": lambda: (english / translated.name).unlink(),
        "new item": lambda: (project / "content" / "zh" / "news" / "new-item.md").write_text(
            '---\ntitle: "新的消息"\ndate: 2026-10-30\ncategory: "government"\n---\n\n正文。\n',
            encoding="utf-8"),
    }
    for name, change in changes.items():
        change()
        build(conf, incremental, build_date=BUILD_DATE, pages_first=True)
        clean_build(project, clean)
        assert differences(clean, incremental) == [], name


def test_output_is_never_missing_while_a_swap_puts_the_new_tree_live(tmp_path: Path) -> None:
    """A web server serving output/ during a build must never find it gone (a 404 for every
    page asked for then): the trees are exchanged in one step, where Linux can."""
    import threading

    from portal_build.trees import exchange, spare_path, swap

    output, tree = tmp_path / "output", tmp_path / "tree"
    for root, version in ((output, "one"), (tree, "two")):
        root.mkdir()
        (root / "index.html").write_text(version, encoding="utf-8")
    probe = tmp_path / "probe-a", tmp_path / "probe-b"
    for path in probe:
        path.mkdir()
    if not exchange(*probe):
        pytest.skip("this system or file system cannot exchange two paths")
    missing, swapping = [], threading.Event()

    def watch() -> None:
        while not swapping.is_set():
            if not (output / "index.html").is_file():
                missing.append(time.monotonic())

    watcher = threading.Thread(target=watch)
    watcher.start()
    seen = []
    try:
        for _ in range(2000):
            swap(tree, output)
            seen.append((output / "index.html").read_text(encoding="utf-8"))
            spare_path(output).rename(tree)  # the replaced tree, made the next one
    finally:
        swapping.set()
        watcher.join()
    assert missing == []
    assert seen[:4] == ["two", "one", "two", "one"]  # each swap put the other tree live


def test_pages_are_keyed_with_the_plugin_code_the_process_runs(tmp_path: Path) -> None:
    """A process that builds again keeps the plugin code it imported: a plugin changed on
    disk meanwhile must not change its fingerprint (pages it renders with the old code would
    be kept as up to date later); templates, data and settings are read by every build."""
    from portal_build import load_settings
    from portal_build.incremental import fingerprint

    portal = tmp_path / "portal"
    write_portal(portal, 2, seed=3)
    own_copy(portal, "plugins")
    conf = portal / "pelicanconf.py"
    settings = load_settings(conf)
    first = fingerprint(conf, settings, ())

    plugin = portal / "plugins" / "portal_lists" / "__init__.py"
    plugin.write_text(plugin.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert fingerprint(conf, settings, ()) == first
    data = portal / "data" / "tags.yml"
    data.write_text(data.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert fingerprint(conf, settings, ()) != first


def test_pages_are_keyed_with_the_pinned_libraries(tmp_path: Path, monkeypatch) -> None:
    """A Markdown or Babel update changes pages whose sources did not (their HTML is not in
    their keys, their source's digest is): the pinned libraries are in the fingerprint."""
    from portal_build import incremental, load_settings

    portal = tmp_path / "portal"
    write_portal(portal, 2, seed=3)
    conf = portal / "pelicanconf.py"
    settings = load_settings(conf)
    found = []
    for pins in ("markdown==3.11.3\n", "markdown==3.12.0\n"):
        requirements = tmp_path / f"requirements-{len(found)}.txt"
        requirements.write_text(pins, encoding="utf-8")
        monkeypatch.setattr(incremental, "REQUIREMENTS", requirements)
        found.append(incremental.fingerprint(conf, settings, ()))
    assert found[0] != found[1]


def test_a_change_to_the_code_that_parses_sources_is_not_hidden_by_the_cache(
        tmp_path: Path) -> None:
    """Parsed sources are cached by their bytes; the cache's folder is named after the code
    and pinned libraries that parse them, so a changed plugin (or an upgrade with `.cache/`
    carried over) parses again instead of reusing HTML the old code made."""
    portal = tmp_path / "portal"
    write_portal(portal, 4, seed=9)
    own_copy(portal, "plugins", "tasks.py")

    def build_and_count() -> int:
        subprocess.run([str(Path(sys.executable).parent / "invoke"), "-r", str(portal), "build",
                        "--config", str(portal / "pelicanconf.py")], check=True,
                       capture_output=True)
        return sum(page.read_text(encoding="utf-8").count("<h2 id=")
                   for page in (portal / "output").rglob("index.html"))

    before = build_and_count()
    render = portal / "plugins" / "portal_model" / "render.py"
    code = render.read_text(encoding="utf-8")
    allowed = '"*": {"id", "lang", "title"}'
    assert allowed in code
    render.write_text(code.replace(allowed, '"*": {"lang", "title"}'), encoding="utf-8")
    after = build_and_count()

    assert after < before  # the sanitizer now drops ids: the text's headings lost theirs
    assert len(list((portal / ".cache").glob("model-*"))) == 1  # the old code's is gone


def test_templates_compiled_for_other_settings_are_not_reused(tmp_path: Path) -> None:
    """Jinja checks a cached template's source, not the environment it was compiled for:
    the compiled templates' folder is named after the settings (and plugins) that shape it."""
    portal = tmp_path / "portal"
    write_portal(portal, 2, seed=4)
    conf = portal / "pelicanconf.py"
    build(conf, portal / "output", strict=False)
    (first,) = (portal / ".cache").glob("jinja-*")
    conf.write_text(conf.read_text(encoding="utf-8") + '\nJINJA_ENVIRONMENT = {"trim_blocks": '
                    'True, "lstrip_blocks": True, "keep_trailing_newline": True}\n',
                    encoding="utf-8")
    build(conf, portal / "output", strict=False)
    (second,) = (portal / ".cache").glob("jinja-*")  # the other settings' folder is gone
    assert second != first and any(second.iterdir())


def test_an_attachment_replaced_under_its_name_shows_its_new_size(tmp_path: Path) -> None:
    """Pages show each attachment's size: a file replaced under the same name (a corrected
    document) changes the page, though its Markdown did not change."""
    portal = tmp_path / "portal"
    write_portal(portal, 4, seed=21)
    policy = sorted((portal / "content" / "zh" / "policies").glob("*.md"))[0]
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace("\n---\n", "\nattachments:\n  - {file: plan.pdf, title: 全文}"
                                   "\n---\n", 1), encoding="utf-8")
    attachment = policy.parent / "plan.pdf"
    attachment.write_bytes(b"%PDF-1.7\n" + b"x" * 3_000)
    conf, output = portal / "pelicanconf.py", tmp_path / "incremental"
    build(conf, output, build_date=BUILD_DATE)
    page = f"policies/{policy.stem}/index.html"
    assert "(PDF, 3 kB)" in (output / page).read_text(encoding="utf-8")

    attachment.write_bytes(b"%PDF-1.7\n" + b"x" * 250_000)  # corrected, under the same name
    build(conf, output, build_date=BUILD_DATE)
    clean_build(portal, tmp_path / "clean")
    assert "(PDF, 250 kB)" in (output / page).read_text(encoding="utf-8")
    assert differences(tmp_path / "clean", output) == []
