"""portal_build: one Pelican run per language, in parallel, into a staging folder that
replaces ``output/`` only when every language built cleanly.

The content model is loaded once in the parent process; language runs are forked from it,
so each source is read and parsed once per build however many languages there are.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import multiprocessing
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blinker import signal
from jinja2 import FileSystemBytecodeCache
from pelican import Pelican, signals
from pelican.log import console
from pelican.settings import read_settings

import portal_model
from portal_model import ContentError, Site, load_site
from portal_model.pages import list_pages
from portal_model.store import code_version, versioned

from . import incremental, trees
from .incremental import defer, keep_previous, postpone
from .timing import take, timed

log = logging.getLogger(__name__)

#: Sent in the parent after every language is written, before the swap:
#: ``site_built.send(site, output=staging_dir, settings=settings)``. Cross-language outputs
#: (sitemap, robots.txt) listen here.
site_built = signal("portal_site_built")

#: Sent in the parent after the model is loaded and theme assets are copied, before the
#: language runs fork: outputs that pages depend on (PDFs and their sizes) are made here.
before_languages = signal("portal_before_languages")

#: Work ``before_languages`` receivers queued with ``alongside`` for this build.
_alongside: list[incremental.Deferred] = []


def alongside(function: Callable[..., Any], *args: Any) -> None:
    """Have ``function(*args)`` called during the build in a worker forked from the parent,
    queued behind the language runs, so that it fills a core they leave idle (five
    languages on two cores leave one idle for a whole run): for an output made from the
    model alone (the sitemap), written into the staging tree. Call it from a
    ``before_languages`` receiver; ``function`` is named by its module (pickled) and finds
    the model with ``portal_model.current()``."""
    _alongside.append((function, args))


#: Sent in the parent last, after every ``site_built`` receiver, before the swap:
#: ``site_finished.send(site, output=staging_dir, settings=settings)``. Transforms of the
#: whole output (fingerprinting, minifying, precompressing) listen here, since blinker does
#: not call a signal's receivers in any set order and these must see every file.
site_finished = signal("portal_site_finished")


class BuildError(Exception):
    """The build failed; ``output/`` was left as it was."""


@dataclass
class BuildReport:
    output: Path
    seconds: float
    pages: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: Seconds per stage: read (model), pelican (its readers and contexts), render, write,
    #: site (site_built receivers), swap, and any stage plugins time with ``timed()``.
    #: Stages of the language runs are summed over languages (they run in parallel).
    stages: dict[str, float] = field(default_factory=dict)
    #: Pages rendered, and pages kept unchanged from the previous output.
    rendered: int = 0
    linked: int = 0
    #: Languages in which nothing changed: their files were kept without running Pelican.
    unchanged: list[str] = field(default_factory=list)
    #: Seconds until the new pages were live: ``seconds``, or less in a pages-first build
    #: whose first swap published them before the postponed outputs were made.
    live: float = 0.0
    #: Languages whose postponed outputs (``postpone``) followed in a second build.
    postponed: list[str] = field(default_factory=list)
    #: Sources dated after the build (``Item.scheduled``), soonest first: (date, source).
    scheduled: list[tuple[dt.datetime, str]] = field(default_factory=list)


def load_settings(conf: Path, **overrides: Any) -> dict[str, Any]:
    """Pelican settings from a config file, with the portal's root resolved."""
    conf = conf.resolve()
    plugins = str(conf.parent / "plugins")
    if plugins not in sys.path:
        sys.path.insert(0, plugins)
    # Pelican imports a settings file as a module named after it; another portal's
    # pelicanconf left in sys.modules would otherwise be what publishconf.py imports.
    for name in ("pelicanconf", conf.stem):
        sys.modules.pop(name, None)
    try:
        return read_settings(str(conf), override={"PORTAL_ROOT": str(conf.parent), **overrides})
    finally:
        for name in ("pelicanconf", conf.stem):
            sys.modules.pop(name, None)


def load_model(conf: Path, build_date: dt.date | None = None, **overrides: Any) -> Site:
    """The published model as a build sees it (plugins' model hooks included), without
    building: for tasks that read what the last build published, such as syndication."""
    settings = load_settings(conf, **overrides)
    site = load_site(settings, build_date=build_date)
    portal_model.use(site)
    return site


def build(conf: Path, output: Path, *, drafts: bool = False, build_date: dt.date | None = None,
          jobs: int | None = None, strict: bool = True, pages_first: bool = False,
          on_live: Callable[[BuildReport], None] | None = None,
          **overrides: Any) -> BuildReport:
    """Build every language into ``output`` atomically; raise ContentError or BuildError.

    ``pages_first`` (for previews): outputs that plugins ``postpone`` (a search index that
    must be built anew) keep their previous files in a first build, which publishes the
    pages; ``on_live`` is told, and a second build makes those outputs and swaps again,
    from the same model and fingerprint (an edit saved meanwhile is the next build's)."""
    started = time.monotonic()
    options = {"drafts": drafts, "build_date": build_date, "jobs": jobs, "strict": strict}
    report, model = _build(conf, output, options, overrides, pages_first=pages_first)
    report.live = report.seconds = time.monotonic() - started
    if not report.postponed:
        return report
    if on_live is not None:
        on_live(report)
    final, _ = _build(conf, output, options, overrides, pages_first=False, model=model)
    final.seconds = time.monotonic() - started
    final.live, final.postponed = report.live, report.postponed
    final.warnings = report.warnings + [w for w in final.warnings if w not in report.warnings]
    for stage, seconds in report.stages.items():
        final.stages[stage] = final.stages.get(stage, 0.0) + seconds
    return final


@dataclass
class _Model:
    """What a build read: the second build of a pages-first build uses it again."""

    settings: dict[str, Any]
    site: Site
    fingerprint: str
    #: What each language shows (its key), as the last build from this model worked out.
    keys: dict[str, str] = field(default_factory=dict)


def _build(conf: Path, output: Path, options: dict[str, Any], overrides: dict[str, Any],
           pages_first: bool, model: _Model | None = None) -> tuple[BuildReport, _Model]:
    """One build: every language into a staging tree, swapped in when all succeeded."""
    drafts, build_date, strict = options["drafts"], options["build_date"], options["strict"]
    take()
    output = output.resolve()
    staging = output.parent / f".{output.name}.staging-{os.getpid()}"
    spare = trees.Spare(output, staging)  # scanned while the model is read
    collector = _Collector()
    logging.getLogger().addHandler(collector)
    if model is None:
        gc.unfreeze()  # the previous build's model, frozen below, can be collected again
        try:
            settings = load_settings(conf, **overrides)
            with timed("read"), _no_collection():
                site = load_site(settings, show_drafts=drafts, build_date=build_date)
                # frozen before the collector is on again, or its first pass walks everything
                # the model made (all still in the youngest generation: 0.25 s at 4 × 10,000)
                gc.freeze()
        except BaseException:
            logging.getLogger().removeHandler(collector)
            spare.release()
            raise
    else:
        settings, site = dict(model.settings), model.site
    portal_model.use(site)
    site.by_source  # noqa: B018 -- computed once here, not once in every language run
    for lang in site.languages:
        list_pages(site, lang.code)

    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    cache = portal_model.cache_folder(settings)
    manifests = {lang.code: incremental.manifest_path(cache, output, lang.code)
                 for lang in site.languages}
    new_manifests: list[tuple[Path, Path]] = []
    try:
        try:
            with timed("static"):
                _copy_static(settings, staging)
                _copy_files(site, staging)
            _alongside.clear()
            before_languages.send(site, output=staging, settings=settings)
            jobs_alongside = list(_alongside)
        finally:  # warnings of the parent's outputs (PDFs) count like the languages' ones
            logging.getLogger().removeHandler(collector)
        if model is None:
            with timed("read"):
                base = incremental.fingerprint(conf, settings, (build_date, drafts, sorted(
                    overrides.items()), site.build_date, str(output)))
            model = _Model(dict(settings), site, base)
        base = model.fingerprint
        jobs = options["jobs"] or min(len(site.languages), os.cpu_count() or 1)
        context = multiprocessing.get_context("fork")
        # not part of the fingerprint: the pages of both builds are the same
        settings["PORTAL_PAGES_FIRST"] = pages_first
        runs = [(lang.code, str(staging), settings, base, str(output / lang.prefix),
                 str(manifests[lang.code]), model.keys.get(lang.code))
                for lang in site.languages]
        # The model is shared with the forked runs: frozen, the collector neither walks it
        # again in every run nor touches (and so copies) its pages of memory. It stays
        # frozen after the build: a process that exits then does not walk it either (0.2 s
        # at 4 × 2000 items); the next build in the same process unfreezes it.
        gc.freeze()
        results, finished = _run_languages(context.Pool(processes=jobs, maxtasksperchild=1),
                                           runs, [lang.code for lang in site.languages],
                                           jobs_alongside)
        # the same model and fingerprint give the same keys: a second build of a pages-first
        # build does not work them out again (hashing every item of a language: at 4 × 10,000
        # items half a second a language)
        model.keys = {result.code: result.key for result in results if result.key}
        report = BuildReport(output=output, seconds=0.0, warnings=list(collector.records),
                             scheduled=_scheduled(site))
        stages = take()
        for code, files, deferred_stages, problems in finished:
            if code:  # else work done alongside, in no language's folder
                incremental.add_files(next(r.manifest for r in results if r.code == code),
                                      files)
            report.warnings += problems
            for stage, seconds in deferred_stages.items():
                stages[stage] = stages.get(stage, 0.0) + seconds
        kept: trees.Kept = {}
        for result in results:
            prefix = site.language(result.code).prefix
            kept.update((f"{prefix}/{name}" if prefix else name, stamp)
                        for name, stamp in result.kept.items())
            report.pages[result.code] = result.pages
            report.warnings.extend(result.problems)
            report.rendered += result.rendered
            report.linked += result.linked
            if result.skipped:
                report.unchanged.append(result.code)
            if result.postponed:
                report.postponed.append(result.code)
            if result.manifest:
                new_manifests.append((Path(result.manifest), manifests[result.code]))
            for stage, seconds in result.stages.items():
                stages[stage] = stages.get(stage, 0.0) + seconds
        errors = [p for p in report.warnings if p.startswith("ERROR")]
        if errors or (strict and report.warnings):
            raise BuildError("the build logged problems, so output/ was left as it was:\n  "
                             + "\n  ".join(report.warnings))
        with timed("write"):
            tree = spare.complete(staging, kept)
        with timed("site"):
            site_built.send(site, output=tree, settings=settings)
            site_finished.send(site, output=tree, settings=settings)
        with timed("swap"):
            trees.swap(tree, output)
            for new, final in new_manifests:  # they describe the output now live
                new.replace(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        spare.release()  # the tree being completed, if it was
        for new, _ in new_manifests:
            new.unlink(missing_ok=True)
        raise
    for stage, seconds in take().items():
        stages[stage] = stages.get(stage, 0.0) + seconds
    report.stages = stages
    return report, model


#: What deferred work reports: its language, the files it wrote, its stages, its problems.
_Deferred = tuple[str, incremental.Files, dict[str, float], list[str]]


def _run_languages(pool: Any, runs: list[tuple[Any, ...]], order: list[str],
                   beside: list[incremental.Deferred]
                   ) -> tuple[list[_LanguageResult], list[_Deferred]]:
    """Every language's run, the work queued ``alongside`` behind them, and the work the runs
    deferred (see ``defer``), queued as each run ends behind the runs still waiting;
    results in the languages' order."""
    with pool:
        results = []
        ordered = pool.imap_unordered(_run_language, runs, chunksize=1)
        later = [pool.apply_async(_run_deferred, ("", work)) for work in beside]
        for result in ordered:
            results.append(result)
            if result.manifest:  # the run succeeded
                later += [pool.apply_async(_run_deferred, (result.code, work))
                          for work in result.deferred]
        finished = [waiting.get() for waiting in later]
    results.sort(key=lambda result: order.index(result.code))
    return results, finished


def _run_deferred(code: str, work: incremental.Deferred) -> _Deferred:
    """Deferred work of a language's run, or work done ``alongside`` the runs (no ``code``),
    in a worker of its own."""
    take()
    function, args = work
    collector = _Collector()
    logging.getLogger().addHandler(collector)
    files: incremental.Files = {}
    try:
        files = function(*args)
    except Exception as exc:  # reported by the parent with the language it came from
        log.exception("%s: the build failed", code or function.__module__)
        collector.records.append(f"ERROR: {code or function.__module__}: {exc}")
    finally:
        logging.getLogger().removeHandler(collector)
    return code, files or {}, take(), [f"{r} [{code}]" if code else r for r in collector.records]


@contextmanager
def _no_collection() -> Iterator[None]:
    """Loading the model makes tens of thousands of objects that all live on; the cyclic
    collector would walk the growing heap again and again for no garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _scheduled(site: Site) -> list[tuple[dt.datetime, str]]:
    """What later builds will publish, each source once (a derived language shares it),
    named from the portal's folder."""
    root = site.settings["PORTAL_ROOT"]
    return sorted({(item.date, os.path.relpath(item.source, root))
                   for found in (site.items, site.drafts) for items in found.values()
                   for item in items if item.scheduled})


def _copy_static(settings: dict[str, Any], staging: Path) -> None:
    """Theme assets are written once for all languages, at /theme/."""
    static = Path(settings["THEME"]) / "static"
    if static.is_dir():
        shutil.copytree(static, staging / settings.get("THEME_STATIC_DIR", "theme"))


def _copy_files(site: Site, staging: Path) -> None:
    """Each item's attachments and images go into its folder, beside its page."""
    for items in site.items.values():
        for item in items:
            if files := item.files:
                folder = _folder(staging / item.lang.prefix / item.path)
                for name, path in files.items():
                    shutil.copyfile(path, folder / name)


class _Collector(logging.Handler):
    """Keeps every warning and error of a language run, so the parent can fail the build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.levelname}: {record.getMessage()}")


@dataclass
class _LanguageResult:
    code: str
    pages: int
    problems: list[str]
    stages: dict[str, float]
    manifest: str = ""
    rendered: int = 0
    linked: int = 0
    skipped: bool = False
    #: Files of the live output the run keeps (see ``trees``).
    kept: trees.Kept = field(default_factory=dict)
    #: Outputs the run left to the second build of a pages-first build, and to workers.
    postponed: list[str] = field(default_factory=list)
    deferred: list[incremental.Deferred] = field(default_factory=list)
    #: What the language shows (``incremental.language_key``).
    key: str = ""


def _run_language(run: tuple[str, str, dict[str, Any], str, str, str, str | None]
                  ) -> _LanguageResult:
    """Build one language with Pelican (runs in a forked worker)."""
    code, staging, base, fingerprint, previous, manifest, key = run
    take()  # the parent's stages so far are the parent's to report
    site = portal_model.current()
    lang = site.language(code)
    # A derived language (zh-Hant) renders the files of the language it is generated from.
    folder = lang.derived_from or code
    content = Path(base["PORTAL_ROOT"]) / base.get("PORTAL_CONTENT", "content") / folder
    if not content.is_dir():
        content = _folder(Path(manifest).parent / "empty")
    settings = dict(base)
    settings.update(
        PATH=str(content),
        OUTPUT_PATH=str(Path(staging, lang.prefix)),
        PORTAL_LANG=code,
        DEFAULT_LANG=code,
        SITEURL=f"/{lang.prefix}" if lang.prefix else "",
        THEME_STATIC_PATHS=[],
        DELETE_OUTPUT_DIRECTORY=False,
        # Translations are the model's. Pelican's, found by slug among one language's items,
        # would take two items with one slug in different sections (two URLs) for
        # translations of each other and warn, and it scans every item for each one.
        ARTICLE_TRANSLATION_ID=None,
        PAGE_TRANSLATION_ID=None,
        # compiled templates are kept, so a run does not compile them again; a run lives
        # for one build, so a template is not checked for changes each time a page uses it
        JINJA_ENVIRONMENT={**base.get("JINJA_ENVIRONMENT", {}), "auto_reload": False,
                           "bytecode_cache": FileSystemBytecodeCache(str(_jinja_cache(base)))},
    )
    prefixes = [other.prefix for other in site.languages if other.prefix and other != lang]
    with timed("read"):
        run_state = incremental.LanguageRun(site, code, fingerprint, Path(previous),
                                            Path(manifest), Path(settings["OUTPUT_PATH"]),
                                            prefixes, key=key)
    skipped = run_state.try_skip()
    if skipped is not None:  # nothing this language shows changed: its files are kept
        return _LanguageResult(code, skipped, [], take(),
                               run_state.save(run_state.old["pages"], run_state.old["files"],
                                              skipped),
                               0, skipped, skipped=True, kept=run_state.kept, key=run_state.key)
    collector = _Collector()
    logging.getLogger().addHandler(collector)
    written: list[str] = []

    def count(path: str, context: Any = None) -> None:
        written.append(path)

    signals.content_written.connect(count)
    incremental.register()
    with timed("render"):  # deciding which pages to render
        run_state.start(settings)
    console.quiet = True  # the parent reports one summary for all languages
    try:
        with timed("pelican"):
            Pelican(settings).run()
    except Exception as exc:  # reported by the parent with the language it came from
        log.exception("%s: the build failed", code)
        collector.records.append(f"ERROR: {code}: {exc}")
    finally:
        logging.getLogger().removeHandler(collector)
    # warnings fail only strict builds, and a failed build drops the manifest anyway
    failed = any(r.startswith("ERROR") for r in collector.records)
    new, rendered, linked = run_state.finish(ok=not failed,
                                            written=len(written) + run_state.planned)
    return _LanguageResult(code, len(written) + run_state.planned,
                           [f"{r} [{code}]" for r in collector.records],
                           take(), new, rendered, linked, kept=run_state.kept,
                           postponed=run_state.postponed, deferred=run_state.deferred,
                           key=run_state.key)


def _jinja_cache(settings: dict[str, Any]) -> Path:
    """Where compiled templates are kept. Jinja checks a template's source, not the
    environment it was compiled for (extensions, autoescaping, set up by plugins and the
    settings): the folder is named after both."""
    plugins = [folder for folder in Path(__file__).parent.parent.iterdir() if folder.is_dir()]
    version = code_version(*plugins, also=repr(settings.get("JINJA_ENVIRONMENT")))
    return _folder(versioned(portal_model.cache_folder(settings), "jinja", version))


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


__all__ = ["BuildError", "BuildReport", "ContentError", "Site", "alongside", "before_languages",
           "build", "defer", "keep_previous", "load_model", "load_settings", "postpone",
           "site_built", "site_finished", "timed"]


def register() -> None:
    """The build runs Pelican; it adds nothing to a language run itself."""
