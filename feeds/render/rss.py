"""RSS 2.0, following the RSS Advisory Board's RSS Profile."""

from __future__ import annotations

from collections.abc import Sequence

from feeds.render.generator import rss_document
from feeds.render.model import FeedInfo, FeedItem

RSS_MEDIA_TYPE = "application/rss+xml"
RSS_CONTENT_TYPE = f"{RSS_MEDIA_TYPE}; charset=utf-8"
RSS_DOCS_URL = "https://www.rssboard.org/rss-specification"


def render_rss(info: FeedInfo, items: Sequence[FeedItem]) -> bytes:
    """The RSS document, UTF-8, items in the given order."""
    return rss_document(info, items, RSS_MEDIA_TYPE, RSS_DOCS_URL)
