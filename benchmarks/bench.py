"""Build benchmark: the portal's cold, no-change and one-file-edit builds against plain
Pelican (pelican-i18n-subsites), Hugo, and Hugo followed by Pagefind (Hugo's pages and a
search index of them, as ours) on the same generated corpus.

Each build runs as a child process. Wall time by the clock; CPU time of the whole process
tree from ``getrusage(RUSAGE_CHILDREN)``; peak memory as the largest sum, over the process
tree, of proportional set sizes (``/proc/<pid>/smaps_rollup``: pages shared by forked
workers are counted once), and of resident set sizes (each process's pages in full, as
``ps`` shows them), sampled every 50 ms.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from portal_build.trees import settle

from .corpus import ROOT, write_portal
from .others import write_hugo, write_pelican

STAGES = ("read", "pelican", "render", "write", "feeds", "search", "history", "site", "swap")
#: Our build as the preview server runs it: pages first, a postponed search index after.
PORTAL_BUILD = """
import json, sys, time
sys.path.insert(0, {plugins!r})
from pathlib import Path
from portal_build import build, load_settings
conf, without = Path({conf!r}), {without!r}
plugins = [p for p in load_settings(conf)["PLUGINS"] if p not in without]
live = []
report = build(conf, Path({output!r}), pages_first=True, on_live=lambda _: live.append(time.time()),
               **({{"PLUGINS": plugins}} if without else {{}}))
print(json.dumps({{"stages": report.stages, "rendered": report.rendered,
                  "linked": report.linked, "live_at": live[0] if live else None}}))
"""


@dataclass
class Sample:
    wall: float
    cpu: float
    peak_mb: float
    #: The largest sum of the tree's resident set sizes (RSS), pages shared by forked
    #: processes counted in each: what ``ps`` and the issue's figures add up.
    peak_rss_mb: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    #: Seconds from the start until the pages were live (our pages-first builds; else wall).
    live: float = 0.0
    #: ``time.time()`` at the start, to place moments a build reports.
    began: float = 0.0


def measure(command: list[str], cwd: Path) -> tuple[Sample, str]:
    """Run a command; its wall and CPU seconds, and the peak memory of its process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began, started = time.time(), time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            pss, rss = _tree_memory_kb(process.pid)
            peak[0], peak[1] = max(peak[0], pss), max(peak[1], rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{err[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sample(wall, cpu, peak[0] / 1024, peak[1] / 1024, live=wall, began=began), out


def _tree_memory_kb(pid: int) -> tuple[int, int]:
    """Total PSS and total RSS of a process tree, in kB."""
    pss = rss = 0
    for member in _tree(pid):
        try:
            with open(f"/proc/{member}/smaps_rollup") as rollup:
                found = dict(line.split()[:2] for line in rollup if line[:4] in ("Pss:", "Rss:"))
            pss, rss = pss + int(found["Pss:"]), rss + int(found["Rss:"])
        except (OSError, KeyError, ValueError):
            continue
    return pss, rss


def _tree(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    queue += [int(c) for c in children.read().split()]
        except OSError:
            continue
    return found


@dataclass
class Tool:
    """One generator under test: how to write its project, clean it and build it."""

    name: str
    write: Callable[[Path, int, int], int]
    clean: Callable[[Path, Path], None]
    command: Callable[[Path], list[str]]
    edit: Callable[[Path, int], None]


def _portal_command(project: Path, without: tuple[str, ...] = ()) -> list[str]:
    code = PORTAL_BUILD.format(plugins=str(ROOT / "plugins"), conf=str(project / "pelicanconf.py"),
                               output=str(project / "output"), without=without)
    return [sys.executable, "-c", code]


def _settle(project: Path) -> None:
    """Wait for what our previous build left to the background: a build measured meanwhile
    would share the disk with that work, which an editor's next build, seconds later, does
    not."""
    settle(project / "output")


def set_aside(paths: list[Path], trash: Path) -> None:
    """Move a previous build's trees into ``trash`` (deleted when the benchmark ends) instead of
    deleting them before a cold build. ext4 without a journal (this machine's disk) reuses no
    inode freed in the last minute (five, while its inode table is unwritten) and checks
    every such inode again for each file it creates: deleting ≈ 45,000 files just before a
    cold build added 3–12 s of CPU to its file creation, a cost of the benchmark's cleanup
    that varied with the hour, not of the build."""
    trash.mkdir(parents=True, exist_ok=True)
    for path in paths:
        if path.exists():
            path.rename(trash / f"{len(list(trash.iterdir()))}-{path.name}")


def _rm(*names: str) -> Callable[[Path, Path], None]:
    def clean(project: Path, trash: Path) -> None:
        # our old trees and the spare too
        set_aside([*(project / name for name in names), *project.glob(".output.*")], trash)
    return clean


def _edit_first_news(project: Path, run: int) -> None:
    """Change one sentence of one default-language news item."""
    path = sorted((project / "content" / "zh" / "news").glob("*.md"))[0]
    text = path.read_text(encoding="utf-8").split("\n<!-- edit -->")[0]
    path.write_text(f"{text}\n<!-- edit -->\n\n第{run + 1}次修改的段落。\n", encoding="utf-8")


def _hugo_then_pagefind(project: Path) -> list[str]:
    """Hugo's build, then Pagefind indexing its item pages: pages, feeds and a search index,
    what our build makes."""
    hugo = shlex.join(["hugo", "--quiet", "--source", str(project)])
    pagefind = shlex.join([sys.executable, "-m", "pagefind", "--site", str(project / "public"),
                           "--silent"])
    return ["sh", "-c", f"{hugo} && {pagefind}"]


TOOLS = {
    "ours": Tool("ours", write_portal, _rm("output", ".cache"), _portal_command,
                 _edit_first_news),
    "pelican": Tool("plain Pelican", write_pelican, _rm("output", "cache"),
                    lambda p: [str(Path(sys.executable).parent / "pelican"), "content", "-s",
                               "pelicanconf.py", "-o", "output", "-q"],
                    _edit_first_news),
    "hugo": Tool("Hugo", write_hugo, _rm("public", "resources"),
                 lambda p: ["hugo", "--quiet", "--source", str(p)], _edit_first_news),
    # Hugo makes no search index; Pagefind is how Hugo sites usually get one
    "hugo-pagefind": Tool("Hugo + Pagefind",
                          lambda out, n, seed: write_hugo(out, n, seed, searchable=True),
                          _rm("public", "resources"), _hugo_then_pagefind, _edit_first_news),
}
MODES = ("cold", "no-change", "one-file edit")
#: Where cold builds' previous trees wait until the benchmark ends (see ``set_aside``).
TRASH = ".set-aside"


def run(per_lang: int, runs: int, work: Path, tools: list[str], without: tuple[str, ...] = ()
        ) -> dict[str, dict[str, list]]:
    """Build each tool's project ``runs`` times in each mode; samples by tool and mode. Our
    builds leave out the plugins named in ``without`` (e.g. the search index, to time pages,
    lists and feeds alone). Old trees are left in ``work / TRASH`` for the caller to delete
    once every cold build is done."""
    results: dict[str, dict[str, list[Sample]]] = {}
    for key in tools:
        tool = TOOLS[key]
        project = work / f"{key}-{per_lang}"
        tool.write(project, per_lang, 1)
        results[key] = {mode: [] for mode in MODES}
        for number in range(runs):
            for mode in MODES:
                if mode == "cold":
                    tool.clean(project, work / TRASH)
                elif mode == "one-file edit":
                    tool.edit(project, number)
                _settle(project)
                command = (_portal_command(project, without) if key == "ours"
                           else tool.command(project))
                sample, out = measure(command, project)
                if key == "ours":
                    reported = json.loads(out.strip().splitlines()[-1])
                    sample.stages = reported["stages"]
                    if reported["live_at"]:
                        sample.live = reported["live_at"] - sample.began
                results[key][mode].append(sample)
                print(f"  {tool.name:14} {mode:14} run {number + 1}: {sample.wall:6.2f} s wall "
                      f"{sample.live:6.2f} s live {sample.cpu:6.2f} s CPU "
                      f"{sample.peak_mb:7.0f} MB PSS {sample.peak_rss_mb:7.0f} MB RSS",
                      file=sys.stderr)
    return results


def _stat(values: list[float], digits: int = 2) -> str:
    return (f"{statistics.median(values):.{digits}f} "
            f"[{min(values):.{digits}f}–{max(values):.{digits}f}]")


def table(per_lang: int, runs: int, results: dict[str, dict[str, list[Sample]]],
          without: tuple[str, ...] = ()) -> str:
    """Side by side: median [min–max] of each measure; ratios ours/theirs of the medians."""
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    left_out = f" Our builds leave out: {', '.join(without)}." if without else ""
    lines = [f"## 4 × {per_lang} items, {runs} runs: median [min–max]", "",
             f"{os.cpu_count()} cores; load average after the runs: {load}.{left_out}", "",
             "| build | mode | wall s | pages live s | CPU s | peak MB (PSS) | peak MB (RSS) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for key, modes in results.items():
        for mode, samples in modes.items():
            lines.append(f"| {TOOLS[key].name} | {mode} | {_stat([s.wall for s in samples])} | "
                         f"{_stat([s.live for s in samples])} | "
                         f"{_stat([s.cpu for s in samples])} | "
                         f"{_stat([s.peak_mb for s in samples], 0)} | "
                         f"{_stat([s.peak_rss_mb for s in samples], 0)} |")
    if "ours" in results:
        ours = results["ours"]
        for key in (k for k in results if k != "ours"):
            ratios = []
            for mode in MODES:
                mine = statistics.median(s.wall for s in ours[mode])
                theirs = statistics.median(s.wall for s in results[key][mode])
                ratios.append(f"{mode} {mine / theirs:.2f}")
            lines.append("")
            lines.append(f"Wall-time ratio ours/{TOOLS[key].name}: " + ", ".join(ratios))
        lines += ["", "Stages of our builds (median s; language runs summed over languages):", "",
                  "| mode | " + " | ".join(STAGES) + " |", "| --- |" + " --- |" * len(STAGES)]
        for mode, samples in ours.items():
            cells = []
            for stage in STAGES:
                values = [s.stages[stage] for s in samples if stage in s.stages]
                cells.append(f"{statistics.median(values):.2f}" if values else "n/a")
            lines.append(f"| {mode} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def missing_tools(tools: list[str]) -> list[str]:
    """Notes for comparison builds that cannot run here; those tools are dropped."""
    notes = []
    for key in ("hugo", "hugo-pagefind"):
        if key in tools and shutil.which("hugo") is None:
            tools.remove(key)
            notes.append(f"Hugo is not installed (Debian package 'hugo'): the build of "
                         f"{TOOLS[key].name} is skipped.")
    if "hugo-pagefind" in tools and importlib.util.find_spec("pagefind") is None:
        tools.remove("hugo-pagefind")
        notes.append("Pagefind is not installed (requirements-dev.txt): the build of "
                     "Hugo + Pagefind is skipped.")
    return notes
