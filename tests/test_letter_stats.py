"""Letter statistics on China's official calendar, against hand-computed expectations."""

from __future__ import annotations

import datetime as dt

import pytest
from portal_gov.letters import Letter, letter_stats, working_days

D = dt.date


@pytest.mark.parametrize(("start", "end", "expected"), [
    # Friday before the 2026 Spring Festival: Saturday 14 Feb is a make-up working day (1),
    # 15–23 Feb are holidays, so Tuesday 24 Feb is only the 2nd working day.
    (D(2026, 2, 13), D(2026, 2, 24), 2),
    # …and Saturday 28 Feb is another make-up day: 12 March is the 15th working day.
    (D(2026, 2, 13), D(2026, 3, 12), 15),
    (D(2026, 2, 13), D(2026, 3, 13), 16),
    (D(2026, 3, 2), D(2026, 3, 4), 2),  # an ordinary Monday to Wednesday
    (D(2026, 6, 1), D(2026, 7, 1), 21),  # 22 weekdays after 1 June, less the Dragon Boat Festival
    (D(2026, 3, 4), D(2026, 3, 4), 0),
])
def test_working_days_follow_holidays_and_make_up_days(start, end, expected) -> None:
    assert working_days(start, end) == expected


def test_statistics_of_a_known_set() -> None:
    letters = [
        Letter(D(2026, 2, 13), D(2026, 3, 12), "complaint"),  # 27 days, 15 working days: in time
        Letter(D(2026, 2, 13), D(2026, 3, 13), "complaint"),  # 28 days, 16 working days: late
        Letter(D(2026, 3, 2), D(2026, 3, 4), "inquiry"),  # 2 days
        Letter(D(2026, 5, 11), D(2026, 5, 15), "suggestion"),  # 4 days
        Letter(D(2026, 6, 1), None, "inquiry"),  # 21 working days by 1 July: overdue
        Letter(D(2026, 6, 25), None, "suggestion"),  # 4 working days by 1 July: not yet due
    ]
    stats = letter_stats(letters, today=D(2026, 7, 1))
    assert stats.total == 6 and stats.answered == 4
    assert stats.median_days == 15.5  # of 2, 4, 27, 28
    assert stats.p90_days == 28  # nearest rank: the 4th of 4
    assert (stats.in_time, stats.due) == (3, 5)  # four answered and one overdue are due
    assert stats.share_in_time == pytest.approx(0.6)
    assert [letter.received for letter in stats.overdue] == [D(2026, 6, 1)]
    assert {month: dict(counts) for month, counts in stats.by_month.items()} == {
        "2026-02": {"complaint": 2}, "2026-03": {"inquiry": 1}, "2026-05": {"suggestion": 1},
        "2026-06": {"inquiry": 1, "suggestion": 1}}


def test_no_letters_no_figures() -> None:
    stats = letter_stats([], today=D(2026, 7, 1))
    assert stats.median_days is None and stats.p90_days is None and stats.share_in_time is None


def test_a_year_the_calendar_does_not_know_fails_clearly() -> None:
    from portal_gov.letters import CalendarOutdated

    with pytest.raises(CalendarOutdated, match="update the pinned chinese-calendar"):
        working_days(D(2026, 12, 30), D(2099, 1, 5))


def test_working_days_equal_the_calendars_count_day_by_day() -> None:
    import random

    import chinese_calendar

    rng = random.Random(1)
    for _ in range(500):
        start = D(2012, 1, 1) + dt.timedelta(days=rng.randrange(5000))
        end = min(start + dt.timedelta(days=rng.randrange(-5, 900)), D(2026, 12, 31))
        expected = (len(chinese_calendar.get_workdays(start + dt.timedelta(days=1), end))
                    if end > start else 0)
        assert working_days(start, end) == expected, (start, end)
