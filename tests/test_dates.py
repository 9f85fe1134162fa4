"""Date lines: a line that is, by itself, a calendar date (issue 2)."""

from __future__ import annotations

import datetime as dt

import pytest

from feeds.archive.dates import DateLine, parse_date_line

MARCH_12 = dt.date(2021, 3, 12)


@pytest.mark.parametrize(
    "line",
    [
        # The shapes the spec names.
        "12 March, 2021",
        "12 March 2021",
        "March 12, 2021",
        "March 12 2021",
        "2021-03-12",
        # Any letter case, surrounding white space.
        "12 MARCH, 2021",
        "12 march 2021",
        "mArCh 12, 2021",
        "  12 March, 2021  ",
        "\t2021-03-12\t",
        "\u00a012 March, 2021\u202f",
        # Ordinals, weekdays, abbreviations, one-digit days.
        "12th March 2021",
        "March 12th, 2021",
        "Friday, 12 March 2021",
        "Friday 12 March, 2021",
        "Fri, March 12, 2021",
        "FRIDAY, MARCH 12TH, 2021",
        "12 Mar 2021",
        "Mar. 12, 2021",
        "12 Mar. 2021",
    ],
)
def test_date_lines_are_recognised(line: str) -> None:
    assert parse_date_line(line) == DateLine(line.strip(), MARCH_12)


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("1 March 2021", dt.date(2021, 3, 1)),
        ("1st March 2021", dt.date(2021, 3, 1)),
        ("2nd March 2021", dt.date(2021, 3, 2)),
        ("March 3rd, 2021", dt.date(2021, 3, 3)),
        ("Sept 9, 2021", dt.date(2021, 9, 9)),
        ("Sep 9, 2021", dt.date(2021, 9, 9)),
        ("9 September, 2021", dt.date(2021, 9, 9)),
        ("Tuesday, 31 December 2030", dt.date(2030, 12, 31)),
        ("Wednesday, 1 January 2020", dt.date(2020, 1, 1)),
        ("29 February, 2024", dt.date(2024, 2, 29)),
        ("2000-02-29", dt.date(2000, 2, 29)),
        ("May 5, 2010", dt.date(2010, 5, 5)),
        ("June 30, 2015", dt.date(2015, 6, 30)),
        ("July 4, 2005", dt.date(2005, 7, 4)),
        ("21 August 2019", dt.date(2019, 8, 21)),
        ("October 10, 2018", dt.date(2018, 10, 10)),
        ("Nov 11, 2011", dt.date(2011, 11, 11)),
        ("Thursday, 15 April 2021", dt.date(2021, 4, 15)),
        ("Saturday, January 2, 2021", dt.date(2021, 1, 2)),
        ("Sunday, Feb 7th, 2021", dt.date(2021, 2, 7)),
    ],
)
def test_every_month_and_weekday_spelling(line: str, date: dt.date) -> None:
    result = parse_date_line(line)

    assert result is not None
    assert result.date == date


@pytest.mark.parametrize(
    "line",
    [
        "",
        "   ",
        "2030 Agenda progress reviewed…",
        "2021 was a record year…",
        "On 25 February, 2021, …",
        "On 25 February, 2021, a first binational meeting was held.",
        "12 March, 2021, was the day.",
        "12 March, 2021 IOM trained police",
        "IOM trained police on 12 March, 2021",
        "Friday 12 March 2021 at noon",
        "2021-03-12T10:00",
        "2021-03-12 report",
        "(12 March, 2021)",
        "Published: 12 March 2021",
        "2021",
        "March 2021",
        "12 March",
        "March 12",
        "12 Marchy 2021",
        "12 Mars 2021",
    ],
)
def test_lines_that_merely_contain_a_date_are_not_date_lines(line: str) -> None:
    assert parse_date_line(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "31 February, 2022",
        "February 29, 2022",
        "2022-02-29",
        "1900-02-29",
        "April 31, 2021",
        "31 June 2021",
        "0 March 2021",
        "32 March 2021",
        "2021-13-01",
        "2021-00-10",
        "2021-01-00",
        "0000-01-01",
    ],
)
def test_impossible_dates_are_date_lines_with_a_problem(line: str) -> None:
    result = parse_date_line(f"  {line} ")

    assert result == DateLine(line, None, f"impossible date '{line}'")


@pytest.mark.parametrize(
    ("line", "date"),
    [
        # Characters that case-insensitive matching folds onto a month's letters: long s,
        # dotless i and dotted capital I (a Turkish keyboard's "APRİL"). Whether these are
        # read as dates or as text, reading them must not crash.
        ("12 Auguſt 2021", dt.date(2021, 8, 12)),
        ("ſeptember 1, 2021", dt.date(2021, 9, 1)),
        ("12 Aprıl 2021", dt.date(2021, 4, 12)),
        ("12 APRİL 2021", dt.date(2021, 4, 12)),
        ("1 ſep 2021", dt.date(2021, 9, 1)),
    ],
)
def test_unicode_case_folding_lookalikes_do_not_crash(line: str, date: dt.date) -> None:
    result = parse_date_line(line)

    assert result is None or result.date == date


@pytest.mark.parametrize("line", ["1 January 0001", "5 May 1950", "1969-12-31"])
def test_dates_before_1970_are_implausible(line: str) -> None:
    found = parse_date_line(line)
    assert found is not None and found.date is None
    assert found.problem == f"implausible date '{line}' (before 1970)"


def test_1970_is_plausible() -> None:
    found = parse_date_line("1 January 1970")
    assert found is not None and found.date == dt.date(1970, 1, 1)
