"""What a subscriber's digest holds: the entries that appeared in its selections between
two appearance numbers, grouped by selection, each once. Pure (given the catalog).

A send run makes one :class:`Composer`; every distinct (selections, numbers) is composed
once and shared by every subscriber who has it.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from feeds.archive.entry import Entry
from feeds.catalog import Catalog
from feeds.catalog.selection import ALL, RedirectToCanonical, Selection, resolve, selection_keys
from feeds.digest.compose import MAX_ITEMS, capped, select_new
from feeds.digest.model import DigestItem, FeedSection, Window
from feeds.documents.feed import SiteInfo, published_at
from feeds.errors import UnknownSelectionError
from feeds.urls import SiteUrls

_EVERYTHING = Window(dt.date.min, dt.date.max)


def selection_for(catalog: Catalog, path: str) -> Selection | None:
    """The selection a stored path names, or ``None`` if it no longer exists."""
    if path == "all":
        return ALL
    kind, _, slug = path.partition("/")
    try:
        return resolve(catalog, kind, slug)
    except (UnknownSelectionError, RedirectToCanonical):  # a topic renamed since
        return None


@dataclass(frozen=True, slots=True)
class _New:
    key: int
    seq: int
    entry: Entry


@dataclass
class Composer:
    catalog: Catalog
    #: Entry id → appearance number, for every number a digest of this run may cover.
    appeared: Mapping[str, int]
    site: SiteInfo
    urls: SiteUrls
    _new: list[_New] = field(init=False)
    _by_path: dict[str, tuple[Selection | None, list[_New]]] = field(default_factory=dict)
    _made: dict[tuple[tuple[str, ...], int, int], tuple[FeedSection, ...]] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        found = []
        for entry_id, seq in self.appeared.items():
            key = self.catalog.by_id.get(entry_id)
            if key is not None:  # removed from the archive since it appeared
                found.append(_New(key, seq, self.catalog.entry_at(key)))
        self._new = sorted(found, key=lambda new: new.key)  # newest first

    def sections(self, paths: Sequence[str], after: int, upto: int) -> tuple[FeedSection, ...]:
        """The digest's sections, in the order of ``paths``; an entry in two selections
        is listed under the first. Composed once per distinct argument."""
        made_key = (tuple(paths), after, upto)
        made = self._made.get(made_key)
        if made is None:
            sections = [self._section(path, after, upto) for path in paths]
            made = select_new([s for s in sections if s is not None], (), _EVERYTHING)
            made = capped(made, MAX_ITEMS)
            self._made[made_key] = made
        return made

    def _section(self, path: str, after: int, upto: int) -> FeedSection | None:
        selection, members = self._members(path)
        if selection is None:
            return None
        title = selection.feed_title(self.site.title)
        items = tuple(self._item(new.entry, title) for new in members if after < new.seq <= upto)
        return FeedSection(selection.name, self.urls.page(selection.path), items)

    def _members(self, path: str) -> tuple[Selection | None, list[_New]]:
        found = self._by_path.get(path)
        if found is None:
            selection = selection_for(self.catalog, path)
            keys = selection_keys(self.catalog, selection) if selection else ()
            found = (selection, [new for new in self._new if _contains(keys, new.key)])
            self._by_path[path] = found
        return found

    def _item(self, entry: Entry, feed_title: str) -> DigestItem:
        return DigestItem(
            guid=entry.guid,
            title=entry.title,
            url=self.urls.entry(entry.id),
            date=published_at(entry.date, self.site.timezone),
            summary_text=entry.summary_text,
            feed_title=feed_title,
        )


def _contains(keys: Sequence[int], key: int) -> bool:
    """``keys`` ascend (newest first), so membership is a binary search."""
    index = bisect.bisect_left(keys, key)
    return index < len(keys) and keys[index] == key
