"""The archive, classified and indexed: what the web app and the command line query.

Every selection a feed can name (a country, a topic, a region, everything) is a tuple of
positions into ``entries`` (newest first), computed once per load. A feed page is then a
slice, so its cost depends on the page size, not on the size of the archive.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import operator
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import overload

from feeds.archive import OVERRIDES_FILE, TAXONOMY_FILE, Archive, ArchiveLoader
from feeds.classify import Classifier
from feeds.countries import Country, country_by_code
from feeds.entry import Entry, warning
from feeds.forking import collector_paused
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
    # In C: a set's union and a sort of ints are several times faster than heapq.merge.
    return sorted(set().union(*lists))


def _intersect(selections: list[Positions]) -> Positions:
    """Positions in every selection. Ranges are prefixes (everything, or ``since``): they
    cut the others short by bisection instead of being tested position by position."""
    prefixes = [s for s in selections if isinstance(s, range) and s.start == 0 and s.step == 1]
    lists = [s for s in selections if not any(s is prefix for prefix in prefixes)]
    if not lists:
        return min(prefixes, key=len)
    if len(lists) == 1:
        found = lists[0]
    else:
        ordered = sorted(lists, key=len)
        others = [set(s) if not isinstance(s, range) else s for s in ordered[1:]]
        found = [p for p in ordered[0] if all(p in other for other in others)]
    if prefixes:
        found = _Prefix.cut(found, min(len(prefix) for prefix in prefixes))
    return found


class _Prefix(Sequence[int]):
    """The positions of a sorted sequence below ``stop``, without copying them."""

    __slots__ = ("_length", "_positions")

    def __init__(self, positions: Positions, length: int) -> None:
        self._positions = positions
        self._length = length

    @classmethod
    def cut(cls, positions: Positions, stop: int) -> Positions:
        length = bisect.bisect_left(positions, stop)
        return positions if length == len(positions) else cls(positions, length)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...
    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice):
            return self._positions[slice(*index.indices(self._length))]
        if not -self._length <= index < self._length:
            raise IndexError("position index out of range")
        return self._positions[index % self._length]


def build_catalog(archive: Archive, taxonomy: Taxonomy) -> Catalog:
    """Index ``archive`` by country, topic, region and id."""
    countries: defaultdict[str, list[int]] = defaultdict(list)
    topics: defaultdict[str, list[int]] = defaultdict(list, {t.slug: [] for t in taxonomy.topics})
    by_id = {entry.id: position for position, entry in enumerate(archive.entries)}
    for position, entry in enumerate(archive.entries):
        for code in entry.countries:
            countries[code].append(position)
        for slug in entry.topics:
            topics[slug].append(position)
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
    dropped = sum(len(part.entries) for part in archive.parts) > len(entries)
    segments = []
    for part in archive.parts:
        positions = array("i", [by_id.get(entry.id, -1) for entry in part.entries])
        if dropped:  # a duplicate has the id of the entry kept instead: it finds nothing
            for number, entry in enumerate(part.entries):
                position = positions[number]
                if position >= 0 and entries[position].source != entry.source:
                    positions[number] = -1
        segments.append(Segment(part.index, positions))  # type: ignore[arg-type]
    return tuple(segments)


def _same_day_ranks(entries: Sequence[Entry]) -> tuple[int, ...]:
    """For each entry, how many entries of its day come after it (newest first)."""
    ranks: list[int] = []
    for _date, day in itertools.groupby(map(_date_of, entries)):
        ranks.extend(range(len(list(day)) - 1, -1, -1))
    return tuple(ranks)


_date_of = operator.attrgetter("date")


@dataclass
class CatalogLoader:
    """Loads the catalog of one archive directory, again and again, re-reading what changed.

    A ``taxonomy.toml`` in the archive directory replaces the packaged taxonomy; when it
    changes, every entry is classified again. ``overrides.toml`` is applied after merging.
    """

    directory: Path
    tag_authority: str = DEFAULT_TAG_AUTHORITY
    #: Today's date where the newsroom is; entries dated later are held back until then
    #: (an embargo, or a typo: either way not news yet). ``None``: publish everything.
    today: Callable[[], dt.date] | None = None
    _taxonomy_stamp: tuple[int, int] | None = None
    _taxonomy: Taxonomy | None = None
    _loader: ArchiveLoader | None = None
    #: The last archive read and the catalog made of it: reused while nothing changed.
    _last: tuple[Archive, Catalog] | None = None

    def load(self) -> Catalog:
        """The catalog of the directory as it is now (the last one if nothing changed).

        The garbage collector waits until the end: were it to run between parsing and
        indexing, it would scan every new object once more (0.2 s at 200,000 entries).
        """
        with collector_paused():
            return self._load()

    def _load(self) -> Catalog:
        taxonomy = self._current_taxonomy()
        if self._loader is None:
            classifier = Classifier(taxonomy=taxonomy)
            self._loader = ArchiveLoader(
                self.directory,
                tag_authority=self.tag_authority,
                tag=classifier.tags,
                index_file=file_postings,
            )
        everything = self._loader.load()
        today = self.today() if self.today else None
        archive = _held_back(everything, today)
        last = self._last
        if last is not None and last[0].version == archive.version:  # nothing changed
            catalog = last[1] if last[0] is archive else _with_archive(last[1], archive)
            self._last = (archive, catalog)  # a touched file: only its time is new
            return catalog
        overrides, problems = load_overrides(self.directory / OVERRIDES_FILE, OVERRIDES_FILE)
        # Overrides may name held-back entries: apply them to all, then hold back.
        entries, more_problems = apply_overrides(everything.entries, overrides, taxonomy)
        entries = entries[len(everything.entries) - len(archive.entries) :]
        diagnostics = (*archive.diagnostics, *problems, *more_problems)
        catalog = build_catalog(
            replace(archive, entries=tuple(entries), diagnostics=diagnostics), taxonomy
        )
        self._last = (archive, catalog)
        return catalog

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


def _held_back(archive: Archive, today: dt.date | None) -> Archive:
    """``archive`` without the entries dated after ``today``, each reported.

    The version changes with ``today`` only while something is held back, so caches are
    not invalidated every midnight for nothing.
    """
    if today is None or not archive.entries or archive.entries[0].date <= today:
        return archive
    held = [entry for entry in archive.entries if entry.date > today]
    warnings = [
        warning(
            e.source.path,
            e.source.line,
            f"dated {e.date.isoformat()}, after today ({today.isoformat()}): held back until then",
        )
        for e in held
    ]
    return replace(
        archive,
        entries=archive.entries[len(held) :],  # newest first: the held ones lead
        diagnostics=(*archive.diagnostics, *warnings),
        version=f"{archive.version}-{today:%Y%m%d}",
    )


def _with_archive(catalog: Catalog, archive: Archive) -> Catalog:
    """``catalog`` with the archive's new modification time (same version, same entries)."""
    return replace(catalog, archive=replace(catalog.archive, modified=archive.modified))


def load_catalog(directory: Path, *, tag_authority: str = DEFAULT_TAG_AUTHORITY) -> Catalog:
    """Load and index ``directory`` once."""
    return CatalogLoader(directory, tag_authority=tag_authority).load()
