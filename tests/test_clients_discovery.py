"""Feed discovery as a feed finder does it (issue 15): GET a page of a live server and read
its ``<link rel="alternate">``s. Pages announce JSON Feed as ``application/feed+json``
only (README, "In feed readers", says why)."""

from __future__ import annotations

import pytest
from crossclient import FEEDS, OPENER, server
from lxml import html

__all__ = ["server"]

FEED_TYPES = {
    "application/atom+xml": "atom",
    "application/rss+xml": "rss",
    "application/feed+json": "json",
}


def page_of(feed: str) -> str:
    return "/" if feed == "all" else f"/{feed}"


@pytest.mark.parametrize("feed", FEEDS)
def test_each_page_announces_each_format_once_with_its_served_type(server, feed):
    with OPENER.open(server + page_of(feed), timeout=30) as response:
        document = html.fromstring(response.read())
    links = document.xpath("//head/link[@rel='alternate']")
    types = [link.get("type") for link in links]
    assert sorted(types) == sorted(FEED_TYPES), types  # no application/json beside it
    for link in links:
        href = link.get("href")
        assert href.startswith(f"{server}/feeds/{feed}.{FEED_TYPES[link.get('type')]}")
        with OPENER.open(href, timeout=30) as answer:
            assert answer.headers.get_content_type() == link.get("type")
