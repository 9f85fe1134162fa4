"""The archive, classified and indexed: what the web app and the command line query.

Every selection a feed can name (a country, a topic, a region, everything) is a tuple of
positions into ``entries`` (newest first), computed once per load. A feed page is then a
slice, so its cost depends on the page size, not on the size of the archive.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from feeds.archive import OVERRIDES_FILE, TAXONOMY_FILE, Archive, ArchiveLoader
from feeds.classify import Classifier
from feeds.countries import Country, country_by_code
from feeds.entry import Entry
from feeds.ids import DEFAULT_TAG_AUTHORITY
from feeds.overrides import apply_overrides, load_overrides
from feeds.regions import all_regions
from feeds.search import SearchIndex, Segment, file_postings
from feeds.topics import Taxonomy

Positions = Sequence[int]


@dataclass(frozen=True)
class Query:
    """A selection of entries: every given condition must hold (any-of within one set)."""

    countries: frozenset[str] = frozenset()  # ISO codes; empty = no condition
    topics: frozenset[str] = frozenset()
    words: tuple[str, ...] = ()  # folded words that must all occur
    since: dt.date | None = None


@dataclass(frozen=True)
class Catalog:
    archive: Archive
    taxonomy: Taxonomy
    country_index: dict[str, tuple[int, ...]]
    topic_index: dict[str, tuple[int, ...]]
    region_index: dict[str, tuple[int, ...]]
    by_id: dict[str, int]
    #: Per position: how many later-listed entries share its date (0 for the last of a
    #: day). Feeds add it as seconds to ``updated`` so same-day entries differ there.
    same_day_rank: tuple[int, ...] = ()
    _search: list[SearchIndex] = field(default_factory=list, repr=False, compare=False)

    @property
    def entries(self) -> tuple[Entry, ...]:
        return self.archive.entries

    @property
    def version(self) -> str:
        return self.archive.version

    @cached_property
    def all_positions(self) -> range:
        return range(len(self.archive.entries))

    @property
    def search_index(self) -> SearchIndex:
        """From the files' postings (see :func:`build_catalog`), else built on first use."""
        if not self._search:
            self._search.append(SearchIndex.build(self.archive.entries))
        return self._search[0]

    def entry(self, entry_id: str) -> Entry | None:
        position = self.by_id.get(entry_id)
        return None if position is None else self.archive.entries[position]

    def country_counts(self) -> list[tuple[Country, int]]:
        """Countries with at least one entry, most entries first, then by name."""
        counted = [(country_by_code(code), len(p)) for code, p in self.country_index.items()]
        return sorted(counted, key=lambda pair: (-pair[1], pair[0].name))

    def select(self, base: Positions, query: Query) -> Positions:
        """Positions of ``base`` that also satisfy ``query``, newest first."""
        selections: list[Positions] = [base]
        if query.countries:
            selections.append(_union(self.country_index.get(c, ()) for c in query.countries))
        if query.topics:
            selections.append(_union(self.topic_index.get(t, ()) for t in query.topics))
        if query.words:
            selections.append(self.search_index.find(query.words))
        if query.since is not None:
            selections.append(range(self._count_since(query.since)))
        return _intersect(selections)

    @cached_property
    def _descending_ordinals(self) -> list[int]:
        return [-entry.date.toordinal() for entry in self.archive.entries]

    def _count_since(self, since: dt.date) -> int:
        """How many entries (a prefix, as they are newest first) are on or after ``since``."""
        return bisect.bisect_right(self._descending_ordinals, -since.toordinal())


def _union(selections: Iterable[Positions]) -> Positions:
    lists = [s for s in selections if s]
    if len(lists) == 1:
        return lists[0]
    merged: list[int] = []
    for position in heapq.merge(*lists):
        if not merged or merged[-1] != position:
            merged.append(position)
    return merged


def _intersect(selections: list[Positions]) -> Positions:
    if len(selections) == 1:
        return selections[0]
    ordered = sorted(selections, key=len)
    others = [set(s) if not isinstance(s, range) else s for s in ordered[1:]]
    return [p for p in ordered[0] if all(p in other for other in others)]


def build_catalog(archive: Archive, taxonomy: Taxonomy) -> Catalog:
    """Index ``archive`` by country, topic, region and id."""
    countries: dict[str, list[int]] = {}
    topics: dict[str, list[int]] = {t.slug: [] for t in taxonomy.topics}
    by_id: dict[str, int] = {}
    for position, entry in enumerate(archive.entries):
        by_id[entry.id] = position
        for code in entry.countries:
            countries.setdefault(code, []).append(position)
        for slug in entry.topics:
            topics.setdefault(slug, []).append(position)
    regions = {
        region.slug: tuple(_union(countries.get(code, ()) for code in sorted(region.codes)))
        for region in all_regions()
    }
    search = _search_segments(archive, by_id)
    return Catalog(
        same_day_rank=_same_day_ranks(archive.entries),
        archive=archive,
        taxonomy=taxonomy,
        country_index={code: tuple(p) for code, p in countries.items()},
        topic_index={slug: tuple(p) for slug, p in topics.items()},
        region_index=regions,
        by_id=by_id,
        _search=[SearchIndex(search)] if search is not None else [],
    )


def _search_segments(archive: Archive, by_id: dict[str, int]) -> tuple[Segment, ...] | None:
    """The files' search postings, with each file entry's position (-1: a dropped duplicate).

    ``None`` when some file has no postings (an archive not read by :class:`CatalogLoader`).
    """
    if not archive.parts or any(not isinstance(p.index, dict) for p in archive.parts):
        return None
    entries = archive.entries
    segments = []
    for part in archive.parts:
        positions = array("i")
        for entry in part.entries:
            position = by_id.get(entry.id, -1)
            if position >= 0 and entries[position].source != entry.source:
                position = -1  # a duplicate: the catalog kept the other one
            positions.append(position)
        segments.append(Segment(part.index, positions))  # type: ignore[arg-type]
    return tuple(segments)


def _same_day_ranks(entries: Sequence[Entry]) -> tuple[int, ...]:
    ranks = [0] * len(entries)
    start = 0
    for end in range(1, len(entries) + 1):
        if end == len(entries) or entries[end].date != entries[start].date:
            for offset, position in enumerate(range(start, end)):
                ranks[position] = end - start - 1 - offset
            start = end
    return tuple(ranks)


@dataclass
class CatalogLoader:
    """Loads the catalog of one archive directory, again and again, re-reading what changed.

    A ``taxonomy.toml`` in the archive directory replaces the packaged taxonomy; when it
    changes, every entry is classified again. ``overrides.toml`` is applied after merging.
    """

    directory: Path
    tag_authority: str = DEFAULT_TAG_AUTHORITY
    _taxonomy_stamp: tuple[int, int] | None = None
    _taxonomy: Taxonomy | None = None
    _loader: ArchiveLoader | None = None

    def load(self) -> Catalog:
        taxonomy = self._current_taxonomy()
        if self._loader is None:
            classifier = Classifier(taxonomy=taxonomy)
            self._loader = ArchiveLoader(
                self.directory, tag_authority=self.tag_authority, classify=classifier.classify,
                index_file=file_postings,
            )
        archive = self._loader.load()
        overrides, problems = load_overrides(self.directory / OVERRIDES_FILE, OVERRIDES_FILE)
        entries, more_problems = apply_overrides(archive.entries, overrides, taxonomy)
        diagnostics = (*archive.diagnostics, *problems, *more_problems)
        archive = replace(archive, entries=tuple(entries), diagnostics=diagnostics)
        return build_catalog(archive, taxonomy)

    def _current_taxonomy(self) -> Taxonomy:
        path = self.directory / TAXONOMY_FILE
        try:
            stat = path.stat()
            stamp: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = None
        if self._taxonomy is None or stamp != self._taxonomy_stamp:
            self._taxonomy = Taxonomy.load(path if stamp is not None else None)
            self._taxonomy_stamp = stamp
            self._loader = None  # a new taxonomy means classifying every entry again
        return self._taxonomy


def load_catalog(directory: Path, *, tag_authority: str = DEFAULT_TAG_AUTHORITY) -> Catalog:
    """Load and index ``directory`` once."""
    return CatalogLoader(directory, tag_authority=tag_authority).load()
