"""Tasks for editors, operators and developers: `invoke --list` shows them all."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
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
BIN = Path(sys.executable).parent  # the tools of the environment invoke runs in


def _build(output: Path, *, prod: bool = False, drafts: bool = False, build_date: str = "",
           strict: bool = True, config: str = "") -> None:
    from portal_build import BuildError, ContentError, build

    when = dt.date.fromisoformat(build_date) if build_date else None
    try:
        conf = Path(config) if config else PUBLISH_CONF if prod else CONF
        report = build(conf, output, drafts=drafts, build_date=when, strict=strict)
    except (ContentError, BuildError) as exc:
        raise Exit(f"Build failed. {exc}", code=1) from None
    pages = ", ".join(f"{lang} {count}" for lang, count in report.pages.items())
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    print(f"Built {output} in {report.seconds:.1f} s (pages: {pages}).")


@task(help={"prod": "build with publishconf.py (absolute URLs, production settings)",
            "drafts": "include drafts, with a draft banner (editors' preview only)",
            "build_date": "the date the build treats as today, YYYY-MM-DD",
            "output": "where to write the site (default: output/)",
            "config": "another settings file (its folder is the portal to build)"})
def build(c: Context, prod: bool = False, drafts: bool = False, build_date: str = "",
          output: str = "", config: str = "") -> None:
    """Build every language into output/, replacing it only when the build succeeds."""
    _build(Path(output) if output else OUTPUT, prod=prod, drafts=drafts, build_date=build_date,
           config=config)


@task(help={"port": "port to listen on (default 8000)",
            "drafts": "show drafts with a draft banner (never publish this output)"})
def serve(c: Context, port: int = 8000, drafts: bool = False) -> None:
    """Serve output/ on http://127.0.0.1:PORT and rebuild when content, theme or code change."""
    import threading

    from watchfiles import watch

    from portal_build.serve import serve_forever

    _build(OUTPUT, drafts=drafts, strict=False)
    threading.Thread(target=serve_forever, args=(OUTPUT, port), daemon=True).start()
    print(f"Serving on http://127.0.0.1:{port}/ (Ctrl+C to stop)")
    watched = [ROOT / name for name in ("content", "data", "theme", "plugins", "pelicanconf.py")]
    try:
        for _changes in watch(*watched):
            try:
                _build(OUTPUT, drafts=drafts, strict=False)
            except Exit as exc:
                print(exc.message, file=sys.stderr)
    except KeyboardInterrupt:
        pass


@task
def clean(c: Context) -> None:
    """Remove output/ and the build caches."""
    for path in (OUTPUT, ROOT / ".cache"):
        shutil.rmtree(path, ignore_errors=True)
    print("Removed output/ and .cache/.")


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

    site = load_site(load_settings(CONF))
    if stamp:
        print(stamp_file(site, Path(stamp).resolve()))
        return
    print(report(site, [lang] if lang else None))


@task(help={"fast": "skip the browser and validator tests"})
def test(c: Context, fast: bool = False) -> None:
    """Lint, then run the whole test suite."""
    c.run(f"{BIN / 'ruff'} check {ROOT}")
    marker = " -m 'not slow'" if fast else ""
    c.run(f"{BIN / 'pytest'} -q{marker} {ROOT / 'tests'}")


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
            "tools": "which builds: ours, pelican, hugo (comma-separated)",
            "work": "folder for the generated projects (default: a temporary folder)"})
def bench_build(c: Context, per_lang: str = "500,2000", runs: int = 3,
                tools: str = "ours,pelican,hugo", work: str = "") -> None:
    """Benchmark cold, no-change and one-file-edit builds against plain Pelican and Hugo."""
    import tempfile

    from benchmarks.bench import missing_tools, run, table

    chosen = [t.strip() for t in tools.split(",") if t.strip()]
    for note in missing_tools(chosen):
        print(note)
    folder = Path(work) if work else Path(tempfile.mkdtemp(prefix="portal-bench-"))
    for size in (int(n) for n in per_lang.split(",")):
        print(table(size, runs, run(size, runs, folder, chosen)), flush=True)
        print()
    if not work:
        shutil.rmtree(folder, ignore_errors=True)
