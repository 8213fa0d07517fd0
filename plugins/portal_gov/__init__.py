"""portal_gov: the government content types' behaviour beyond their schemas.

Cross-references (policy ↔ interpretation, project ↔ stage notices, replaced documents),
consultation status from the build date, personal-data checks on letters, the letter
statistics and disclosure-catalogue pages, and the
Babel filters their templates need (money, file sizes, percentages).
"""

from __future__ import annotations

from pathlib import Path

from portal_model import Problem, Site, model_loaded
from portal_model.pages import ListPage, collect_pages

from . import refs
from .catalogue import catalogue_pages
from .letters import HOLIDAYS_FILE, OFFICIAL, Calendar, from_items, letter_stats, load_calendar
from .privacy import personal_data

STATS_PATH = "letters/statistics/"
_CALENDAR = "portal_gov_calendar"


def check_and_link(site: Site, root: Path | None = None) -> list[Problem]:
    """Resolve references both ways; stop the build on dangling ones and on personal data.
    Read the holiday schedules the portal declares (``data/holidays.yml``)."""
    folder = Path(root or site.settings["PORTAL_ROOT"]) / "data"
    site.__dict__[_CALENDAR], problems = load_calendar(folder / HOLIDAYS_FILE)
    problems += refs.link(site)
    for items in (*site.items.values(), *site.drafts.values()):
        for item in items:
            if item.section.name == "letters":
                problems += personal_data(item.source)
    return problems


def pages(site: Site, lang: str) -> dict[str, ListPage]:
    """The catalogue and, where there are letters, the letter statistics page."""
    found = catalogue_pages(site, lang)
    letters = [i for i in site.items[lang] if i.section.name == "letters"]
    if letters:
        limit = site.settings.get("PORTAL_LETTER_REPLY_LIMIT", 15)
        stats = letter_stats(from_items(letters), site.build_date, limit, calendar(site))
        order = list(site.data.get("letter_categories", {}))
        stats.categories.sort(key=order.index)
        found[STATS_PATH] = ListPage("letter-stats", "", STATS_PATH, letters, base=STATS_PATH,
                                     template="letter_stats", extra={"stats": stats})
    found["catalogue/"].extra["statistics"] = STATS_PATH in found
    return found


def calendar(site: Site) -> Calendar:
    """The official calendar with the portal's declared years."""
    return site.__dict__.get(_CALENDAR, OFFICIAL)


def register() -> None:
    model_loaded.connect(check_and_link)
    collect_pages.connect(pages)
