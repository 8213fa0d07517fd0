"""portal_pdf: a PDF of every policy document and of every item with ``pdf: true``.

Rendered in the parent before the language runs fork (``portal_build.before_languages``),
so the pages that link a PDF can state its size. Each PDF is made from the model with the
print template ``theme/templates/pdf.html`` and ``theme/static/css/pdf.css`` (the same
content as the HTML page), by WeasyPrint in worker processes, and cached by a hash of all
it depends on: an unchanged document is never rendered again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from pelican import signals

import portal_model
from portal_build import BuildError, before_languages
from portal_i18n import install, localized, translations_for
from portal_model import ContentError, Item, Language, Problem, Site

from . import fonts, render
from .render import Stats, Task

log = logging.getLogger(__name__)

PRINT_STYLESHEET = Path("static") / "css" / "pdf.css"  # in the theme


@dataclass(frozen=True)
class Pdf:
    """A written PDF: its URL and size, for the page that links it."""

    url: str
    size: int
    type: str = "application/pdf"

    @property
    def length(self) -> int:
        """Bytes, as feeds' enclosures say it."""
        return self.size

    @property
    def megabytes(self) -> float | None:
        """Size in MB with one decimal from 1 MB up; None below (then shown in KB)."""
        return round(self.size / 1024**2, 1) if self.size >= 1024**2 else None

    @property
    def kilobytes(self) -> int:
        return max(1, round(self.size / 1024))


#: What the last build in this process did (for the build summary and the benchmark).
last_run = Stats()


def wanted(site: Site, settings: Mapping[str, Any]) -> list[Item]:
    """Published items that get a PDF: those of PORTAL_PDF_SECTIONS (unless ``pdf: false``)
    and any with ``pdf: true``."""
    sections = set(settings.get("PORTAL_PDF_SECTIONS", []))
    return [item for lang in site.languages for item in site.items[lang.code]
            if not item.unpublished and item.meta.get("pdf", item.section.name in sections)]


def pdf_of(item: Item) -> Pdf | None:
    return item.pdf


def file_name(item: Item) -> str:
    return f"{item.slug}.pdf"


def document_facts(item: Item, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The metadata a PDF shows when the item's front matter has it (policy documents do):
    document number, issuing body, date written, validity; the author is the issuing body,
    else the portal's sponsor."""
    meta = item.meta
    site = portal_model.current()
    sponsor = localized(site, item.lang, settings.get("SPONSOR", ""))
    issuer = meta.get("issuer")
    if issuer in site.data.get("bodies", {}):  # policies name their issuing body by key
        issuer = site.label("bodies", issuer, item.lang.code)
    zone = ZoneInfo(settings.get("TIMEZONE", "UTC"))
    return {
        "doc_number": meta.get("document_number"),
        "issuer": issuer,
        "author": issuer or sponsor,
        "written": meta.get("written"),
        # A section that declares validity (policies) treats a missing one as in force.
        "validity": meta.get("validity", "valid" if "validity" in item.section.fields else None),
        "created": _w3c(item.date, zone),
        "modified": _w3c(item.updated or item.date, zone),
    }


def _w3c(when: dt.datetime, zone: ZoneInfo) -> str:
    """A W3C date-time with the portal's time zone (dates in front matter are local)."""
    return (when if when.tzinfo else when.replace(tzinfo=zone)).isoformat(timespec="seconds")


def language_css(font: fonts.PdfFont, folio: str) -> str:
    """The per-language part of the print style: the font family, and the footer's
    localized page numbers built from the catalog's 'Page %(page)s of %(pages)s'."""
    return (f"html {{ font-family: {_css_string(font.family)}; }}\n"
            f"@page {{ @bottom-center {{ content: {_counters(folio)}; }} }}\n")


def _counters(text: str) -> str:
    parts = []
    for part in re.split(r"(%\(pages?\)s)", text):
        if part in ("%(page)s", "%(pages)s"):
            parts.append(f"counter({part[2:-2]})")
        elif part:
            parts.append(_css_string(part))
    return " ".join(parts)


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def make(site: Site, output: Path, settings: Mapping[str, Any]) -> Stats:
    """Write the PDF of every wanted item next to its page in ``output``."""
    global last_run
    started = time.monotonic()
    stats = last_run = Stats()
    items = wanted(site, settings)
    stats.documents = len(items)
    if not items:
        return stats
    languages = [lang for lang in site.languages if any(i.lang == lang for i in items)]
    try:
        fonts.check(settings, languages)
    except fonts.FontMissing as exc:
        raise BuildError(f"cannot make PDFs:\n  {exc}") from None

    cache = portal_model.cache_folder(settings) / "pdf"
    cache.mkdir(parents=True, exist_ok=True)
    stylesheet = Path(settings["THEME"]) / PRINT_STYLESHEET
    print_css = stylesheet.read_text(encoding="utf-8")
    environment = render.environment([stylesheet], fonts.fingerprint())
    site_url = str(settings.get("PORTAL_SITE_URL", "")).rstrip("/")

    planned: list[tuple[Item, Task]] = []
    for lang in languages:
        template = _jinja(site, lang, settings).get_template("pdf.html")
        catalog = translations_for(dict(settings), lang, site)
        # The footer's page numbers, with counters for the numbers.
        lang_css = language_css(fonts.font_for(settings, lang),
                                catalog.gettext("Page %(page)s of %(pages)s"))
        for item in (i for i in items if i.lang == lang):
            html = template.render(item=item, doc=document_facts(item, settings),
                                   page_url=site_url + item.url)
            planned.append((item, Task.make(
                html, site_url + item.url, (print_css, lang_css), environment, cache,
                [(site_url + item.url + name, path) for name, path in item.images.items()])))

    todo = {task.key: task for _, task in planned if not Path(task.target).exists()}
    owners = {task.key: item for item, task in planned}
    jobs = int(settings.get("PORTAL_PDF_JOBS") or len(os.sched_getaffinity(0)))
    stats.workers = min(jobs, len(todo))
    problems = []
    for result in render.run(list(todo.values()), jobs):
        stats.rendered += 1
        stats.pages += result.pages
        stats.render_seconds += result.seconds
        stats.cpu_seconds += result.cpu_seconds
        stats.peak_rss[result.pid] = max(stats.peak_rss.get(result.pid, 0), result.max_rss)
        item = owners[result.key]
        for message in result.warnings:
            log.warning("%s: in its PDF: %s", item.source, message)
        if result.error:
            problems.append(Problem(item.source, 0, f"its PDF could not be made ({result.error})",
                                    "simplify the markup around the failing part, and report "
                                    "the file to the portal's developers"))
        if result.tofu:
            shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in result.tofu)
            problems.append(Problem(item.source, 0, f"its PDF would show empty boxes for {shown}: "
                                    "no installed font has these characters",
                                    "install a font that has them, or write the text without "
                                    "them; no PDF with missing characters is published"))
    if problems:
        raise ContentError(problems)

    for item, task in planned:
        target = output / item.lang.prefix / item.path / file_name(item)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(task.target, target)
        os.utime(task.target)  # used now: kept by prune()
        item.pdf = Pdf(item.url + file_name(item), target.stat().st_size)
    stats.cached = len(planned) - stats.rendered
    render.prune(cache)
    stats.seconds = time.monotonic() - started
    return stats


def _jinja(site: Site, lang: Language, settings: Mapping[str, Any]) -> jinja2.Environment:
    """A Jinja environment like a language run's, for templates rendered in the parent."""
    options = dict(settings.get("JINJA_ENVIRONMENT", {}))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(settings["THEME"]) / "templates"),
                             **options)
    install(env, site, lang, dict(settings))
    return env


def _before_languages(site: Site, output: Path, settings: dict[str, Any]) -> None:
    make(site, output, settings)


def _add_global(generator: Any) -> None:
    generator.env.globals["pdf_of"] = pdf_of


def register() -> None:
    before_languages.connect(_before_languages)
    signals.generator_init.connect(_add_global)
