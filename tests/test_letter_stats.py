"""Letter statistics on China's official calendar, against hand-computed expectations."""

from __future__ import annotations

import datetime as dt

import pytest

from portal_gov.letters import Letter, letter_stats, load_calendar, working_days

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


def test_a_year_no_source_knows_is_counted_monday_to_friday_and_said_so() -> None:
    # 2099-01-01 is a Thursday: Thursday, Friday, then the weekend
    assert working_days(D(2098, 12, 31), D(2099, 1, 4)) == 2
    late = [Letter(D(2099, 1, 5), None, "inquiry"), Letter(D(2026, 3, 2), D(2026, 3, 4), "inquiry")]
    assert letter_stats(late, today=D(2099, 3, 1)).estimated == [2099]
    known = [Letter(D(2026, 3, 2), D(2026, 3, 4), "inquiry")]
    assert letter_stats(known, today=D(2026, 7, 1)).estimated == []


HOLIDAYS_2099 = """\
# the schedule of a year the package does not know
2099:
  holidays: [2099-01-01..2099-01-02, 2099-02-02..2099-02-06]
  workdays:
    - 2099-01-03
"""


def test_a_declared_year_is_counted_on_its_schedule(tmp_path) -> None:
    path = tmp_path / "holidays.yml"
    path.write_text(HOLIDAYS_2099, encoding="utf-8")
    calendar, problems = load_calendar(path)
    assert problems == []
    # 1 and 2 January are holidays, Saturday 3 January a make-up working day
    assert calendar.working_days(D(2098, 12, 31), D(2099, 1, 4)) == 1
    # the week of 2 February is off: only Monday 9 February counts (Monday to Friday: 6)
    assert calendar.working_days(D(2099, 1, 30), D(2099, 2, 9)) == 1
    assert working_days(D(2099, 1, 30), D(2099, 2, 9)) == 6
    assert calendar.unknown([2026, 2098, 2099]) == [2098]
    stats = letter_stats([Letter(D(2099, 1, 30), D(2099, 2, 9), "inquiry")], D(2099, 3, 1),
                         calendar=calendar)
    assert stats.estimated == [] and stats.in_time == 1


def test_a_declared_year_overrides_the_package(tmp_path) -> None:
    path = tmp_path / "holidays.yml"
    # 2026 with no Spring Festival: 13 to 24 February are 7 weekdays
    path.write_text("2026:\n  holidays: [2026-01-01]\n", encoding="utf-8")
    calendar, _ = load_calendar(path)
    assert calendar.working_days(D(2026, 2, 13), D(2026, 2, 24)) == 7
    assert working_days(D(2026, 2, 13), D(2026, 2, 24)) == 2


def test_mistakes_in_the_holidays_file_name_their_line_and_fix(tmp_path) -> None:
    path = tmp_path / "holidays.yml"
    path.write_text("""\
2099:
  holidays: [2099-01-01, 2099-13-01]
  workdays: [2099-01-05]
  rest: [2099-01-10]
"20x9":
  holidays: [2099-01-01]
2098:
  holidays: [2099-01-01]
2097:
  holidays: [2097-01-05]
  workdays: [2097-01-05]
2096:
""", encoding="utf-8")
    calendar, problems = load_calendar(path)
    found = {(p.line, p.message.split(" ", 1)[0]): p for p in problems}
    assert [p.path for p in problems] == [path] * 7
    assert "YYYY-MM-DD" in found[(2, "'2099-13-01'")].fix
    assert "weekday" in found[(3, "'2099-01-05'")].message
    assert "unknown key 'rest'" in found[(4, "unknown")].message
    assert "four digits" in found[(5, "'20x9'")].fix
    assert "not in 2098" in found[(8, "'2099-01-01'")].message
    assert "as a holiday and as a working day" in found[(9, "2097-01-05")].message
    assert "lists no 'holidays'" in found[(12, "2096")].message
    assert calendar.unknown([2096, 2097, 2098, 2099]) == [2096, 2097, 2098, 2099]


def test_a_portal_without_a_holidays_file_has_the_packages_calendar(tmp_path) -> None:
    calendar, problems = load_calendar(tmp_path / "holidays.yml")
    assert problems == [] and calendar.declared == {}


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


def test_the_example_in_the_demos_holidays_file_is_valid(tmp_path) -> None:
    from conftest import ROOT

    lines = (ROOT / "data" / "holidays.yml").read_text("utf-8").splitlines()
    example = [line.removeprefix("# ") for line in lines[lines.index("#") + 1:]]
    (tmp_path / "holidays.yml").write_text("\n".join(example), encoding="utf-8")
    calendar, problems = load_calendar(tmp_path / "holidays.yml")
    assert problems == [] and list(calendar.declared) == [2027]
