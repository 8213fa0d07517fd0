"""The benchmark tasks still run end to end (their figures are printed, never asserted)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks import bench, preview, traditional
from benchmarks.corpus import LANGS, write_portal


def test_bench_build_measures_every_mode_and_can_leave_a_plugin_out(tmp_path: Path) -> None:
    results = bench.run(4, 2, tmp_path, ["ours"], ("portal_search",))
    modes = results["ours"]

    assert list(modes) == ["cold", "no-change", "one-file edit"]
    for samples in modes.values():
        for sample in samples:
            assert sample.wall > 0 and sample.cpu > 0 and 0 < sample.peak_mb <= sample.peak_rss_mb
            assert "read" in sample.stages and "search" not in sample.stages
    assert "render" in modes["cold"][1].stages  # a cold build renders; a no-change one links
    assert "render" not in modes["no-change"][1].stages
    # the second cold build set the first run's trees and cache aside, not deleted before it
    kept = {path.name.split("-", 1)[1] for path in (tmp_path / bench.TRASH).iterdir()}
    assert {"output", ".cache"} <= kept
    assert (tmp_path / "ours-4" / "output" / "index.html").is_file()
    text = bench.table(4, 2, results, ("portal_search",))
    assert "Our builds leave out: portal_search." in text
    assert "| ours | one-file edit |" in text


@pytest.mark.skipif(shutil.which("hugo") is None, reason="Debian's hugo is not installed")
def test_hugo_with_pagefind_indexes_the_item_pages_of_every_language(tmp_path: Path) -> None:
    results = bench.run(20, 1, tmp_path, ["ours", "hugo-pagefind"], ("portal_search",))

    public = tmp_path / "hugo-pagefind-20" / "public"
    entry = json.loads((public / "pagefind" / "pagefind-entry.json").read_text())
    for lang in LANGS:  # every item page of the language, and no list
        items = list((tmp_path / "hugo-pagefind-20" / "content" / lang).rglob("*.md"))
        assert entry["languages"][lang]["page_count"] == len(items) > 0
    assert (public / "index.xml").is_file()  # Hugo's feed: pages, feeds and an index
    assert [s.wall > 0 for s in results["hugo-pagefind"]["cold"]] == [True]
    text = bench.table(20, 1, results, ("portal_search",))
    assert "| Hugo + Pagefind | cold |" in text
    assert "Wall-time ratio ours/Hugo + Pagefind: cold " in text


def test_bench_build_times_when_an_edits_pages_went_live(tmp_path: Path) -> None:
    modes = bench.run(4, 1, tmp_path, ["ours"])["ours"]
    (cold,), (edit,) = modes["cold"], modes["one-file edit"]
    assert cold.live == cold.wall  # nothing to postpone without a previous index
    assert 0 < edit.live < edit.wall  # the edited language's index followed the pages
    assert "| ours | one-file edit |" in bench.table(4, 1, {"ours": modes})


def test_bench_preview_times_edits_in_a_running_preview_server(tmp_path: Path) -> None:
    edits = preview.run(4, 2, tmp_path)
    assert len(edits) == 2
    for edit in edits:
        # saved → built → served (serve prints its time to a tenth of a second)
        assert 0 < edit.reported < edit.page + 0.05 and edit.page <= edit.search
    text = preview.table(4, edits)
    assert "| first |" in text and "| later, median" in text


def test_bench_traditional_builds_with_and_without_the_derived_languages(tmp_path: Path
                                                                         ) -> None:
    write_portal(tmp_path / "portal", 4, seed=1)
    conf = tmp_path / "portal" / "pelicanconf.py"
    samples = traditional.run(conf, 1, pdf=False)

    assert list(samples) == list(traditional.VARIANTS)
    assert all(found[0].cpu > 0 for found in samples.values())
    assert "The derived languages add" in traditional.table(conf, 1, False, samples)
