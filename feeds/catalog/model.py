"""The catalog's read model: what the web app, the export and the digests query.

Every selection a feed can name (a country, a topic, a region, everything) is an array of
entry sort keys, computed once per load (:mod:`feeds.catalog.build`). A feed page is then
a slice, so its cost depends on the page size, not on the size of the archive.
"""

from __future__ import annotations

import bisect
import datetime as dt
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from feeds.archive.entry import Entry
from feeds.archive.files import Archive
from feeds.catalog.indexes import IdIndex, Keys, Prefix, entry_at, intersect, union
from feeds.catalog.ordering import next_day_key, since_bound
from feeds.catalog.search import SearchIndex
from feeds.classify.countries import Country, country_by_code
from feeds.classify.regions import regions_of
from feeds.classify.topics import Taxonomy


@dataclass(frozen=True)
class Query:
    """A selection of entries: every given condition must hold (any-of within one set)."""

    countries: frozenset[str] = frozenset()  # ISO codes; empty = no condition
    topics: frozenset[str] = frozenset()
    words: tuple[str, ...] = ()  # folded words that must all occur
    since: dt.date | None = None


@dataclass(frozen=True)
class CatalogChanges:
    """How a catalog differs from the one it was updated from (:func:`~.build.update`).

    Every other entry is the same object under the same key in both catalogs.
    """

    #: The version of the catalog updated.
    since: str
    removed: tuple[tuple[int, Entry], ...]  # (key, entry) as the old catalog listed it
    added: tuple[tuple[int, Entry], ...]  # (key, entry) as the new one lists it


@dataclass(frozen=True)
class Catalog:
    #: Its ``entries`` are the :class:`~.indexes.ListedEntries` of ``keys``.
    archive: Archive
    taxonomy: Taxonomy
    #: Every listed entry's sort key, ascending (newest first): the "all" selection.
    keys: array[int]
    country_index: dict[str, array[int]]  # ISO code → keys; only codes with entries
    topic_index: dict[str, array[int]]  # every topic of the taxonomy
    region_index: dict[str, array[int]]  # every region
    by_id: IdIndex  # entry id → key
    #: File rank → the file's entries as listed (overrides applied), by number in the file.
    files_by_rank: dict[int, tuple[Entry, ...]] = field(repr=False)
    #: The index of every file's search postings, when every file came with them (the
    #: loader's do); else :attr:`search_index` is built from the entries on first use.
    search: SearchIndex | None = field(default=None, repr=False, compare=False)
    #: What changed since the catalog this one was updated from; ``None`` if built afresh.
    changes: CatalogChanges | None = field(default=None, repr=False, compare=False)

    @property
    def entries(self) -> Sequence[Entry]:
        """Every listed entry, newest first."""
        return self.archive.entries

    @property
    def version(self) -> str:
        return self.archive.version

    @cached_property
    def search_index(self) -> SearchIndex:
        """From the files' postings, else built on first use."""
        if self.search is not None:
            return self.search
        return SearchIndex.build(self.archive.entries, self.keys)

    def entry_at(self, key: int) -> Entry:
        """The entry with sort key ``key`` (one of this catalog's keys)."""
        return entry_at(self.files_by_rank, key)

    def entries_at(self, keys: Iterable[int]) -> tuple[Entry, ...]:
        return tuple(map(self.entry_at, keys))

    def entry(self, entry_id: str) -> Entry | None:
        key = self.by_id.get(entry_id)
        return None if key is None else self.entry_at(key)

    def same_day_rank(self, key: int) -> int:
        """How many entries of the same day are listed after the one with ``key``.

        Feeds add it as seconds to ``updated``, so that same-day entries differ there.
        """
        return (
            bisect.bisect_left(self.keys, next_day_key(key))
            - 1
            - bisect.bisect_left(self.keys, key)
        )

    def country_counts(self) -> list[tuple[Country, int]]:
        """Countries with at least one entry, most entries first, then by name."""
        counted = [(country_by_code(code), len(k)) for code, k in self.country_index.items()]
        return sorted(counted, key=lambda pair: (-pair[1], pair[0].name))

    def select(self, base: Keys, query: Query) -> Keys:
        """Keys of ``base`` that also satisfy ``query``, newest first.

        ``base`` is :attr:`keys` for everything, which then sets no condition of its own.
        """
        conditions: list[Keys] = [] if base is self.keys else [base]
        if query.countries:
            conditions.append(union(self.country_index.get(c, ()) for c in query.countries))
        if query.topics:
            conditions.append(union(self.topic_index.get(t, ()) for t in query.topics))
        if query.words:
            conditions.append(self.search_index.find(query.words))
        found = intersect(conditions) if conditions else self.keys
        if query.since is not None:  # newest first: the entries since a date lead
            found = Prefix.cut(found, since_bound(query.since))
        return found


def indexed_under(entry: Entry) -> dict[str, tuple[str, ...]]:
    """What ``entry`` is listed under, by kind of selection, as selections' keys: ISO codes
    for ``country``, topic slugs for ``topic``, region slugs for ``region``."""
    return {
        "country": entry.countries,
        "topic": entry.topics,
        "region": regions_of(entry.countries),
    }
