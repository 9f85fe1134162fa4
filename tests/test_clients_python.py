"""Python clients on a live server (issue 15): feedparser, and reader (lemon24/reader)."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from crossclient import (
    FEEDS,
    assert_same,
    expected,
    fetch,
    item,
    looks_like_html,
    page_urls,
    server,
)

__all__ = ["server"]  # the module-scoped live server, as a fixture of this module


@pytest.mark.parametrize("extension", ["atom", "rss"])
@pytest.mark.parametrize("feed", FEEDS)
def test_feedparser(server, feed, extension):
    read = []
    for url in page_urls(server, feed, extension):
        parsed = feedparser.parse(fetch(url))
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        for entry in parsed.entries:
            # The very string, though an RSS title that looks like HTML is marked so (README).
            html = extension == "rss" and looks_like_html(entry.title)
            assert entry.title_detail.type == ("text/html" if html else "text/plain")
            when = dt.datetime(*entry.published_parsed[:6], tzinfo=dt.UTC)
            tags = [tag.term for tag in entry.get("tags", [])]
            read.append(item(entry.id, entry.title, entry.link, when, tags))
    assert_same(read, expected(server, feed))


@pytest.mark.parametrize("extension", ["atom", "rss", "json"])
@pytest.mark.parametrize("feed", FEEDS)
def test_reader_adds_updates_twice_and_keeps_one_copy(server, feed, extension, tmp_path):
    make_reader = pytest.importorskip("reader").make_reader
    wanted = {w.id: w for w in expected(server, feed)}
    read = []
    with make_reader(str(tmp_path / "reader.sqlite")) as reader:
        for url in page_urls(server, feed, extension):
            reader.add_feed(url)
            for _ in range(2):  # the second update must find nothing new
                reader.update_feeds()
                entries = list(reader.get_entries(feed=url))
                assert len({e.id for e in entries}) == len(entries)
            assert reader.get_feed(url).last_exception is None
            read += entries
    assert len({e.id for e in read}) == len(read) == len(wanted)
    # reader gives no categories (README, reader section), and its own order.
    read_items = sorted(
        (item(e.id, e.title, e.link, e.published, None) for e in read), key=lambda i: i.id
    )
    assert_same(read_items, sorted(wanted.values(), key=lambda i: i.id), categories=False)
