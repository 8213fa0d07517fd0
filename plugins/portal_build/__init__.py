"""portal_build: one Pelican run per language, in parallel, into a staging folder that
replaces ``output/`` only when every language built cleanly.

The content model is loaded once in the parent process; language runs are forked from it,
so each source is read and parsed once per build however many languages there are.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import multiprocessing
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blinker import signal
from pelican import Pelican, signals
from pelican.log import console
from pelican.settings import read_settings

import portal_model
from portal_model import ContentError, Site, load_site

log = logging.getLogger(__name__)

#: Sent in the parent after every language is written, before the swap:
#: ``site_built.send(site, output=staging_dir, settings=settings)``. Cross-language outputs
#: (sitemap, robots.txt) listen here.
site_built = signal("portal_site_built")

#: Sent in the parent after the model is loaded and theme assets are copied, before the
#: language runs fork: outputs that pages depend on (PDFs and their sizes) are made here.
before_languages = signal("portal_before_languages")

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
    _register_plugins(settings)
    site = load_site(settings, build_date=build_date)
    portal_model.use(site)
    return site


def build(conf: Path, output: Path, *, drafts: bool = False, build_date: dt.date | None = None,
          jobs: int | None = None, strict: bool = True, **overrides: Any) -> BuildReport:
    """Build every language into ``output`` atomically; raise ContentError or BuildError."""
    started = time.monotonic()
    settings = load_settings(conf, **overrides)
    _register_plugins(settings)
    collector = _Collector()
    logging.getLogger().addHandler(collector)
    try:
        site = load_site(settings, show_drafts=drafts, build_date=build_date)
    except BaseException:
        logging.getLogger().removeHandler(collector)
        raise
    portal_model.use(site)

    output = output.resolve()
    staging = output.parent / f".{output.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        try:
            _copy_static(settings, staging)
            before_languages.send(site, output=staging, settings=settings)
        finally:  # warnings of the parent's outputs (PDFs) count like the languages' ones
            logging.getLogger().removeHandler(collector)
        jobs = jobs or min(len(site.languages), os.cpu_count() or 1)
        context = multiprocessing.get_context("fork")
        runs = [(lang.code, str(staging), settings) for lang in site.languages]
        with context.Pool(processes=jobs, maxtasksperchild=1) as pool:
            results = pool.map(_run_language, runs, chunksize=1)
        report = BuildReport(output=output, seconds=0.0, warnings=list(collector.records))
        for code, pages, problems in results:
            report.pages[code] = pages
            report.warnings.extend(problems)
        errors = [p for p in report.warnings if p.startswith("ERROR")]
        if errors or (strict and report.warnings):
            raise BuildError("the build logged problems, so output/ was left as it was:\n  "
                             + "\n  ".join(report.warnings))
        site_built.send(site, output=staging, settings=settings)
        site_finished.send(site, output=staging, settings=settings)
        _swap(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report.seconds = time.monotonic() - started
    return report


def _register_plugins(settings: dict[str, Any]) -> None:
    for name in settings.get("PLUGINS", []):
        importlib.import_module(name).register()


def _copy_static(settings: dict[str, Any], staging: Path) -> None:
    """Theme assets are written once for all languages, at /theme/."""
    static = Path(settings["THEME"]) / "static"
    if static.is_dir():
        shutil.copytree(static, staging / settings.get("THEME_STATIC_DIR", "theme"))


class _Collector(logging.Handler):
    """Keeps every warning and error of a language run, so the parent can fail the build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.levelname}: {record.getMessage()}")


def _run_language(run: tuple[str, str, dict[str, Any]]) -> tuple[str, int, list[str]]:
    """Build one language with Pelican (runs in a forked worker)."""
    code, staging, base = run
    site = portal_model.current()
    lang = site.language(code)
    # A derived language (zh-Hant) renders the files of the language it is generated from.
    folder = lang.derived_from or code
    content = Path(base["PORTAL_ROOT"]) / base.get("PORTAL_CONTENT", "content") / folder
    if not content.is_dir():
        content = Path(staging) / ".empty" / code
        content.mkdir(parents=True, exist_ok=True)
    settings = dict(base)
    settings.update(
        PATH=str(content),
        OUTPUT_PATH=str(Path(staging, lang.prefix)),
        PORTAL_LANG=code,
        DEFAULT_LANG=code,
        SITEURL=f"/{lang.prefix}" if lang.prefix else "",
        THEME_STATIC_PATHS=[],
        DELETE_OUTPUT_DIRECTORY=False,
    )
    collector = _Collector()
    logging.getLogger().addHandler(collector)
    written: list[str] = []

    def count(path: str, context: Any = None) -> None:
        written.append(path)

    signals.content_written.connect(count)
    console.quiet = True  # the parent reports one summary for all languages
    try:
        Pelican(settings).run()
    except Exception as exc:  # reported by the parent with the language it came from
        log.exception("%s: the build failed", code)
        collector.records.append(f"ERROR: {code}: {exc}")
    finally:
        logging.getLogger().removeHandler(collector)
    return code, len(written), [f"{r} [{code}]" for r in collector.records]


def _swap(staging: Path, output: Path) -> None:
    """Replace output/ with the finished build in two renames on one filesystem."""
    old = output.parent / f".{output.name}.old-{os.getpid()}"
    if output.exists():
        output.rename(old)
    staging.rename(output)
    shutil.rmtree(old, ignore_errors=True)


__all__ = ["BuildError", "BuildReport", "ContentError", "Site", "before_languages", "build",
           "load_model", "load_settings", "site_built", "site_finished"]


def register() -> None:
    """The build runs Pelican; it adds nothing to a language run itself."""
