"""Feed documents from entries: Atom 1.0, RSS 2.0, JSON Feed 1.1 and OPML 2.0.

The only package that imports feedgen. Every function here is pure: metadata and
items in, document bytes out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from feeds.render.atom import ATOM_CONTENT_TYPE as ATOM_CONTENT_TYPE
from feeds.render.atom import ATOM_MEDIA_TYPE as ATOM_MEDIA_TYPE
from feeds.render.atom import render_atom as render_atom
from feeds.render.jsonfeed import JSONFEED_CONTENT_TYPE as JSONFEED_CONTENT_TYPE
from feeds.render.jsonfeed import JSONFEED_MEDIA_TYPE as JSONFEED_MEDIA_TYPE
from feeds.render.jsonfeed import render_jsonfeed as render_jsonfeed
from feeds.render.model import Category as Category
from feeds.render.model import FeedInfo as FeedInfo
from feeds.render.model import FeedItem as FeedItem
from feeds.render.model import Paging as Paging
from feeds.render.model import with_stylesheet
from feeds.render.opml import OPML_CONTENT_TYPE as OPML_CONTENT_TYPE
from feeds.render.opml import OutlineFeed as OutlineFeed
from feeds.render.opml import render_opml as render_opml
from feeds.render.rss import RSS_CONTENT_TYPE as RSS_CONTENT_TYPE
from feeds.render.rss import RSS_MEDIA_TYPE as RSS_MEDIA_TYPE
from feeds.render.rss import render_rss as render_rss

Renderer = Callable[[FeedInfo, Sequence[FeedItem]], bytes]


def _styled(render: Renderer) -> Renderer:
    """An XML renderer that adds ``info.stylesheet_url`` as ``<?xml-stylesheet?>``."""

    def styled(info: FeedInfo, items: Sequence[FeedItem]) -> bytes:
        return with_stylesheet(render(info, items), info.stylesheet_url)

    return styled


@dataclass(frozen=True, slots=True)
class Format:
    """A feed format the web app serves, keyed by its URL extension."""

    #: ``"atom"``, ``"rss"`` or ``"json"``.
    extension: str
    #: The HTTP ``Content-Type``, with charset.
    content_type: str
    render: Renderer
    #: Human name for links and pages: ``"Atom"``, ``"RSS"``, ``"JSON Feed"``.
    name: str
    #: MIME type without parameters, for ``<link rel="alternate" type=…>``.
    media_type: str


FORMATS: Mapping[str, Format] = MappingProxyType(
    {
        format.extension: format
        for format in (
            Format("atom", ATOM_CONTENT_TYPE, _styled(render_atom), "Atom", ATOM_MEDIA_TYPE),
            Format("rss", RSS_CONTENT_TYPE, _styled(render_rss), "RSS", RSS_MEDIA_TYPE),
            Format(
                "json", JSONFEED_CONTENT_TYPE, render_jsonfeed, "JSON Feed", JSONFEED_MEDIA_TYPE
            ),
        )
    }
)
