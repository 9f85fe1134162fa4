"""RSS 2.0, following the RSS Advisory Board's best practices, through feedgen."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension

from feeds.render.atom import build_generator
from feeds.render.html import MARKUP_LIKE, clean_text
from feeds.render.model import FeedInfo, FeedItem

RSS_MEDIA_TYPE = "application/rss+xml"
RSS_CONTENT_TYPE = f"{RSS_MEDIA_TYPE}; charset=utf-8"
RSS_DOCS_URL = "https://www.rssboard.org/rss-specification"
ATOM_NS = "http://www.w3.org/2005/Atom"


def render_rss(info: FeedInfo, items: Sequence[FeedItem]) -> bytes:
    """The RSS document, UTF-8, items in the given order."""
    generator = build_generator(info, items, RSS_MEDIA_TYPE)
    generator.docs(RSS_DOCS_URL)
    links: list[tuple[str, str, str | None]] = [("hub", clean_text(hub), None) for hub in info.hubs]
    links += [(rel, clean_text(href), RSS_MEDIA_TYPE) for rel, href in info.paging.links]
    if links:
        extension = partial(_AtomLinks, tuple(links))
        generator.register_extension("feeds_atom_links", extension, None, atom=False)
    generator.register_extension("feeds_plain_titles", _PlainTitles, _PlainTitles, atom=False)
    xml: bytes = generator.rss_str()
    return xml


WORD_JOINER = "\u2060"


def plain_title(title: str) -> str:
    """``title`` such that no reader takes it for HTML: a word joiner after "<" or "&".

    RSS titles have no type. A title that holds "</b>" or "&amp;" as text is flagged by
    the W3C validator (ContainsHTML), and feedparser reads it as HTML and strips the
    "tags". An invisible U+2060 between "<" and "/" (or after "&") keeps the text as the
    reader sees it and takes away the look of markup.
    """
    return MARKUP_LIKE.sub(lambda match: match.group() + WORD_JOINER, title)


class _PlainTitles(BaseEntryExtension):  # type: ignore[misc]
    """Applies :func:`plain_title` to the ``<title>`` of the channel and of each item.

    feedgen calls it once on the channel (before items are added) and once per item.
    """

    def extend_rss(self, element: Any) -> Any:
        for title in element.iter("title"):
            if title.text:
                title.text = plain_title(title.text)
        return element


class _AtomLinks(BaseExtension):  # type: ignore[misc]
    """The ``atom:link``s feedgen leaves out of RSS: it writes only ``rel="self"``.

    WebSub (section 4) and RFC 5005 (section 3) both put their links beside self.
    """

    def __init__(self, links: tuple[tuple[str, str, str | None], ...]) -> None:
        self._links = links

    def extend_ns(self) -> dict[str, str]:
        return {"atom": ATOM_NS}

    def extend_rss(self, feed: Any) -> Any:
        channel = feed[0]
        anchor = channel.find(f"{{{ATOM_NS}}}link")
        for rel, href, media_type in self._links:
            link = channel.makeelement(f"{{{ATOM_NS}}}link", {"href": href, "rel": rel})
            if media_type:
                link.set("type", media_type)
            anchor.addnext(link)
            anchor = link
        return feed
