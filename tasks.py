"""Tasks for editors, operators and developers: `invoke --list` shows them all."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from invoke import Context, Exit, task

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT))
CONF = ROOT / "pelicanconf.py"
PUBLISH_CONF = ROOT / "publishconf.py"
OUTPUT = ROOT / "output"
TRANSLATIONS = ROOT / "theme" / "translations"
POT = TRANSLATIONS / "messages.pot"
LANGS = ("zh", "en", "ja", "ko")
PUBLISH_CONFIG = ROOT / "publish.yml"
BIN = Path(sys.executable).parent  # the tools of the environment invoke runs in


def _build(output: Path, *, prod: bool = False, drafts: bool = False, build_date: str = "",
           strict: bool = True, config: str = "", pages_first: bool = False,
           on_live: Callable[[], None] = lambda: None) -> None:
    """Build and print the summary; ``on_live``: called as soon as the new pages are live
    (before the search index of a pages-first build)."""
    from portal_build import BuildError, BuildReport, ContentError, build

    def live(report: BuildReport) -> None:
        on_live()
        print(f"Pages live in {report.seconds:.1f} s; now updating the search index of "
              f"{', '.join(report.postponed)}.", flush=True)

    when = dt.date.fromisoformat(build_date) if build_date else None
    try:
        conf = Path(config) if config else PUBLISH_CONF if prod else CONF
        report = build(conf, output, drafts=drafts, build_date=when, strict=strict,
                       pages_first=pages_first, on_live=live)
    except (ContentError, BuildError) as exc:
        raise Exit(f"Build failed. {exc}", code=1) from None
    if not report.postponed:
        on_live()
    pages = ", ".join(f"{lang} {count}" for lang, count in report.pages.items())
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    unchanged = f"; unchanged, kept as they were: {', '.join(report.unchanged)}" \
        if report.unchanged else ""
    print(f"Built {output} in {report.seconds:.1f} s (pages: {pages}{unchanged}).", flush=True)
    if report.scheduled:
        when, source = report.scheduled[0]
        shown = "shown in this preview" if drafts else "not published yet"
        print(f"Scheduled, {shown}: {len(report.scheduled)} item(s) dated later; the next is "
              f"{source} on {when:%Y-%m-%d %H:%M}, which the first build after then publishes.",
              flush=True)


def _output(output: str, config: str) -> Path:
    """Where a build writes: --output, else the output/ folder of the portal built."""
    return Path(output) if output else Path(config).resolve().parent / "output" if config \
        else OUTPUT


@task(help={"prod": "build with publishconf.py (absolute URLs, production settings)",
            "drafts": "include drafts, with a draft banner (editors' preview only)",
            "build_date": "the date the build treats as today, YYYY-MM-DD",
            "output": "where to write the site (default: output/ beside the settings file)",
            "config": "another settings file (its folder is the portal to build)"})
def build(c: Context, prod: bool = False, drafts: bool = False, build_date: str = "",
          output: str = "", config: str = "") -> None:
    """Build every language into output/, replacing it only when the build succeeds."""
    _build(_output(output, config), prod=prod, drafts=drafts, build_date=build_date,
           config=config)


@task(help={"port": "port to listen on (default 8000)",
            "drafts": "show drafts with a draft banner (never publish this output)",
            "output": "where to write the site (default: output/ beside the settings file)",
            "config": "another settings file (its folder is the portal to serve)"})
def serve(c: Context, port: int = 8000, drafts: bool = False, output: str = "",
          config: str = "") -> None:
    """Serve output/ on http://127.0.0.1:PORT and rebuild when content, theme or code change."""
    import threading

    from watchfiles import watch

    from portal_build.serve import PreviewState, preview_server

    target = _output(output, config)
    portal = Path(config).resolve().parent if config else ROOT
    _build(target, drafts=drafts, strict=False, config=config)
    state = PreviewState()  # a failed rebuild's error, shown on top of the pages
    threading.Thread(target=preview_server(target, port, state).serve_forever,
                     daemon=True).start()
    watched = [portal / name for name in ("content", "data", "theme", "plugins")
               if (portal / name).exists()] + [Path(config) if config else CONF]
    announced = False
    try:
        # the watcher sets itself up when first asked: the first (empty) batch after half a
        # second says it is watching, and only then is "Serving on" true (a save before it
        # would go unnoticed)
        for changes in watch(*watched, yield_on_timeout=True, rust_timeout=500):
            if not announced:
                print(f"Serving on http://127.0.0.1:{port}/ (Ctrl+C to stop)", flush=True)
                announced = True
            if not changes:
                continue
            _restart_for_new_code(changes)
            try:  # an edit's pages go live first, its search index seconds later
                _build(target, drafts=drafts, strict=False, config=config, pages_first=True,
                       on_live=state.changed)  # the pages reload
            except Exit as exc:
                state.changed(str(exc.message))
                print(exc.message, file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        pass


def _restart_for_new_code(changes: set[tuple[object, str]]) -> None:
    """Start serve again when Python code changed (a plugin, or the settings file): the
    process and the language runs it forks keep the code they imported and the plugins they
    connected (one taken out of PLUGINS would go on running), and pages rendered by the old
    code under the new code's fingerprint would be kept as up to date by later builds."""
    code = sorted({path for _, path in changes if path.endswith(".py")})
    if not code:
        return
    shown = ", ".join(os.path.relpath(path) for path in code[:3])
    print(f"Python code changed ({shown}): restarting to load it.", flush=True)
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])


@task
def clean(c: Context) -> None:
    """Remove output/, its spare and old trees, and the build caches."""
    for path in (OUTPUT, ROOT / ".cache", *ROOT.glob(".output.*")):
        shutil.rmtree(path, ignore_errors=True)
    print("Removed output/ and .cache/.")


@task(help={"path": "<language>/<section>/<file name>, e.g. zh/notices/holiday-2027",
            "title": "its title (else left for you to fill in)",
            "config": "another settings file (its folder is the portal)"})
def new(c: Context, path: str, title: str = "", config: str = "") -> None:
    """Start a content file with the front matter its section requires."""
    from portal_build import load_settings
    from portal_model import ContentError, languages_from
    from portal_model.model import build_moment
    from portal_model.scaffold import data_keys, new_file

    settings = load_settings(Path(config) if config else CONF)
    root = Path(settings["PORTAL_ROOT"])
    try:
        written = new_file(root / settings.get("PORTAL_CONTENT", "content"),
                           languages_from(settings), path, data_keys(root / "data"),
                           build_moment(settings, None).date(), title)
    except ContentError as exc:
        raise Exit(str(exc), code=1) from None
    print(f"Wrote {written.relative_to(root)}: fill in the keys marked 'required' and the text; "
          "the build names any left blank.")


@task(name="i18n-extract")
def i18n_extract(c: Context) -> None:
    """Extract every user-facing string of the theme and plugins into messages.pot."""
    c.run(f"{BIN / 'pybabel'} extract --no-location --sort-output -F {ROOT / 'babel.cfg'} "
          f"-o {POT} {ROOT / 'theme' / 'templates'} {ROOT / 'plugins'}")


@task(name="i18n-update", pre=[i18n_extract])
def i18n_update(c: Context) -> None:
    """Merge new strings from messages.pot into each language's messages.po."""
    for lang in LANGS:
        po = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
        action = "update" if po.exists() else "init"
        c.run(f"{BIN / 'pybabel'} {action} --no-wrap -i {POT} -d {TRANSLATIONS} -l {lang}")


@task(name="i18n-compile")
def i18n_compile(c: Context) -> None:
    """Compile the catalogs to .mo files and fail when any language lacks a translation."""
    from portal_i18n.check import untranslated

    c.run(f"{BIN / 'pybabel'} compile --statistics -d {TRANSLATIONS}")
    gaps = untranslated(TRANSLATIONS, LANGS)
    if gaps:
        raise Exit("Untranslated strings:\n  " + "\n  ".join(gaps), code=1)


@task(help={"lang": "only this language (default: all)",
            "stamp": "a translation file to mark as translated from its current source"})
def translations(c: Context, lang: str = "", stamp: str = "") -> None:
    """List missing and outdated translations per language; --stamp marks one as up to date."""
    from portal_build import load_settings
    from portal_model import load_site
    from portal_model.status import report, stamp_file

    site = load_site(load_settings(CONF), show_drafts=True)  # translated before published
    if stamp:
        print(stamp_file(site, Path(stamp).resolve()))
        return
    print(report(site, [lang] if lang else None))


@task(name="bench-pdf", help={"count": "documents to render (default 50, three pages each)",
                               "jobs": "worker processes (default: one per core)"})
def bench_pdf(c: Context, count: int = 50, jobs: int = 0) -> None:
    """Build COUNT Chinese PDF documents twice: PDFs per second, peak memory, re-renders."""
    from portal_pdf.bench import run

    print(run(ROOT, count, jobs))
@task(help={"partners": "the partners file (default: PORTAL_SYNDICATION, syndication.yml)",
            "state": "the folder of delivery ledgers; keep it between runs (default "
                     ".syndication/)",
            "dry_run": "show what would be sent, send nothing",
            "retry_rejected": "send again what partners rejected (after fixing the cause)",
            "config": "settings file (default: publishconf.py, as the production build)",
            "output": "the built site to syndicate (default: output/)"})
def syndicate(c: Context, partners: str = "", state: str = "", dry_run: bool = False,
              retry_rejected: bool = False, config: str = "", output: str = "") -> None:
    """Push new, updated and withdrawn items to partners; run after 'invoke build --prod'."""
    from portal_build import ContentError, load_model
    from portal_syndication import SyndicationError
    from portal_syndication import syndicate as push

    conf = Path(config) if config else PUBLISH_CONF
    try:
        site = load_model(conf.resolve())
        root = Path(site.settings["PORTAL_ROOT"])
        summary = push(site, Path(output) if output else root / "output",
                       Path(partners) if partners else
                       root / site.settings.get("PORTAL_SYNDICATION", "syndication.yml"),
                       Path(state) if state else root / ".syndication",
                       dry_run=dry_run, retry_rejected=retry_rejected,
                       report=lambda line: print(line, flush=True))
    except (ContentError, SyndicationError) as exc:
        raise Exit(f"Syndication stopped: {exc}", code=1) from None
    print(summary.table(), flush=True)
    if summary.rejected:
        raise Exit("Some partners rejected items (see above).", code=1)
@task(help={"target": "a target of publish.yml (default: its 'default')",
            "dry_run": "show what would be uploaded and deleted, change nothing",
            "all": "send unchanged files too (after a change of cache or type headers)",
            "output": "the built site to publish (default: output/)",
            "config": "the targets file (default: publish.yml)"})
def publish(c: Context, target: str = "", dry_run: bool = False, all: bool = False,
            output: str = "", config: str = "") -> None:
    """Copy the built site to a target: assets first, HTML last, deletions at the end."""
    from portal_publish.rclone import PublishError, load_targets
    from portal_publish.rclone import publish as publish_to

    try:
        targets, default = load_targets(Path(config) if config else PUBLISH_CONFIG)
        name = target or default
        if name not in targets:
            raise PublishError(f"no target '{name}' in publish.yml; there are: "
                               + ", ".join(sorted(targets)))
        report = publish_to(Path(output) if output else OUTPUT, targets[name], dry_run=dry_run,
                            everything=all)
    except PublishError as exc:
        raise Exit(f"Publishing failed. {exc}", code=1) from None
    for name in report.uploaded:
        print(f"  {'would upload' if dry_run else 'uploaded'} {name}")
    for name in report.deleted:
        print(f"  {'would delete' if dry_run else 'deleted'} {name}")
    print(report.summary())


@task(name="nginx-conf",
      help={"out": "file to write (default: print it)",
            "root": "the folder nginx serves (default: output/)",
            "port": "port to listen on (default 80)",
            "server_name": "host names (default: the host of PORTAL_SITE_URL in publishconf.py)"})
def nginx_conf(c: Context, out: str = "", root: str = "", port: int = 80,
               server_name: str = "") -> None:
    """Write the nginx server block: precompressed files, cache and security headers, 404s."""
    from urllib.parse import urlsplit

    from portal_build import load_settings
    from portal_publish.nginx import server_block

    settings = load_settings(PUBLISH_CONF)
    try:
        text = server_block(
            root=str(Path(root).resolve() if root else OUTPUT),
            prefixes=[lang["prefix"] for lang in settings["LANGUAGES"] if lang["prefix"]],
            server_name=server_name or urlsplit(settings["PORTAL_SITE_URL"]).hostname or "_",
            port=port, form_endpoint=settings.get("PORTAL_FORM_ENDPOINT", ""))
    except ValueError as exc:
        raise Exit(str(exc), code=1) from None
    if out:
        Path(out).write_text(text, encoding="utf-8")
        print(f"Wrote {out}.")
    else:
        print(text, end="")


@task(name="bench-pages",
      help={"lighthouse": "also run Lighthouse (slow: about 20 s a page)",
            "output": "where to build the production site (default: a temporary folder)",
            "pages": "more pages to measure, comma-separated paths such as pages/about/"})
def bench_pages(c: Context, lighthouse: bool = True, output: str = "", pages: str = "") -> None:
    """Page weight (HTML+CSS+JS, compressed) and Lighthouse scores of key pages, every language."""
    import tempfile

    from portal_build import load_settings
    from portal_build.trees import settle
    from portal_publish import bench

    languages = load_settings(PUBLISH_CONF)["LANGUAGES"]
    prefixes = {lang["code"]: f"{lang['prefix']}/" if lang["prefix"] else "" for lang in languages}
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as work:
        site = Path(output) if output else Path(work) / "output"
        _build(site, prod=True)
        bench.run(site, Path(work), lighthouse_scores=lighthouse, prefixes=prefixes,
                  node_modules=ROOT / "node_modules", extra=[p for p in pages.split(",") if p])
        settle(site)  # the build's background work, before its folder goes
@task(help={"strict": "exit non-zero when anything is found",
            "build_date": "the date the audit treats as today, YYYY-MM-DD"})
def audit(c: Context, strict: bool = False, build_date: str = "") -> None:
    """Compliance report per language: stale or empty columns, late letters, missing links."""
    from portal_audit import audit as find
    from portal_audit import report
    from portal_build import load_settings
    from portal_model import ContentError, load_site

    when = dt.date.fromisoformat(build_date) if build_date else None
    try:
        site = load_site(load_settings(CONF), build_date=when)
    except ContentError as exc:
        raise Exit(f"Audit failed: the content does not load. {exc}", code=1) from None
    findings = find(site)
    print(report(site, findings))
    if strict and findings:
        raise Exit(f"{len(findings)} finding(s).", code=1)


@task(help={"fast": "skip the browser and validator tests"})
def test(c: Context, fast: bool = False) -> None:
    """Lint, then run the whole test suite, one worker per core."""
    c.run(f"{BIN / 'ruff'} check {ROOT}")
    marker = " -m 'not slow'" if fast else ""
    c.run(f"{BIN / 'pytest'} -q -n auto{marker} {ROOT / 'tests'}")


@task(name="bench-search",
      help={"output": "a built site to measure (default: build the demo into a temporary folder)",
            "config": "the settings the site was built with (default: pelicanconf.py)",
            "queries": "judged queries, JSON (default: tests/search_queries.json)"})
def bench_search(c: Context, output: str = "", config: str = "", queries: str = "") -> None:
    """Compare our search with Pagefind per language: build time, bytes, speed, relevance."""
    import tempfile

    from portal_build.trees import settle

    sys.path.insert(0, str(ROOT / "tests"))
    from bench_search import run

    conf = Path(config) if config else CONF
    judged = Path(queries) if queries else ROOT / "tests" / "search_queries.json"
    if output:
        run(Path(output), conf, judged)
        return
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        site = Path(folder) / "output"
        _build(site, config=str(conf))
        run(site, conf, judged)
        settle(site)  # the build's background work, before its folder goes
@task(name="gen-corpus",
      help={"per_lang": "items per language (split across every section)",
            "out": "the project folder to write (a previously generated one is replaced)",
            "seed": "random seed; the same seed writes the same corpus"})
def gen_corpus(c: Context, per_lang: int = 100, out: str = "", seed: int = 1) -> None:
    """Write a realistic, deterministic portal project for benchmarks and scale tests."""
    from benchmarks.corpus import write_portal

    if not out:
        raise Exit("Say where to write the project: --out DIR (it is replaced).", code=2)

    try:
        count = write_portal(Path(out).resolve(), per_lang, seed)
    except FileExistsError as exc:
        raise Exit(str(exc), code=1) from None
    print(f"Wrote {count} content files to {out}; build it with "
          f"invoke build --config {Path(out) / 'pelicanconf.py'} --output …")


@task(name="bench-build",
      help={"per_lang": "corpus sizes, items per language, comma-separated (e.g. 500,2000)",
            "runs": "runs of each build (median and min–max are shown)",
            "tools": "which builds: ours, pelican, hugo, hugo-pagefind (comma-separated)",
            "work": "folder for the generated projects (default: a temporary folder)",
            "without": "plugins our builds leave out, comma-separated (e.g. portal_search, "
                       "to time pages, lists and feeds alone)"})
def bench_build(c: Context, per_lang: str = "500,2000", runs: int = 3,
                tools: str = "ours,pelican,hugo,hugo-pagefind", work: str = "",
                without: str = "") -> None:
    """Benchmark cold, no-change and one-file-edit builds against plain Pelican and Hugo
    (alone, and followed by Pagefind for a search index)."""
    import tempfile

    from benchmarks.bench import TRASH, missing_tools, run, table

    chosen = [t.strip() for t in tools.split(",") if t.strip()]
    for note in missing_tools(chosen):
        print(note)
    folder = Path(work) if work else Path(tempfile.mkdtemp(prefix="portal-bench-"))
    left_out = tuple(p.strip() for p in without.split(",") if p.strip())
    for size in (int(n) for n in per_lang.split(",")):
        print(table(size, runs, run(size, runs, folder, chosen, left_out), left_out), flush=True)
        print()
    shutil.rmtree(folder if not work else folder / TRASH, ignore_errors=True)


@task(name="bench-preview",
      help={"per_lang": "items per language of the generated portal",
            "edits": "edits timed one after another (the first runs every language)",
            "work": "folder for the generated project (default: a temporary folder)"})
def bench_preview(c: Context, per_lang: int = 2000, edits: int = 5, work: str = "") -> None:
    """Time what an editor waits for in invoke serve: saving a file → the new page served."""
    import tempfile

    from benchmarks.preview import run, table

    folder = Path(work) if work else Path(tempfile.mkdtemp(prefix="portal-bench-"))
    try:
        print(table(per_lang, run(per_lang, edits, folder)), flush=True)
    finally:
        if not work:
            shutil.rmtree(folder, ignore_errors=True)


@task(name="bench-traditional",
      help={"config": "the project's pelicanconf.py (default: the demo portal)",
            "runs": "cold builds of each variant (median and min–max are shown)",
            "pdf": "include PDFs (left out by default: they cost per document, not per language)"})
def bench_traditional(c: Context, config: str = "", runs: int = 3, pdf: bool = False) -> None:
    """What the generated zh-Hant site adds to a cold build (CPU, wall, memory)."""
    from benchmarks.traditional import run, table

    conf = Path(config or ROOT / "pelicanconf.py").resolve()
    print(table(conf, runs, pdf, run(conf, runs, pdf)))
