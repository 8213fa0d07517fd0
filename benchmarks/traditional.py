"""What the generated Traditional-Chinese site adds to a full build.

Cold builds (no output, an empty cache) of one project, with every language and with the
written languages only (``LANGUAGES`` without the derived ones), each in a child process
measured like ``bench-build`` does: CPU seconds of the process tree, wall seconds, peak
memory. PDFs can be left out, since their cost is per document and not per language.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from portal_build.trees import settle

from .bench import Sample, measure
from .corpus import ROOT

CHILD = """
import json, sys
sys.path.insert(0, {plugins!r})
from pathlib import Path
from portal_build import build, load_settings
conf, output, cache = Path({conf!r}), Path({output!r}), {cache!r}
settings = load_settings(conf)
overrides = {{"PORTAL_CACHE": cache}}
if {written_only!r}:
    overrides["LANGUAGES"] = [l for l in settings["LANGUAGES"] if not l.get("derived_from")]
if not {pdf!r}:
    overrides["PLUGINS"] = [p for p in settings["PLUGINS"] if p != "portal_pdf"]
build(conf, output, **overrides)
"""
VARIANTS = {"written languages only": True, "with the derived languages": False}


def run(conf: Path, runs: int, pdf: bool) -> dict[str, list[Sample]]:
    """``runs`` cold builds of each variant, alternating, so load affects both alike. Each
    builds into a folder of its own, all deleted at the end (see ``bench.set_aside``)."""
    samples: dict[str, list[Sample]] = {name: [] for name in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="portal-zh-hant-") as work:
        for number in range(runs):
            for name, written_only in VARIANTS.items():
                folder = Path(work) / f"{number}-{written_only}"
                code = CHILD.format(plugins=str(ROOT / "plugins"), conf=str(conf),
                                    output=str(folder / "output"), cache=str(folder / "cache"),
                                    written_only=written_only, pdf=pdf)
                sample, _ = measure([sys.executable, "-c", code], conf.parent)
                settle(folder / "output")  # the spare it prepares, before the folder goes
                samples[name].append(sample)
                print(f"  {name:28} run {number + 1}: {sample.wall:6.2f} s wall "
                      f"{sample.cpu:6.2f} s CPU {sample.peak_mb:6.0f} MB", file=sys.stderr)
    return samples


def table(conf: Path, runs: int, pdf: bool, samples: dict[str, list[Sample]]) -> str:
    def cell(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} [{min(values):.2f}–{max(values):.2f}]"

    lines = [f"## Cold builds of {conf.parent.name}, {runs} runs, PDFs "
             f"{'included' if pdf else 'left out'}: median [min–max]", "",
             "| languages | CPU s | wall s | peak MB |", "| --- | --- | --- | --- |"]
    for name, found in samples.items():
        lines.append(f"| {name} | {cell([s.cpu for s in found])} | "
                     f"{cell([s.wall for s in found])} | {cell([s.peak_mb for s in found])} |")
    without, with_ = (statistics.median(s.cpu for s in samples[name]) for name in VARIANTS)
    lines += ["", f"The derived languages add {100 * (with_ / without - 1):.0f} % CPU "
              "to a cold build."]
    return "\n".join(lines)

