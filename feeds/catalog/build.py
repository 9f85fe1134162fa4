"""The archive, classified and indexed: what the web app and the command line query.

Every selection a feed can name (a country, a topic, a region, everything) is an array of
entry sort keys (:mod:`feeds.catalog.ordering`: ascending is newest first), computed once per
load. A feed page is then a slice, so its cost depends on the page size, not on the size
of the archive. An entry's key does not move when other entries come and go, so when one
file changes, :class:`CatalogLoader` splices that file's entries out of and into each
index instead of building them again: a reload costs in proportion to the file.
"""

from __future__ import annotations

import bisect
import datetime as dt
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import overload

from feeds.archive.entry import Diagnostic, Entry, warning
from feeds.archive.files import (
    OVERRIDES_FILE,
    TAXONOMY_FILE,
    Archive,
    ArchiveFile,
    ArchiveFiles,
    ArchiveLoader,
    repeated_entries,
)
from feeds.archive.forking import collector_paused
from feeds.archive.ids import DEFAULT_TAG_AUTHORITY
from feeds.catalog.ordering import (
    NUMBER_BITS,
    NUMBER_MASK,
    RANK_MASK,
    SpliceError,
    day_key,
    file_base,
    fits_in_a_file,
    key_array,
    next_day_key,
    place_of,
    ranks_with_new_files,
    since_bound,
    splice_keys,
    spread_ranks,
)
from feeds.catalog.search import SearchIndex, Segment, file_postings
from feeds.classify.classifier import Classifier
from feeds.classify.countries import Country, country_by_code
from feeds.classify.overrides import Overrides, load_overrides, overridden, override_problems
from feeds.classify.regions import all_regions, regions_of
from feeds.classify.topics import Taxonomy
from feeds.errors import ArchiveTooLargeError

#: Sort keys of entries (:mod:`feeds.catalog.ordering`), ascending: newest first.
Keys = Sequence[int]


@dataclass(frozen=True)
class Query:
    """A selection of entries: every given condition must hold (any-of within one set)."""

    countries: frozenset[str] = frozenset()  # ISO codes; empty = no condition
    topics: frozenset[str] = frozenset()
    words: tuple[str, ...] = ()  # folded words that must all occur
    since: dt.date | None = None


class IdIndex(Mapping[str, int]):
    """Entry id → sort key: a base shared from catalog to catalog, and the changes since.

    A reload that changed one file copies only the changes, not 200,000 ids; once the
    changes pass an eighth of the base they are folded into a new one (amortised, that
    is a few ids copied per id changed).
    """

    __slots__ = ("_base", "_changes", "_length")

    def __init__(self, base: dict[str, int], changes: dict[str, int | None] | None = None) -> None:
        self._base = base
        self._changes = changes or {}
        self._length = len(base) + sum(
            (key is not None) - (entry_id in base) for entry_id, key in self._changes.items()
        )

    def __getitem__(self, entry_id: str) -> int:
        key = self._changes.get(entry_id, _BASE)
        if key is _BASE:
            return self._base[entry_id]
        if key is None:
            raise KeyError(entry_id)
        return key  # type: ignore[return-value]

    def __contains__(self, entry_id: object) -> bool:
        key = self._changes.get(entry_id, _BASE)  # type: ignore[call-overload]
        return entry_id in self._base if key is _BASE else key is not None

    def __iter__(self) -> Iterator[str]:
        changes = self._changes
        yield from (entry_id for entry_id in self._base if entry_id not in changes)
        yield from (entry_id for entry_id, key in changes.items() if key is not None)

    def __len__(self) -> int:
        return self._length

    def changed(self, removed: Iterable[str], added: Mapping[str, int]) -> IdIndex:
        """A new index without ``removed`` and with ``added`` (which wins over removed)."""
        changes: dict[str, int | None] = dict(self._changes)
        changes.update(dict.fromkeys(removed))
        changes.update(added)
        if len(changes) <= len(self._base) // 8:
            return IdIndex(self._base, changes)
        base = dict(self._base)  # a copy in C: the base never has deletions
        for entry_id, key in changes.items():
            if key is None:
                base.pop(entry_id, None)
            else:
                base[entry_id] = key
        return IdIndex(dict(base) if any(key is None for key in changes.values()) else base)


_BASE = object()  # marks an id that the changes do not mention


class ListedEntries(Sequence[Entry]):
    """The catalog's entries, newest first: a view of its keys, each found in its file's
    entries (by the rank and number the key holds), so that no list of 200,000 entries
    is copied when one file changes."""

    __slots__ = ("_files", "_keys")

    def __init__(self, keys: array[int], files: Mapping[int, Sequence[Entry]]) -> None:
        self._keys = keys
        self._files = files  # file rank → its entries as listed (overrides applied)

    def at(self, key: int) -> Entry:
        """The entry with sort key ``key``."""
        return _entry_at(self._files, key)

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> Entry: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Entry, ...]: ...
    def __getitem__(self, index: int | slice) -> Entry | tuple[Entry, ...]:
        if isinstance(index, slice):
            return tuple(map(self.at, self._keys[index]))
        return self.at(self._keys[index])

    def __iter__(self) -> Iterator[Entry]:
        return map(self.at, self._keys)

    def __repr__(self) -> str:
        return f"<{len(self)} entries>"


@dataclass(frozen=True)
class CatalogChanges:
    """How a catalog differs from the one it was updated from (see :class:`CatalogLoader`).

    Every other entry is the same object under the same key in both catalogs.
    """

    #: The version of the catalog updated.
    since: str
    removed: tuple[tuple[int, Entry], ...]  # (key, entry) as the old catalog listed it
    added: tuple[tuple[int, Entry], ...]  # (key, entry) as the new one lists it


@dataclass(frozen=True)
class Catalog:
    #: Its ``entries`` are the :class:`ListedEntries` of ``keys``.
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
    _search: list[SearchIndex] = field(default_factory=list, repr=False, compare=False)
    #: What changed since the catalog this one was updated from; ``None`` if built afresh.
    changes: CatalogChanges | None = field(default=None, repr=False, compare=False)

    @property
    def entries(self) -> Sequence[Entry]:
        """Every listed entry, newest first."""
        return self.archive.entries

    @property
    def version(self) -> str:
        return self.archive.version

    @property
    def search_index(self) -> SearchIndex:
        """From the files' postings (see :class:`CatalogLoader`), else built on first use."""
        if not self._search:
            self._search.append(SearchIndex.build(self.archive.entries, self.keys))
        return self._search[0]

    def entry_at(self, key: int) -> Entry:
        """The entry with sort key ``key`` (one of this catalog's keys)."""
        return _entry_at(self.files_by_rank, key)

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
            conditions.append(_union(self.country_index.get(c, ()) for c in query.countries))
        if query.topics:
            conditions.append(_union(self.topic_index.get(t, ()) for t in query.topics))
        if query.words:
            conditions.append(self.search_index.find(query.words))
        found = _intersect(conditions) if conditions else self.keys
        if query.since is not None:  # newest first: the entries since a date lead
            found = _Prefix.cut(found, since_bound(query.since))
        return found


def _union(selections: Iterable[Keys]) -> Keys:
    lists = [s for s in selections if s]
    if len(lists) == 1:
        return lists[0]
    # In C: a set's union and a sort of ints are several times faster than heapq.merge.
    return sorted(set().union(*lists))


def _intersect(selections: list[Keys]) -> Keys:
    """Keys in every selection: the shortest one filtered by the others."""
    if len(selections) == 1:
        return selections[0]
    ordered = sorted(selections, key=len)
    others = [set(s) for s in ordered[1:]]
    return [k for k in ordered[0] if all(k in other for other in others)]


class _Prefix(Sequence[int]):
    """The items of a sorted sequence below ``stop``, without copying them."""

    __slots__ = ("_keys", "_length")

    def __init__(self, keys: Keys, length: int) -> None:
        self._keys = keys
        self._length = length

    @classmethod
    def cut(cls, keys: Keys, stop: int) -> Keys:
        length = bisect.bisect_left(keys, stop)
        return keys if length == len(keys) else cls(keys, length)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...
    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice):
            return self._keys[slice(*index.indices(self._length))]
        if not -self._length <= index < self._length:
            raise IndexError("index out of range")
        return self._keys[index % self._length]


@dataclass(frozen=True)
class _Sources:
    """What a catalog is made of: the files as read, and the data that shapes them."""

    files: ArchiveFiles
    taxonomy: Taxonomy
    overrides: Overrides
    override_file_problems: tuple[Diagnostic, ...]
    #: Entries dated later are held back; ``None``: none is.
    today: dt.date | None


@dataclass(frozen=True)
class _Made:
    """A catalog, and what the next reload needs to update it instead of building anew."""

    catalog: Catalog
    sources: _Sources
    ranks: dict[str, int]  # file name → rank (:mod:`feeds.catalog.ordering`)
    #: Each file's search segment; ``None`` when some file has no postings.
    segments: dict[str, Segment] | None
    #: Ids found in more than one place: a change touching one is merged from scratch.
    duplicated: frozenset[str]
    duplicate_warnings: dict[str, tuple[Diagnostic, ...]]  # file name → its duplicates
    held: dict[int, Entry]  # entries held back until their date, by key


def _build(sources: _Sources) -> _Made:
    """The catalog of ``sources`` from scratch: merged (an entry found twice keeps its
    first place in reading order), overrides applied, held back what is dated later."""
    files, taxonomy, overrides, today = (
        sources.files, sources.taxonomy, sources.overrides, sources.today
    )  # fmt: skip
    ranks = spread_ranks(files.names)
    listed_files = {ranks[part.name]: part.entries for part in files.parts}
    by_id: dict[str, int] = {}
    every_key: list[int] = []
    duplicated: set[str] = set()
    duplicate_warnings: dict[str, tuple[Diagnostic, ...]] = {}
    file_keys: dict[str, list[int]] = {}
    day_keys = _DayKeys()
    repeats = repeated_entries((part.name, part.entries) for part in files.parts)
    for part in files.parts:
        if not fits_in_a_file(len(part.entries)):
            raise ArchiveTooLargeError(f"{part.name}: {len(part.entries):,} entries in one file; "
                                       f"at most {NUMBER_MASK + 1:,}: split it")  # fmt: skip
        keys = _file_keys(part.entries, ranks[part.name], day_keys)
        numbers, warnings = repeats.get(part.name, ((), ()))
        for number in numbers:  # the first in reading order stays
            keys[number] = -1
            duplicated.add(part.entries[number].id)
        if warnings:
            duplicate_warnings[part.name] = warnings
        ids = zip((entry.id for entry in part.entries), keys, strict=True)
        by_id.update(((i, k) for i, k in ids if k >= 0) if numbers else ids)
        every_key += keys
        file_keys[part.name] = keys
    for override in overrides.items:  # overrides may name held-back entries: before holding
        found = by_id.get(override.entry_id)
        if found is not None:
            entry = overridden(_entry_at(listed_files, found), override, taxonomy)
            rank, number = place_of(found)
            listed_files[rank] = (*listed_files[rank][:number], entry,
                                  *listed_files[rank][number + 1 :])  # fmt: skip
    problems = override_problems(overrides, taxonomy, by_id.__contains__)
    every_key.sort()
    start = bisect.bisect_right(every_key, -1)  # duplicates, marked -1, come first
    end = start if today is None else bisect.bisect_left(every_key, day_key(today), start)
    held = {key: _entry_at(listed_files, key) for key in every_key[start:end]}  # newest first
    for entry in held.values():
        del by_id[entry.id]
    listed = every_key[end:]
    # _entry_at written out: a function call for each of 200,000 entries costs 0.05 s
    entries = [listed_files[(k >> NUMBER_BITS) & RANK_MASK][k & NUMBER_MASK] for k in listed]
    made = _Made(
        catalog=_indexed(listed, entries, by_id, listed_files, taxonomy),
        sources=sources,
        ranks=ranks,
        segments=_segments(files.parts, file_keys, held),
        duplicated=frozenset(duplicated),
        duplicate_warnings=duplicate_warnings,
        held=held,
    )
    return _with_archive(made, problems)


class _DayKeys(dict[dt.date, int]):
    """date → :func:`day_key`, each computed once (a few thousand dates, 200,000 entries)."""

    def __missing__(self, date: dt.date) -> int:
        key = self[date] = day_key(date)
        return key


def _file_keys(entries: Sequence[Entry], rank: int, day_keys: _DayKeys) -> list[int]:
    """The sort keys of one file's entries, in file order."""
    base = file_base(rank)
    return [day_keys[entry.date] | base | number for number, entry in enumerate(entries)]


def _entry_at(files_by_rank: Mapping[int, Sequence[Entry]], key: int) -> Entry:
    rank, number = place_of(key)
    return files_by_rank[rank][number]


def _indexed(
    keys: list[int],
    entries: list[Entry],
    ids: dict[str, int],
    files_by_rank: dict[int, tuple[Entry, ...]],
    taxonomy: Taxonomy,
) -> Catalog:
    """A catalog of ``entries`` (those of ``keys``, in order); its archive to come."""
    countries: defaultdict[str, list[int]] = defaultdict(list)
    topics: defaultdict[str, list[int]] = defaultdict(list, {t.slug: [] for t in taxonomy.topics})
    for key, entry in zip(keys, entries, strict=True):
        for code in entry.countries:
            countries[code].append(key)
        for slug in entry.topics:
            topics[slug].append(key)
    regions = {
        region.slug: key_array(_union(countries.get(code, ()) for code in sorted(region.codes)))
        for region in all_regions()
    }
    return Catalog(
        archive=Archive((), (), ""),
        taxonomy=taxonomy,
        keys=key_array(keys),
        country_index={code: key_array(k) for code, k in countries.items()},
        topic_index={slug: key_array(k) for slug, k in topics.items()},
        region_index=regions,
        by_id=IdIndex(ids),
        files_by_rank=files_by_rank,
    )


def _segments(
    parts: Sequence[ArchiveFile], file_keys: Mapping[str, Sequence[int]], held: Mapping[int, Entry]
) -> dict[str, Segment] | None:
    """Each file's search postings with its entries' keys (-1: not listed), if every file
    has postings (those read by :class:`CatalogLoader` do)."""
    if not parts or any(not isinstance(part.index, dict) for part in parts):
        return None
    segments = {}
    for part in parts:
        keys = file_keys[part.name]
        if held:
            keys = [-1 if key in held else key for key in keys]
        segments[part.name] = Segment(part.index, tuple(keys))  # type: ignore[arg-type]
    return segments


def _with_archive(made: _Made, override_problems: Sequence[Diagnostic]) -> _Made:
    """``made`` with its catalog's archive: diagnostics, version, files, search index."""
    sources, held, catalog = made.sources, made.held, made.catalog
    files = sources.files
    diagnostics: list[Diagnostic] = []
    for part in files.parts:
        diagnostics += part.diagnostics
        diagnostics += made.duplicate_warnings.get(part.name, ())
    diagnostics += (_held_warning(held[key], sources.today) for key in sorted(held))
    diagnostics += sources.override_file_problems
    diagnostics += override_problems
    # The version changes with today only while something is held back, so caches are
    # not invalidated every midnight for nothing.
    version = f"{files.version}-{sources.today:%Y%m%d}" if held else files.version
    entries = ListedEntries(catalog.keys, catalog.files_by_rank)
    archive = Archive(entries, tuple(diagnostics), version, files.names, files.modified,
                      files.parts)  # fmt: skip
    segments = made.segments
    search = [] if segments is None else [SearchIndex(tuple(segments[n] for n in files.names))]
    return replace(made, catalog=replace(catalog, archive=archive, _search=search))


def _held_warning(entry: Entry, today: dt.date | None) -> Diagnostic:
    return warning(
        entry.source.path,
        entry.source.line,
        f"dated {entry.date.isoformat()}, after today ({today}): held back until then",
    )


#: Above this share of files changed, building from scratch is as quick as updating.
_MOST_CHANGED = 0.1


class _BuildAfresh(Exception):
    """An update would be wrong or no quicker: build the catalog from scratch."""


def _updated(made: _Made, sources: _Sources) -> _Made:
    """``made`` with the files that changed since taken out and put in again.

    Raises :class:`_BuildAfresh` when that would be wrong or no quicker: a change that
    involves an entry found twice, edited overrides, a new day with entries held back,
    no room for a new file's rank, or a large share of the files changed.
    """
    files, taxonomy, overrides, today = (
        sources.files, sources.taxonomy, sources.overrides, sources.today
    )  # fmt: skip
    if overrides != made.sources.overrides or not _same_day_for(made, today):
        raise _BuildAfresh
    old_parts = {part.name: part for part in made.sources.files.parts}
    changed = [
        p for p in files.parts if getattr(old_parts.get(p.name), "entries", None) is not p.entries
    ]
    names = set(files.names)
    gone = [name for name in old_parts if name not in names]
    if len(changed) + len(gone) > max(1, _MOST_CHANGED * len(files.parts)):
        raise _BuildAfresh
    ranks = ranks_with_new_files({n: r for n, r in made.ranks.items() if n in names}, files.names)
    if ranks is None:
        raise _BuildAfresh
    catalog = made.catalog
    gone_ids: set[str] = set()
    new_ids: dict[str, int] = {}
    held = dict(made.held)
    removed: list[tuple[int, Entry]] = []
    day_keys = _DayKeys()
    for name in [p.name for p in changed if p.name in old_parts] + gone:
        old_entries = old_parts[name].entries
        old_keys = _file_keys(old_entries, made.ranks[name], day_keys)
        for key, entry in zip(old_keys, old_entries, strict=True):
            if entry.id in made.duplicated:
                raise _BuildAfresh
            if held.pop(key, None) is None:
                removed.append((key, catalog.entry_at(key)))
                gone_ids.add(entry.id)
    held_ids = {entry.id for entry in held.values()}
    by_override = {override.entry_id: override for override in overrides.items}
    added: list[tuple[int, Entry]] = []
    segments = dict(made.segments) if made.segments is not None else None
    files_by_rank = {r: catalog.files_by_rank[r] for n, r in made.ranks.items() if n in names}
    for part in changed:
        if not fits_in_a_file(len(part.entries)):
            raise _BuildAfresh
        keys = _file_keys(part.entries, ranks[part.name], day_keys)
        listed: list[Entry] = []
        for number, (key, entry) in enumerate(zip(keys, part.entries, strict=True)):
            if (
                (entry.id in catalog.by_id and entry.id not in gone_ids)
                or entry.id in new_ids
                or entry.id in held_ids
            ):
                raise _BuildAfresh  # a duplicate: which one stays is a question for merging
            override = by_override.get(entry.id)
            if override is not None:
                entry = overridden(entry, override, taxonomy)
            listed.append(entry)
            if today is not None and entry.date > today:
                held[key] = entry
                held_ids.add(entry.id)
                keys[number] = -1
            else:
                new_ids[entry.id] = key
                added.append((key, entry))
        files_by_rank[ranks[part.name]] = tuple(listed)
        if segments is not None:
            if not isinstance(part.index, dict):
                segments = None
            else:
                segments[part.name] = Segment(part.index, tuple(keys))
    if segments is not None:
        for name in gone:
            del segments[name]
    by_id = catalog.by_id.changed(gone_ids, new_ids)
    moves = _moves_by_kind(removed, added)
    try:
        updated = replace(
            catalog,
            keys=splice_keys(catalog.keys, (k for k, _e in removed), (k for k, _e in added)),
            country_index=_spliced(catalog.country_index, moves["country"], drop_empty=True),
            topic_index=_spliced(catalog.topic_index, moves["topic"]),
            region_index=_spliced(catalog.region_index, moves["region"]),
            by_id=by_id,
            files_by_rank=files_by_rank,
            changes=CatalogChanges(catalog.version, tuple(sorted(removed)), tuple(sorted(added))),
        )
    except SpliceError:
        raise _BuildAfresh from None
    problems = override_problems(overrides, taxonomy, lambda i: i in by_id or i in held_ids)
    made = replace(
        made,
        catalog=updated,
        sources=sources,
        ranks=ranks,
        segments=segments,
        duplicate_warnings={n: w for n, w in made.duplicate_warnings.items() if n in names},
        held=held,
    )
    return _with_archive(made, problems)


def indexed_under(entry: Entry) -> dict[str, tuple[str, ...]]:
    """What ``entry`` is listed under, by kind of selection, as selections' keys: ISO codes
    for ``country``, topic slugs for ``topic``, region slugs for ``region``."""
    return {
        "country": entry.countries,
        "topic": entry.topics,
        "region": regions_of(entry.countries),
    }


#: name → (keys taken out of its list, keys put in)
_Moves = dict[str, tuple[list[int], list[int]]]


def _moves_by_kind(
    removed: Iterable[tuple[int, Entry]], added: Iterable[tuple[int, Entry]]
) -> dict[str, _Moves]:
    """For each kind of index, the keys each of its lists loses and gains."""
    moves: dict[str, defaultdict[str, tuple[list[int], list[int]]]] = {
        kind: defaultdict(lambda: ([], [])) for kind in ("country", "topic", "region")
    }
    for side, changed in enumerate((removed, added)):
        for key, entry in changed:
            for kind, names in indexed_under(entry).items():
                for name in names:
                    moves[kind][name][side].append(key)
    return dict(moves)


def _spliced(
    index: dict[str, array[int]], changes: _Moves, *, drop_empty: bool = False
) -> dict[str, array[int]]:
    """``index`` (name → keys) with each list's keys taken out and put in; only the lists
    that change are copied."""
    if not changes:
        return index
    new = dict(index)
    for name, (taken, put) in changes.items():
        keys = splice_keys(index.get(name, _NO_KEYS), taken, put)
        if keys or not drop_empty:
            new[name] = keys
        else:
            new.pop(name, None)
    return new


_NO_KEYS = key_array()


@dataclass
class CatalogLoader:
    """Loads the catalog of one archive directory, again and again, re-reading what changed.

    A ``taxonomy.toml`` in the archive directory replaces the packaged taxonomy; when it
    changes, every entry is classified again. ``overrides.toml`` is applied after merging.
    When a few files changed, the last catalog is updated rather than built again.
    """

    directory: Path
    tag_authority: str = DEFAULT_TAG_AUTHORITY
    #: Today's date where the newsroom is; entries dated later are held back until then
    #: (an embargo, or a typo: either way not news yet). ``None``: publish everything.
    today: Callable[[], dt.date] | None = None
    _taxonomy_stamp: tuple[int, int] | None = None
    _taxonomy: Taxonomy | None = None
    _loader: ArchiveLoader | None = None
    #: The last catalog made, and what updating it needs.
    _made: _Made | None = None

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
        files = self._loader.read()
        today = self.today() if self.today else None
        last = self._made
        unchanged = last is not None and last.sources.files.version == files.version
        if last is not None and unchanged and _same_day_for(last, today):
            if last.sources.files.modified != files.modified:  # a touched file: its time
                archive = replace(last.catalog.archive, modified=files.modified)
                last = replace(last, sources=replace(last.sources, files=files),
                               catalog=replace(last.catalog, archive=archive))  # fmt: skip
                self._made = last
            return last.catalog
        overrides, problems = load_overrides(self.directory / OVERRIDES_FILE, OVERRIDES_FILE)
        sources = _Sources(files, taxonomy, overrides, tuple(problems), today)
        try:
            if last is None:
                raise _BuildAfresh
            made = _updated(last, sources)
        except _BuildAfresh:
            made = _build(sources)
        self._made = made
        return made.catalog

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
            self._made = None
        return self._taxonomy


def _same_day_for(made: _Made, today: dt.date | None) -> bool:
    """Whether ``made`` still holds back exactly what it should ``today``."""
    if today == made.sources.today:
        return True
    if made.held or today is None or made.sources.today is None:
        return False
    return not made.catalog.entries or made.catalog.entries[0].date <= today


def load_catalog(directory: Path, *, tag_authority: str = DEFAULT_TAG_AUTHORITY) -> Catalog:
    """Load and index ``directory`` once."""
    return CatalogLoader(directory, tag_authority=tag_authority).load()
