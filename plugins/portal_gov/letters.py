"""Statistics of the mayor's mailbox, on China's official calendar.

Working days follow the State Council's schedule of public holidays and make-up working days:
as the ``chinese_calendar`` package knows it, or as ``data/holidays.yml`` declares it for
years the package does not know yet (the schedule is announced each November; the package
follows weeks later). A year neither knows is counted Monday to Friday, and the statistics
page and ``invoke audit`` say so: a holiday table never stops a portal from publishing.

Counting rules:

- days to reply: calendar days from the day received to the day replied;
- working days to reply: working days after the day received, up to and including the reply
  day (a letter received on Friday and answered on Monday took 1 working day);
- the share answered in time is the answered-within-limit letters among the letters whose
  answer is due: every answered letter, and every unanswered one past its limit;
- percentiles are nearest-rank (the 90th percentile of 10 values is the 9th smallest).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml

from portal_model import Problem

REPLY_LIMIT_WORKING_DAYS = 15
HOLIDAYS_FILE = "holidays.yml"


@dataclass(frozen=True)
class Schedule:
    """One year's official schedule: days off, and weekend days made working days."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()


class Calendar:
    """Working days on the official calendar; years in ``declared`` override the package's."""

    def __init__(self, declared: Mapping[int, Schedule] | None = None) -> None:
        self.declared = dict(declared or {})
        self._years: dict[int, list[int]] = {}

    def working_days(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        if end <= start:
            return 0
        return (self._through(end) - self._through(start)
                + sum(self._year(year)[-1] for year in range(start.year, end.year)))

    def unknown(self, years: Iterable[int]) -> list[int]:
        """Those of ``years`` whose schedule neither source knows (counted Monday to Friday)."""
        return sorted(year for year in set(years)
                      if year not in self.declared and not _package_knows(year))

    def _through(self, day: dt.date) -> int:
        """Working days from 1 January of ``day``'s year up to and including ``day``."""
        return self._year(day.year)[day.timetuple().tm_yday - 1]

    def _year(self, year: int) -> list[int]:
        counts = self._years.get(year)
        if counts is None:
            schedule = self.declared.get(year)
            counts = self._years[year] = (_count(year, schedule) if schedule is not None
                                          else _package_year(year))
        return counts


@functools.cache
def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@functools.cache
def _package_year(year: int) -> list[int]:
    """Working days of a year up to and including each of its days, from the package, or
    Monday to Friday when it does not know the year. chinese_calendar checks its whole
    holiday table on every day it is asked about (finding the years it covers): counting the
    days of each letter one by one took seconds for a mailbox of a few hundred letters
    answered over years. It is asked once a year whether it covers it; the days are then
    looked up in its tables as ``is_workday`` does."""
    return _count(year, _package_schedule() if _package_knows(year) else Schedule())


@functools.cache
def _package_schedule() -> Schedule:
    return Schedule(frozenset(chinese_calendar.holidays), frozenset(chinese_calendar.workdays))


def _count(year: int, schedule: Schedule) -> list[int]:
    """A weekday that is no holiday, or a weekend day made a working day, is a working day."""
    first = dt.date(year, 1, 1)
    counts, total = [], 0
    for offset in range((dt.date(year + 1, 1, 1) - first).days):
        day = first + dt.timedelta(days=offset)
        total += day in schedule.workdays or (
            day.weekday() < 5 and day not in schedule.holidays)
        counts.append(total)
    return counts


OFFICIAL = Calendar()


def load_calendar(path: Path) -> tuple[Calendar, list[Problem]]:
    """The official calendar with the years ``data/holidays.yml`` declares, if it exists::

        2027:
          holidays: [2027-01-01, 2027-02-06..2027-02-12]   # a day, or first..last
          workdays: [2027-02-14]                           # weekend days made working days
    """
    if not path.is_file():
        return OFFICIAL, []
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return OFFICIAL, [Problem(path, mark.line + 1 if mark else 0,
                                  f"not valid YAML ({exc})", "check indentation and quoting")]
    if node is not None and not isinstance(node, yaml.MappingNode):
        return OFFICIAL, [Problem(path, 1, "expected years, each with 'holidays' and "
                                  "'workdays'", "see the example in docs/operating.md")]
    problems: list[Problem] = []
    declared: dict[int, Schedule] = {}
    for key, value in node.value if node is not None else []:
        line = key.start_mark.line + 1
        if not (isinstance(key, yaml.ScalarNode) and key.value.isdigit()
                and len(key.value) == 4):
            problems.append(Problem(path, line, f"'{key.value}' is not a year",
                                    "write the year as four digits, e.g. 2027:"))
            continue
        year = int(key.value)
        schedule = _schedule(path, year, line, value, problems)
        if schedule is not None:
            declared[year] = schedule
    return Calendar(declared), problems


def _schedule(path: Path, year: int, line: int, node: yaml.Node, problems: list[Problem]
              ) -> Schedule | None:
    before = len(problems)
    found: dict[str, set[dt.date]] = {"holidays": set(), "workdays": set()}
    entries = node.value if isinstance(node, yaml.MappingNode) else []
    if not entries:
        problems.append(Problem(path, line, f"{year} lists no 'holidays' or 'workdays'",
                                "copy the year's schedule from the State Council's announcement"))
    for key, value in entries:
        if key.value not in found:
            problems.append(Problem(path, key.start_mark.line + 1,
                                    f"unknown key '{key.value}' under {year}",
                                    "use 'holidays' (days off) and 'workdays' (weekend days "
                                    "made working days)"))
            continue
        for day in value.value if isinstance(value, yaml.SequenceNode) else [value]:
            at = day.start_mark.line + 1
            try:
                first, last = _span(str(day.value))
            except (TypeError, ValueError):
                problems.append(Problem(path, at, f"'{day.value}' is not a date or a span "
                                        "of dates", "write YYYY-MM-DD, or YYYY-MM-DD..YYYY-MM-DD"))
                continue
            if first.year != year or last.year != year or last < first:
                problems.append(Problem(path, at, f"'{day.value}' is not in {year}",
                                        f"list under {year}: only days of {year}, a span's "
                                        "first day before its last"))
                continue
            span = {first + dt.timedelta(days=n) for n in range((last - first).days + 1)}
            if key.value == "workdays" and any(d.weekday() < 5 for d in span):
                problems.append(Problem(path, at, f"'{day.value}' is a weekday, a working "
                                        "day anyway", "list under 'workdays' only the weekend "
                                        "days made working days"))
                continue
            found[key.value] |= span
    both = found["holidays"] & found["workdays"]
    if both:
        problems.append(Problem(path, line, f"{min(both).isoformat()} is listed as a holiday "
                                "and as a working day", "keep it in one of the two lists"))
    if len(problems) > before:
        return None
    return Schedule(frozenset(found["holidays"]), frozenset(found["workdays"]))


def _span(text: str) -> tuple[dt.date, dt.date]:
    first, _, last = text.partition("..")
    start = dt.date.fromisoformat(first.strip())
    return start, dt.date.fromisoformat(last.strip()) if last else start


@dataclass(frozen=True)
class Letter:
    received: dt.date
    replied: dt.date | None
    category: str
    item: Any = None  # the model's Item, for links in the statistics page


@dataclass
class LetterStats:
    total: int
    answered: int
    by_month: dict[str, Counter[str]] = field(default_factory=dict)  # "2026-03" → category → n
    categories: list[str] = field(default_factory=list)
    median_days: float | None = None
    p90_days: int | None = None
    due: int = 0
    in_time: int = 0
    overdue: list[Letter] = field(default_factory=list)
    limit: int = REPLY_LIMIT_WORKING_DAYS
    #: Years counted Monday to Friday: their official schedule is not known yet.
    estimated: list[int] = field(default_factory=list)

    @property
    def share_in_time(self) -> float | None:
        return self.in_time / self.due if self.due else None


def working_days(start: dt.date, end: dt.date, calendar: Calendar = OFFICIAL) -> int:
    """Working days after ``start`` up to and including ``end``."""
    return calendar.working_days(start, end)


def letter_stats(letters: list[Letter], today: dt.date, limit: int = REPLY_LIMIT_WORKING_DAYS,
                 calendar: Calendar = OFFICIAL) -> LetterStats:
    stats = LetterStats(total=len(letters), answered=0, limit=limit)
    days = []
    counted: set[int] = set()  # years whose working days were counted
    for letter in sorted(letters, key=lambda x: x.received):
        month = stats.by_month.setdefault(letter.received.strftime("%Y-%m"), Counter())
        month[letter.category] += 1
        if letter.category not in stats.categories:
            stats.categories.append(letter.category)
        end = letter.replied if letter.replied is not None else today
        counted.update(range(letter.received.year, end.year + 1))
        if letter.replied is not None:
            stats.answered += 1
            stats.due += 1
            days.append((letter.replied - letter.received).days)
            if calendar.working_days(letter.received, letter.replied) <= limit:
                stats.in_time += 1
        elif calendar.working_days(letter.received, today) > limit:
            stats.due += 1
            stats.overdue.append(letter)
    if days:
        days.sort()
        stats.median_days = statistics.median(days)
        stats.p90_days = days[math.ceil(0.9 * len(days)) - 1]
    stats.estimated = calendar.unknown(counted)
    return stats


def from_items(items: list[Any]) -> list[Letter]:
    """The statistics' view of letter items."""
    return [Letter(i.meta["received"].date(),
                   i.meta["replied"].date() if "replied" in i.meta else None,
                   i.meta["letter_category"], i) for i in items]
