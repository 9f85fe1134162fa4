"""OPML 2.0 (https://opml.org/spec2.opml): the list of feeds, for importing into a reader."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from feeds.render.dates import rfc822
from feeds.render.html import clean_text

OPML_MEDIA_TYPE = "text/x-opml"
OPML_CONTENT_TYPE = f"{OPML_MEDIA_TYPE}; charset=utf-8"


@dataclass(frozen=True)
class OutlineFeed:
    """One subscribable feed in the list."""

    title: str
    #: Absolute URL of the feed document.
    xml_url: str
    #: Absolute URL of the matching HTML page.
    html_url: str
    #: ``"atom"`` or ``"rss"``: the format behind ``xml_url``.
    feed_type: str
    description: str


def render_opml(
    title: str,
    owner_name: str,
    date_modified: dt.datetime,
    groups: Sequence[tuple[str, Sequence[OutlineFeed]]],
) -> bytes:
    """The OPML document, UTF-8: one outline per ``(group name, feeds)`` pair.

    No ``docs`` in the head: OPML 2.0 allows it, but the W3C validator knows only the
    OPML 1.0 head elements and reports it as an error (Undefined head element).
    """
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    for name, value in (
        ("title", title),
        ("dateModified", rfc822(date_modified)),
        ("ownerName", owner_name),
    ):
        etree.SubElement(head, name).text = clean_text(value)
    body = etree.SubElement(opml, "body")
    for group_name, feeds in groups:
        group = etree.SubElement(body, "outline", text=clean_text(group_name))
        for feed in feeds:
            _add_feed(group, feed)
    xml: bytes = etree.tostring(opml, encoding="UTF-8", xml_declaration=True)
    return xml


def _add_feed(group: Any, feed: OutlineFeed) -> None:
    # Readers look for type="rss" whatever the format (OPML 2.0, "subscription lists").
    outline = etree.SubElement(group, "outline", type="rss")
    outline.set("text", clean_text(feed.title))
    outline.set("title", clean_text(feed.title))
    outline.set("xmlUrl", clean_text(feed.xml_url))
    outline.set("htmlUrl", clean_text(feed.html_url))
    outline.set("description", clean_text(feed.description))
    if feed.feed_type == "rss":
        # The spec's value for RSS 0.91 to 2.0; it names none for Atom.
        outline.set("version", "RSS")
