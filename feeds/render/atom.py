"""Atom 1.0 (RFC 4287)."""

from __future__ import annotations

from collections.abc import Sequence

from feeds.render.generator import atom_document
from feeds.render.model import FeedInfo, FeedItem

ATOM_MEDIA_TYPE = "application/atom+xml"
ATOM_CONTENT_TYPE = f"{ATOM_MEDIA_TYPE}; charset=utf-8"


def render_atom(info: FeedInfo, items: Sequence[FeedItem]) -> bytes:
    """The Atom document, UTF-8, entries in the given order."""
    return atom_document(info, items, ATOM_MEDIA_TYPE)
