"""Names in a sentence (issue 17): pages and feeds say "about the United States"."""

from __future__ import annotations

import feedparser
import pytest

from feeds.prose import about, in_prose


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("United States", "the United States"),
        ("Dominican Republic", "the Dominican Republic"),
        ("The Caribbean", "the Caribbean"),
        ("Bahamas", "the Bahamas"),
        ("Mexico", "Mexico"),
        ("Central America", "Central America"),
    ],
)
def test_in_prose(name: str, expected: str) -> None:
    assert in_prose(name) == expected


def test_feeds_say_it_too(client) -> None:
    feed = feedparser.parse(client.get("/feeds/country/united-states.atom").data)
    assert feed.feed.subtitle == "Press releases about the United States."
    region = feedparser.parse(client.get("/feeds/region/caribbean.rss").data)
    assert region.feed.subtitle == about("The Caribbean") == "Press releases about the Caribbean."
