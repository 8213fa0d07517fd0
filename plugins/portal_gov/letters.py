"""Statistics of the mayor's mailbox, on China's official calendar.

Working days come from the ``chinese_calendar`` package (public holidays and make-up working
days as announced by the State Council). Counting rules:

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
from dataclasses import dataclass, field
from typing import Any

import chinese_calendar

REPLY_LIMIT_WORKING_DAYS = 15


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

    @property
    def share_in_time(self) -> float | None:
        return self.in_time / self.due if self.due else None


def working_days(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    try:
        return (_through(end) - _through(start)
                + sum(_year(year)[-1] for year in range(start.year, end.year)))
    except NotImplementedError as exc:  # the package only knows the years announced so far
        raise CalendarOutdated(f"the official holiday calendar does not cover {end.year} ({exc}); "
                               "update the pinned chinese-calendar in requirements.txt") from None


def _through(day: dt.date) -> int:
    """Working days from 1 January of ``day``'s year up to and including ``day``."""
    return _year(day.year)[day.timetuple().tm_yday - 1]


@functools.cache
def _year(year: int) -> list[int]:
    """Working days of a year up to and including each of its days. chinese_calendar checks
    its whole holiday table on every day it is asked about (finding the years it covers):
    counting the days of each letter one by one took seconds for a mailbox of a few hundred
    letters answered over years. It is asked once a year whether it covers it; the days are
    then looked up in its tables as ``is_workday`` does: a weekday that is no holiday, or a
    weekend day made a working day."""
    first = dt.date(year, 1, 1)
    chinese_calendar.is_workday(first)  # NotImplementedError for a year it does not cover
    counts, total = [], 0
    for offset in range((dt.date(year + 1, 1, 1) - first).days):
        day = first + dt.timedelta(days=offset)
        total += day in chinese_calendar.workdays or (
            day.weekday() < 5 and day not in chinese_calendar.holidays)
        counts.append(total)
    return counts


class CalendarOutdated(RuntimeError):
    """The pinned chinese-calendar does not yet know a year's holidays."""


def letter_stats(letters: list[Letter], today: dt.date,
                 limit: int = REPLY_LIMIT_WORKING_DAYS) -> LetterStats:
    stats = LetterStats(total=len(letters), answered=0, limit=limit)
    days = []
    for letter in sorted(letters, key=lambda x: x.received):
        month = stats.by_month.setdefault(letter.received.strftime("%Y-%m"), Counter())
        month[letter.category] += 1
        if letter.category not in stats.categories:
            stats.categories.append(letter.category)
        if letter.replied is not None:
            stats.answered += 1
            stats.due += 1
            days.append((letter.replied - letter.received).days)
            if working_days(letter.received, letter.replied) <= limit:
                stats.in_time += 1
        elif working_days(letter.received, today) > limit:
            stats.due += 1
            stats.overdue.append(letter)
    if days:
        days.sort()
        stats.median_days = statistics.median(days)
        stats.p90_days = days[math.ceil(0.9 * len(days)) - 1]
    return stats


def from_items(items: list[Any]) -> list[Letter]:
    """The statistics' view of letter items."""
    return [Letter(i.meta["received"].date(),
                   i.meta["replied"].date() if "replied" in i.meta else None,
                   i.meta["letter_category"], i) for i in items]
