"""Atom 1.0 (RFC 4287) through feedgen, which also builds the RSS document."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from feedgen.ext.base import BaseEntryExtension
from feedgen.feed import FeedGenerator

from feeds.render.dates import feed_time
from feeds.render.html import (
    MARKUP_LIKE,
    author_text,
    clean_text,
    description_text,
    label_text,
    summary_html,
    title_text,
)
from feeds.render.model import Category, FeedInfo, FeedItem

ATOM_MEDIA_TYPE = "application/atom+xml"
ATOM_CONTENT_TYPE = f"{ATOM_MEDIA_TYPE}; charset=utf-8"
HTML_MEDIA_TYPE = "text/html"


def render_atom(info: FeedInfo, items: Sequence[FeedItem]) -> bytes:
    """The Atom document, UTF-8, entries in the given order."""
    xml: bytes = build_generator(info, items, ATOM_MEDIA_TYPE).atom_str()
    return xml


def build_generator(info: FeedInfo, items: Sequence[FeedItem], media_type: str) -> FeedGenerator:
    """A FeedGenerator holding ``info`` and ``items``; links to feeds get ``media_type``."""
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
        uri=clean_text(info.generator_uri) if info.generator_uri else None,
    )
    if info.icon_url:
        generator.icon(clean_text(info.icon_url))
    _add_links(generator, info, media_type)
    for item in items:
        _add_entry(generator, item)
    return generator


def _add_links(generator: FeedGenerator, info: FeedInfo, media_type: str) -> None:
    # feedgen writes only the first rel="self" into RSS and makes the *last* link added
    # the RSS <channel><link>, so self goes first and the HTML page last.
    generator.link(href=clean_text(info.self_url), rel="self", type=media_type)
    for hub in info.hubs:
        generator.link(href=clean_text(hub), rel="hub")
    for rel, href in info.paging.links:
        generator.link(href=clean_text(href), rel=rel, type=media_type)
    generator.link(href=clean_text(info.html_url), rel="alternate", type=HTML_MEDIA_TYPE)


def _add_entry(generator: FeedGenerator, item: FeedItem) -> None:
    entry = generator.add_entry(order="append")
    # id() also writes the RSS <guid isPermaLink="false">: tag URIs are not URLs.
    entry.id(clean_text(item.entry.guid))
    entry.title(title_text(item.entry))
    entry.link(href=clean_text(item.url), rel="alternate", type=HTML_MEDIA_TYPE)
    entry.register_extension("feeds_entry_link", _EntryLinkFix, atom=True, rss=False)
    entry.published(feed_time(item.published))
    entry.updated(feed_time(item.modified))
    if item.entry.summary:
        # Escaped markup is still markup to validators: type="html" (RFC 4287 3.1.1.2).
        entry.summary(summary_html(item.entry.summary), type="html")
    if item.categories:
        # One call: feedgen rebuilds its RSS category list on every call.
        entry.category([_category(category) for category in item.categories])


class _EntryLinkFix(BaseEntryExtension):  # type: ignore[misc]
    """Restores ``rel`` and ``type`` on Atom entry links, and marks titles that read as HTML.

    feedgen 1.0 writes only ``href`` there (a loop variable shadows the link data in
    ``FeedEntry.atom_entry``); the only entry link we add is the HTML permalink.
    """

    def extend_atom(self, entry: Any) -> Any:
        for link in entry.iterfind("link"):
            link.set("rel", "alternate")
            link.set("type", HTML_MEDIA_TYPE)
        title = entry.find("title")
        if title is not None and title.text and MARKUP_LIKE.search(title.text):
            # A plain-text title holding "</b>" or "&amp;" is flagged by the W3C validator
            # (ContainsHTML); as escaped HTML it is the same text and no warning.
            title.set("type", "html")
            title.text = html.escape(title.text, quote=False)
        return entry


def _category(category: Category) -> dict[str, str]:
    # feedgen writes the label as the RSS <category> text and the scheme as its domain.
    return {
        "term": clean_text(category.term),
        "scheme": clean_text(category.scheme),
        "label": label_text(category),
    }
