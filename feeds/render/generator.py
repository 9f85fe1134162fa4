"""Atom and RSS through feedgen: the only module that imports it, with every workaround.

Each workaround names the python-feedgen (lkiesow/python-feedgen) report it works around.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import partial
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator

from feeds.render.dates import distinct_rfc3339, feed_time, rfc3339
from feeds.render.html import (
    author_text,
    clean_text,
    description_text,
    label_text,
    summary_html,
    title_text,
)
from feeds.render.model import Category, FeedInfo, FeedItem

ATOM_NS = "http://www.w3.org/2005/Atom"
HTML_MEDIA_TYPE = "text/html"

# Titles and RSS categories are plain text. lxml writes "&" and "<" in text as "&amp;"
# and "&lt;"; the RSS Profile asks for hexadecimal character references instead
# (https://www.rssboard.org/rss-profile#data-types-characterdata), and the W3C validator
# then knows the text is not escaped HTML (its nonhtml rule). Same characters for every
# XML parser, so every client reads the very string JSON Feed has.
_PLAIN_ELEMENTS = re.compile(rb'(<(title|category)(?: domain="[^"]*")?>)([^<]*)(</\2>)')
_HEX_REFERENCES = ((b"&amp;", b"&#x26;"), (b"&lt;", b"&#x3C;"))


def atom_document(info: FeedInfo, items: Sequence[FeedItem], media_type: str) -> bytes:
    """The Atom document: the HTML page is the first link (some readers take the first
    link as the site), then self, hubs and RFC 5005 paging."""
    generator = _generator(info, items)
    generator.link(href=clean_text(info.html_url), rel="alternate", type=HTML_MEDIA_TYPE)
    generator.link(href=clean_text(info.self_url), rel="self", type=media_type)
    for hub in info.hubs:
        generator.link(href=clean_text(hub), rel="hub")
    for rel, href in info.paging.links:
        generator.link(href=clean_text(href), rel=rel, type=media_type)
    return _plain_text(generator.atom_str())


def rss_document(info: FeedInfo, items: Sequence[FeedItem], media_type: str, docs: str) -> bytes:
    """The RSS document, with the hubs and paging links as ``atom:link``."""
    generator = _generator(info, items)
    # feedgen writes only the first rel="self" link into RSS, and makes the *last* link
    # added the <channel><link> (FeedGenerator.link, "We use the first link for RSS", which
    # is in fact the last; not reported upstream): self first, the HTML page last.
    generator.link(href=clean_text(info.self_url), rel="self", type=media_type)
    generator.link(href=clean_text(info.html_url), rel="alternate", type=HTML_MEDIA_TYPE)
    generator.docs(docs)
    links: list[tuple[str, str, str | None]] = [("hub", clean_text(hub), None) for hub in info.hubs]
    links += [(rel, clean_text(href), media_type) for rel, href in info.paging.links]
    if links:
        extension = partial(_AtomLinks, tuple(links))
        generator.register_extension("feeds_atom_links", extension, None, atom=False)
    return _plain_text(generator.rss_str())


def _plain_text(xml: bytes) -> bytes:
    def hexadecimal(match: re.Match[bytes]) -> bytes:
        text = match[3]
        for entity, reference in _HEX_REFERENCES:
            text = text.replace(entity, reference)
        return match[1] + text + match[4]

    return _PLAIN_ELEMENTS.sub(hexadecimal, xml)


def _generator(info: FeedInfo, items: Sequence[FeedItem]) -> FeedGenerator:
    generator = FeedGenerator()
    generator.id(clean_text(info.feed_id))
    generator.title(clean_text(info.title))
    generator.subtitle(description_text(info))
    generator.updated(feed_time(info.updated))
    generator.language(clean_text(info.language))
    # Atom requires an author on the feed or on every entry (RFC 4287 4.1.1).
    author = {"name": author_text(info)}
    if info.author_uri:
        author["uri"] = clean_text(info.author_uri)
    generator.author(author)
    generator.generator(
        clean_text(info.generator),
        version=clean_text(info.generator_version) if info.generator_version else None,
    )
    # The W3C validator warns when two entries of a feed write the same atom:updated
    # (DuplicateUpdated, a comparison of the strings): the n-th repeat of an instant is
    # written with n zero decimals, the same instant, so no reader sees an invented time.
    seen: Counter[str] = Counter()
    for item in items:
        stamp = rfc3339(item.modified)
        _add_entry(generator, item, distinct_rfc3339(item.modified, seen[stamp]))
        seen[stamp] += 1
    return generator


def _add_entry(generator: FeedGenerator, item: FeedItem, updated: str) -> None:
    # add_entry() prepends unless told otherwise (python-feedgen #55, #70).
    entry = generator.add_entry(order="append")
    # id() also writes the RSS <guid isPermaLink="false">: tag URIs are not URLs.
    entry.id(clean_text(item.entry.guid))
    entry.title(title_text(item.entry))
    entry.link(href=clean_text(item.url), rel="alternate", type=HTML_MEDIA_TYPE)
    entry.register_extension(
        "feeds_atom_entry", partial(_AtomEntryFix, updated), atom=True, rss=False
    )
    entry.published(feed_time(item.published))
    entry.updated(feed_time(item.modified))
    if item.entry.summary:
        # Escaped markup is still markup to validators: type="html" (RFC 4287 3.1.1.2).
        entry.summary(summary_html(item.entry.summary), type="html")
    if item.categories:
        # One call: each call replaces the categories of the RSS item (python-feedgen #99).
        entry.category([_category(category) for category in item.categories])


class _AtomEntryFix(BaseEntryExtension):  # type: ignore[misc]
    """Restores ``rel`` and ``type`` on Atom entry links, writes ``updated`` as given, and
    gives an entry without summary its title as summary.

    feedgen 1.0 writes only ``href`` there: a loop variable shadows the link data in
    ``FeedEntry.atom_entry`` (python-feedgen #135); our only entry link is the permalink.
    """

    def __init__(self, updated: str) -> None:
        self._updated = updated

    def extend_atom(self, entry: Any) -> Any:
        for link in entry.iterfind("link"):
            link.set("rel", "alternate")
            link.set("type", HTML_MEDIA_TYPE)
        entry.find("updated").text = self._updated
        if entry.find("summary") is None:
            # Neither summary nor content is "Missing textual content" to the W3C
            # validator, and an empty one "should not be blank": the title is all the text
            # there is. Atom only: feedgen would make a summary the RSS description (HTML).
            title = entry.find("title")
            title.addnext(title.makeelement("summary", {"type": "html"}))
            title.getnext().text = summary_html((title.text,))
        return entry


class _AtomLinks(BaseExtension):  # type: ignore[misc]
    """The ``atom:link``s feedgen leaves out of RSS, where it writes only ``rel="self"``
    (python-feedgen #122). WebSub (section 4) and RFC 5005 (section 3) put them beside self.
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


def _category(category: Category) -> dict[str, str]:
    # The name in term too, as WordPress and Blogger write it: clients that show the term
    # (gofeed, sfeed, rss2email) then show what RSS and JSON Feed show. feedgen writes the
    # label as the RSS <category> text and the scheme as its domain.
    name = label_text(category)
    return {"term": name, "scheme": clean_text(category.scheme), "label": name}
