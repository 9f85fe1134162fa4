"""RSS 2.0, following the RSS Advisory Board's best practices, through feedgen."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from feedgen.ext.base import BaseExtension

from feeds.render.atom import build_generator
from feeds.render.html import clean_text
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
    xml: bytes = generator.rss_str()
    return xml


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
