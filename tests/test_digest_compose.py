"""Which items a digest sends, in which order, and its default subject (issue 6)."""

from __future__ import annotations

import datetime as dt

import pytest

from feeds.digest.compose import (
    day_range,
    default_subject,
    excerpt,
    next_due,
    period_label,
    select_new,
    window_for,
)
from feeds.digest.model import DigestItem, FeedSection, Window

UTC = dt.UTC
MEXICO_CITY = dt.timezone(dt.timedelta(hours=-6))
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
WEEK = Window(dt.date(2026, 11, 18), dt.date(2026, 11, 25), "weekly")


def item(
    guid: str, date: dt.date | dt.datetime | None, feed: str = "Newsroom — Mexico"
) -> DigestItem:
    return DigestItem(
        guid, f"Title {guid}", f"https://news.example/{guid}", date, f"Summary of {guid}.", feed
    )


def section(title: str, *items: DigestItem) -> FeedSection:
    return FeedSection(title, f"https://news.example/{title}", items)


def guids(sections: tuple[FeedSection, ...]) -> list[list[str]]:
    return [[i.guid for i in s.items] for s in sections]


@pytest.mark.parametrize(
    ("now", "period", "since", "last_sent", "expected"),
    [
        (NOW, "weekly", None, None, Window(dt.date(2026, 11, 18), dt.date(2026, 11, 25), "weekly")),
        (NOW, "daily", None, None, Window(dt.date(2026, 11, 24), dt.date(2026, 11, 25), "daily")),
        # a failed or skipped week: the window reaches back to the last successful send
        (
            NOW,
            "weekly",
            None,
            dt.datetime(2026, 11, 11, 9, 5, tzinfo=UTC),
            Window(dt.date(2026, 11, 11), dt.date(2026, 11, 25), "weekly"),
        ),
        (NOW, "weekly", None, dt.datetime(2026, 11, 24, tzinfo=UTC), WEEK),
        (
            NOW,
            "weekly",
            dt.date(2021, 3, 1),
            dt.datetime(2026, 11, 24, tzinfo=UTC),
            Window(dt.date(2021, 3, 1), dt.date(2026, 11, 25), None),
        ),
        # days are the clock's days: 01:00 in Mexico City is still the 24th there
        (
            dt.datetime(2026, 11, 24, 1, 0, tzinfo=MEXICO_CITY),
            "daily",
            None,
            None,
            Window(dt.date(2026, 11, 23), dt.date(2026, 11, 24), "daily"),
        ),
    ],
    ids=["weekly", "daily", "catch-up", "recent-send", "since", "local-days"],
)
def test_window_for(
    now: dt.datetime,
    period: str,
    since: dt.date | None,
    last_sent: dt.datetime | None,
    expected: Window,
) -> None:
    assert window_for(now, period, since, last_sent) == expected


def test_selects_items_not_sent_and_in_the_window() -> None:
    feed = section(
        "mexico",
        item("new", dt.date(2026, 11, 20)),
        item("sent", dt.date(2026, 11, 21)),
        item("old", dt.date(2026, 11, 17)),
        item("first-day", dt.datetime(2026, 11, 18, 0, 0, tzinfo=MEXICO_CITY)),
        item("undated", None),
    )

    chosen = select_new([feed], {"sent"}, WEEK)

    assert guids(chosen) == [["new", "first-day", "undated"]]


def test_an_item_sent_before_is_skipped_even_when_re_dated_or_moved() -> None:
    before = select_new(
        [section("m", item("a", dt.date(2026, 11, 19)), item("b", dt.date(2026, 11, 20)))],
        set(),
        WEEK,
    )
    sent = {i.guid for i in before[0].items}

    after = select_new(
        [
            section(
                "m",
                item("c", dt.date(2026, 11, 21)),
                item("b", dt.date(2026, 11, 24)),
                item("a", dt.date(2026, 11, 23)),
            )
        ],
        sent,
        WEEK,
    )

    assert guids(after) == [["c"]]


def test_an_item_in_two_feeds_appears_once_in_the_first() -> None:
    shared = item("shared", dt.date(2026, 11, 22))
    mexico = section("mexico", item("mx", dt.date(2026, 11, 20)), shared)
    guatemala = section("guatemala", shared, item("gt", dt.date(2026, 11, 21)))
    only_shared = section("labour", shared)

    chosen = select_new([mexico, guatemala, only_shared], set(), WEEK)

    assert [s.title for s in chosen] == ["mexico", "guatemala"]
    assert guids(chosen) == [["shared", "mx"], ["gt"]]


def test_newest_first_whatever_the_feed_order_undated_last_in_feed_order() -> None:
    feed = section(
        "m",
        item("u1", None),
        item("tue", dt.date(2026, 11, 24)),
        item("sun-noon", dt.datetime(2026, 11, 22, 12, 0, tzinfo=UTC)),
        item("u2", None),
        item("mon", dt.datetime(2026, 11, 23, 0, 0, tzinfo=MEXICO_CITY)),
        item("sun", dt.date(2026, 11, 22)),
    )

    assert guids(select_new([feed], set(), WEEK)) == [["tue", "mon", "sun-noon", "sun", "u1", "u2"]]


def test_nothing_new_is_no_sections() -> None:
    assert select_new([section("m", item("a", dt.date(2026, 11, 20)))], {"a"}, WEEK) == ()


@pytest.mark.parametrize(
    ("titles", "expected"),
    [
        (["Newsroom — Mexico"], "Newsroom — Mexico: weekly digest, 18–25 Nov 2026"),
        (
            ["Newsroom — Mexico", "Newsroom — Guatemala", "Newsroom — Mexico"],
            "Newsroom — Mexico, Guatemala: weekly digest, 18–25 Nov 2026",
        ),
        (
            ["Newsroom — A", "Newsroom — B", "Newsroom — C", "Newsroom — D", "Newsroom — E"],
            "Newsroom — A, B, C and 2 more: weekly digest, 18–25 Nov 2026",
        ),
        (
            ["Newsroom — Mexico", "Partner wire"],
            "Newsroom — Mexico, Partner wire: weekly digest, 18–25 Nov 2026",
        ),
        ([""], "Feeds: weekly digest, 18–25 Nov 2026"),
    ],
    ids=["one", "shared-prefix", "many", "mixed", "untitled"],
)
def test_default_subject_names_the_feeds_and_the_period(titles: list[str], expected: str) -> None:
    assert default_subject(titles, WEEK) == expected


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (
            Window(dt.date(2026, 11, 24), dt.date(2026, 11, 25), "daily"),
            "daily digest, 25 Nov 2026",
        ),
        (
            Window(dt.date(2026, 11, 22), dt.date(2026, 11, 25), "daily"),
            "daily digest, 22–25 Nov 2026",
        ),
        (
            Window(dt.date(2026, 10, 28), dt.date(2026, 11, 4), "weekly"),
            "weekly digest, 28 Oct – 4 Nov 2026",
        ),
        (
            Window(dt.date(2025, 12, 28), dt.date(2026, 1, 4), "weekly"),
            "weekly digest, 28 Dec 2025 – 4 Jan 2026",
        ),
        (
            Window(dt.date(2021, 3, 1), dt.date(2026, 11, 25), None),
            "digest, 1 Mar 2021 – 25 Nov 2026",
        ),
    ],
    ids=["daily", "daily-caught-up", "across-months", "across-years", "since"],
)
def test_period_label(window: Window, expected: str) -> None:
    assert period_label(window) == expected


def test_day_range_of_one_day() -> None:
    assert day_range(dt.date(2026, 11, 25), dt.date(2026, 11, 25)) == "25 Nov 2026"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Short enough.", 20, "Short enough."),
        ("One two three, four five", 16, "One two three…"),
        ("Averyveryverylongword", 10, "Averyveryv…"),
    ],
)
def test_excerpt(text: str, limit: int, expected: str) -> None:
    assert excerpt(text, limit) == expected


@pytest.mark.parametrize(
    ("period", "last_sent", "expected"),
    [
        ("weekly", None, None),
        # sent a few seconds after last Monday's 07:00 timer: due again at this one
        ("weekly", dt.datetime(2026, 11, 18, 9, 0, 5, tzinfo=UTC), None),
        ("weekly", dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC), dt.date(2026, 11, 27)),
        ("daily", dt.datetime(2026, 11, 24, 23, 59, tzinfo=UTC), None),
        ("daily", dt.datetime(2026, 11, 25, 0, 1, tzinfo=UTC), dt.date(2026, 11, 26)),
        # the 24th in Mexico City is the 25th for the clock, which runs in UTC
        ("daily", dt.datetime(2026, 11, 24, 20, 0, tzinfo=MEXICO_CITY), dt.date(2026, 11, 26)),
    ],
    ids=["never-sent", "a-week-ago", "mid-week", "yesterday", "today", "the-clocks-days"],
)
def test_next_due(period: str, last_sent: dt.datetime | None, expected: dt.date | None) -> None:
    assert next_due(NOW, period, last_sent) == expected
