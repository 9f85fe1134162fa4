"""What a feed document is made of, independent of its format."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from feeds.archive.entry import Entry

#: The author when none is configured: Atom needs one (RFC 4287 4.1.1).
DEFAULT_AUTHOR = "Newsroom"


@dataclass(frozen=True, slots=True)
class Category:
    """One classification of an item: a country or a topic."""

    #: The code or slug, e.g. ``"MX"`` or ``"labour-migration"``.
    term: str
    #: Absolute URL naming the taxonomy, e.g. ``"https://host/country/"``.
    scheme: str
    #: Human-readable name, e.g. ``"Mexico"``.
    label: str


@dataclass(frozen=True, slots=True)
class FeedItem:
    """An entry as it appears in one feed: with its permalink, time and categories."""

    entry: Entry
    #: Absolute permalink, ``https://host/entries/<id>``.
    url: str
    #: Timezone-aware: the entry's date at noon in the newsroom's zone.
    published: dt.datetime
    categories: tuple[Category, ...]
    #: Timezone-aware; ``published`` when ``None``. Same-instant values may repeat: the
    #: Atom renderer writes them so that W3C's DuplicateUpdated does not fire.
    updated: dt.datetime | None = None

    @property
    def modified(self) -> dt.datetime:
        """``updated``, else ``published``."""
        return self.updated or self.published


@dataclass(frozen=True, slots=True)
class Paging:
    """RFC 5005 section 3 paged-feed links; absolute URLs, ``None`` when absent."""

    first: str | None = None
    previous: str | None = None
    next: str | None = None
    last: str | None = None

    @property
    def links(self) -> tuple[tuple[str, str], ...]:
        """``(rel, href)`` pairs of the links present, in RFC 5005 order."""
        pairs = (
            ("first", self.first),
            ("previous", self.previous),
            ("next", self.next),
            ("last", self.last),
        )
        return tuple((rel, href) for rel, href in pairs if href)


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """Feed-level metadata; the caller builds it once per request."""

    #: ``"Newsroom — Mexico"``.
    title: str
    #: One-line description (Atom subtitle, RSS description).
    subtitle: str
    #: Stable tag URI of the feed (Atom ``id``).
    feed_id: str
    #: Absolute URL of this document, in this format, with its query string.
    self_url: str
    #: Absolute URL of the alternate HTML page.
    html_url: str
    #: Timezone-aware; the newest entry's published time (the caller decides for empty feeds).
    updated: dt.datetime
    #: BCP 47 language tag.
    language: str = "en"
    author_name: str = DEFAULT_AUTHOR
    author_uri: str | None = None
    generator: str = "feeds"
    generator_version: str | None = None
    #: WebSub hub URLs.
    hubs: tuple[str, ...] = ()
    paging: Paging = Paging()
    #: A CSS stylesheet for people who open the Atom or RSS document in a browser
    #: (``<?xml-stylesheet?>``, issue 17); feed readers ignore it.
    stylesheet_url: str | None = None


def with_stylesheet(xml: bytes, href: str | None) -> bytes:
    """``xml`` with an ``<?xml-stylesheet type="text/css"?>`` processing instruction right
    after its XML declaration (https://www.w3.org/TR/xml-stylesheet/); unchanged without
    ``href``. CSS rather than XSLT: browsers are removing XSLT."""
    if not href:
        return xml
    end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    quoted = href.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    instruction = f'\n<?xml-stylesheet type="text/css" href="{quoted}"?>'.encode()
    return xml[:end] + (instruction if end else instruction.lstrip() + b"\n") + xml[end:]
