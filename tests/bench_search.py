"""Search benchmark: our lunr index parts against Pagefind on the same built site.

Run through ``invoke bench-search``. Prints per language: index build seconds, total bytes and
the bytes a visitor transfers before the first result (raw, gzip, brotli), query time p50/p95 in
Debian's Chromium, and MRR@10 / recall@5 on the judged queries of ``tests/search_queries.json``.
Figures only; nothing here passes or fails.
"""

from __future__ import annotations

import functools
import gzip
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import brotli

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "tests"))

from checkers import launch_chromium, serve_directory  # noqa: E402

LANGS = ("zh", "en", "ja", "ko")
PREFIX = {"zh": "", "en": "en/", "ja": "ja/", "ko": "ko/"}
PAGEFIND_LANG = {"zh": "zh-hans", "en": "en", "ja": "ja", "ko": "ko"}
#: Pagefind indexes the same item pages as we do (not the lists), inside <main>.
GLOB = "{" + ",".join(f"{p}{s}" for p in PREFIX.values() for s in ("news", "notices", "pages")) \
    + "}/*/index.html"
REPEAT = 20
SHOWN = 10

OURS_JS = """async ([q, repeat]) => {
  const base = JSON.parse(document.getElementById('search-config').textContent).base;
  const engine = new PortalSearch.Engine(base);
  const once = async () => {
    const r = await engine.search(q);
    await engine.records(r.hits.slice(0, SHOWN).map(h => h.ref));
    return r;
  };
  const start = performance.now();
  const result = await once();
  const first = performance.now() - start;
  const records = await engine.records(result.hits.slice(0, SHOWN).map(h => h.ref));
  const times = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now(); await once(); times.push(performance.now() - t0);
  }
  return {urls: records.map(r => r[0]), times, first};
}""".replace("SHOWN", str(SHOWN))

PAGEFIND_JS = """async ([q, repeat]) => {
  const start = performance.now();
  const pf = await import('/pagefind/pagefind.js');
  await pf.init();
  const once = async () => {
    const r = await pf.search(q);
    return Promise.all(r.results.slice(0, SHOWN).map(x => x.data()));
  };
  const data = await once();
  const first = performance.now() - start;
  const times = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now(); await once(); times.push(performance.now() - t0);
  }
  return {urls: data.map(d => d.url), times, first};
}""".replace("SHOWN", str(SHOWN))


def sizes(paths: Iterable[Path]) -> tuple[int, int, int]:
    """Raw, gzip -9 and brotli -11 bytes of files, each compressed on its own as served."""
    found = [file_size(path) for path in paths]
    return tuple(sum(f[i] for f in found) for i in range(3))  # type: ignore[return-value]


@functools.cache
def file_size(path: Path) -> tuple[int, int, int]:
    """Files already gzipped (Pagefind's) count as served for gzip, decompressed for raw."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        served, data = len(data), gzip.decompress(data)
    else:
        served = len(gzip.compress(data, 9))
    return len(data), served, len(brotli.compress(data, quality=11))


def kb(triple: tuple[int, int, int]) -> str:
    return "/".join(f"{n / 1024:.1f}" for n in triple)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def relevance(ranked: list[list[str]], judged: list[dict[str, Any]]) -> tuple[float, float]:
    """MRR@10 (first relevant page) and recall@5 (share of relevant pages in the top 5)."""
    mrr = recall = 0.0
    for urls, case in zip(ranked, judged, strict=True):
        expect = set(case["expect"])
        rank = next((i + 1 for i, u in enumerate(urls[:10]) if u in expect), None)
        mrr += 1 / rank if rank else 0.0
        recall += len(expect & set(urls[:5])) / len(expect)
    return mrr / len(judged), recall / len(judged)


def measure(browser: Any, base: str, site: Path, lang: str, start: str, script: str,
            queries: list[str], keep: Callable[[str], bool]) -> dict[str, Any]:
    """Per query in a fresh context (empty cache): files fetched, ranked paths, warm timings."""
    per_query, ranked, times, first = [], [], [], []
    for query in queries:
        context = browser.new_context()
        page = context.new_page()
        fetched: list[str] = []
        page.on("response", lambda r, into=fetched: into.append(urlsplit(r.url).path))
        page.goto(base + start.format(q=quote(query)))
        out = page.evaluate(script, [query, REPEAT])
        context.close()
        files = [site / p.lstrip("/") for p in dict.fromkeys(fetched) if keep(p)]
        per_query.append(sizes(f for f in files if f.is_file()))
        ranked.append([u.removeprefix("/" + PREFIX[lang]).lstrip("/") for u in out["urls"]])
        times += out["times"]
        first.append(out["first"])
    return {"bytes": per_query, "ranked": ranked, "times": times, "first": first}


def pagefind_files(folder: Path, code: str) -> list[Path]:
    """Everything Pagefind's search of one language can load: script, worker, wasm, index."""
    wasm = folder / f"wasm.{code}.pagefind"
    files = [folder / "pagefind.js", folder / "pagefind-worker.js",
             folder / "pagefind-entry.json",
             wasm if wasm.exists() else folder / "wasm.unknown.pagefind"]
    files += folder.glob(f"pagefind.{code}_*.pf_meta")
    for part in ("index", "fragment"):
        files += (folder / part).glob(f"{code}_*")
    return [f for f in files if f.is_file()]


def index_seconds(conf: Path) -> dict[str, float]:
    from portal_build import load_settings
    from portal_model import load_site
    from portal_search import index, inputs

    site = load_site(load_settings(conf))
    seconds = {}
    for lang in site.languages:
        started = time.monotonic()
        index.build(inputs.documents(site.items[lang.code]), english=not lang.cjk,
                    locale=lang.locale)
        seconds[lang.code] = time.monotonic() - started
    return seconds


def run(output: Path, conf: Path, judged_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    judged = json.loads(judged_path.read_text("utf-8"))
    seconds = index_seconds(conf)
    work = Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        site = work / "site"
        shutil.copytree(output, site)
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--silent",
                        "--root-selector", "main",
                        "--glob", GLOB], check=True)
        pagefind_seconds = time.monotonic() - started
        scripts = [site / "theme" / "js" / "lunr.min.js", site / "theme" / "js" / "search.js"]
        rows = []
        with serve_directory(site) as base, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            for lang in LANGS:
                queries = [case["q"] for case in judged[lang]]
                ours = measure(browser, base, site, lang, PREFIX[lang] + "search/?q={q}",
                               OURS_JS, queries,
                               lambda p: p.startswith("/theme/js/")
                               or ("/search/" in p and p.endswith(".json")))
                theirs = measure(browser, base, site, lang, PREFIX[lang], PAGEFIND_JS, queries,
                                 lambda p: p.startswith("/pagefind/"))
                folder = site / PREFIX[lang] / "search"
                our_total = sizes([*scripts, *(p for p in folder.rglob("*.json"))])
                their_files = pagefind_files(site / "pagefind", PAGEFIND_LANG[lang])
                for name, data, total, secs in (
                        ("lunr", ours, our_total, f"{seconds[lang]:.2f}"),
                        ("pagefind", theirs, sizes(their_files), f"{pagefind_seconds:.2f}*")):
                    per = data["bytes"]
                    median = tuple(int(statistics.median(b[i] for b in per)) for i in range(3))
                    worst = tuple(max(b[i] for b in per) for i in range(3))
                    mrr, recall = relevance(data["ranked"], judged[lang])
                    judged_here = any((site / PREFIX[lang] / path).is_dir()
                                      for case in judged[lang] for path in case["expect"])
                    rows.append([lang, name, secs, kb(total), kb(median), kb(worst),
                                 f"{pct(data['times'], 0.5):.1f}",
                                 f"{pct(data['times'], 0.95):.1f}",
                                 f"{pct(data['first'], 0.5):.0f}",
                                 f"{mrr:.3f}" if judged_here else "-",
                                 f"{recall:.3f}" if judged_here else "-"])
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    head = ["lang", "engine", "build s", "total KB raw/gz/br", "per query KB (median)",
            "per query KB (max)", "p50 ms", "p95 ms", "first ms", "MRR@10", "recall@5"]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    print("\np50/p95: a query once its parts are loaded (repeated); first: the median first "
          "query on an empty cache from a local server, loading included.")
    print(f"Per query: everything transferred before the first {SHOWN} results show (scripts, "
          "index parts, result data), on an empty cache. * Pagefind indexes all languages in "
          "one run; its time is for all of them. Pagefind's files are gzipped by Pagefind, so "
          "its gzip figure is what it serves.")
