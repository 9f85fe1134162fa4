"""The one builder of catalogs: its steps, and a catalog built from scratch.

A fresh build (:func:`build`) and an update of the last catalog file by file
(:mod:`feeds.catalog.update`) list each file's entries through the same step
(:func:`list_file`: overrides applied, repeated entries dropped, later-dated entries held
back) and make the catalog's archive the same way (:func:`catalog_archive`), so those
rules exist once.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from feeds.archive.entry import Diagnostic, Entry, warning
from feeds.archive.files import Archive, ArchiveFile, ArchiveFiles, repeated_entries
from feeds.catalog.indexes import IdIndex, ListedEntries, union
from feeds.catalog.model import Catalog
from feeds.catalog.ordering import (
    NUMBER_BITS,
    NUMBER_MASK,
    RANK_MASK,
    day_key,
    file_base,
    fits_in_a_file,
    key_array,
    spread_ranks,
)
from feeds.catalog.search import SearchIndex, Segment
from feeds.classify.overrides import Override, Overrides, overridden, override_problems
from feeds.classify.regions import all_regions
from feeds.classify.topics import Taxonomy
from feeds.errors import ArchiveTooLargeError


@dataclass(frozen=True)
class Sources:
    """What a catalog is made of: the files as read, and the data that shapes them."""

    files: ArchiveFiles
    taxonomy: Taxonomy
    overrides: Overrides
    #: Problems of the overrides file itself (its syntax, unknown keys).
    override_file_problems: tuple[Diagnostic, ...]
    #: Entries dated later are held back; ``None``: none is.
    today: dt.date | None


@dataclass(frozen=True)
class Built:
    """A catalog, and what the next reload needs to update it instead of building anew."""

    catalog: Catalog
    sources: Sources
    ranks: dict[str, int]  # file name → rank (:mod:`feeds.catalog.ordering`)
    #: Each file's search segment; ``None`` when some file has no postings.
    segments: dict[str, Segment] | None
    #: Ids found in more than one place: a change touching one is merged from scratch.
    duplicated: frozenset[str]
    duplicate_warnings: dict[str, tuple[Diagnostic, ...]]  # file name → its duplicates
    held: dict[int, Entry]  # entries held back until their date, by key


class BuildAfresh(Exception):
    """An update would be wrong or no quicker: build the catalog from scratch."""


@dataclass(frozen=True)
class FileListing:
    """One file's entries as the catalog lists them."""

    #: Sort key of each entry in file order; -1 for one not listed (repeated, or held).
    keys: list[int]
    #: The file's entries with overrides applied, in file order.
    entries: tuple[Entry, ...]
    held: dict[int, Entry] = field(default_factory=dict)


class _DayKeys(dict[dt.date, int]):
    """date → :func:`day_key`, each computed once (a few thousand dates, 200,000 entries)."""

    def __missing__(self, date: dt.date) -> int:
        key = self[date] = day_key(date)
        return key


@dataclass
class Listing:
    """What listing a file needs from the sources, prepared once per build or update."""

    taxonomy: Taxonomy
    overrides: dict[str, Override]
    today: dt.date | None
    day_keys: _DayKeys = field(default_factory=_DayKeys)

    @classmethod
    def of(cls, sources: Sources) -> Listing:
        by_id = {override.entry_id: override for override in sources.overrides.items}
        return cls(sources.taxonomy, by_id, sources.today)

    def file_keys(self, entries: Sequence[Entry], rank: int) -> list[int]:
        """The sort keys of one file's entries, in file order."""
        base, day_keys = file_base(rank), self.day_keys
        return [day_keys[entry.date] | base | number for number, entry in enumerate(entries)]


def list_file(part: ArchiveFile, rank: int, how: Listing, repeated: Collection[int]) -> FileListing:
    """``part``'s entries as listed: overrides applied, the entries numbered in
    ``repeated`` (an earlier entry has their id) and those dated after today not listed."""
    if not fits_in_a_file(len(part.entries)):
        raise ArchiveTooLargeError(f"{part.name}: {len(part.entries):,} entries in one file; "
                                   f"at most {NUMBER_MASK + 1:,}: split it")  # fmt: skip
    entries = part.entries
    keys = how.file_keys(entries, rank)
    today, overrides = how.today, how.overrides
    if (
        not repeated
        and (not overrides or overrides.keys().isdisjoint(e.id for e in entries))
        and (today is None or all(e.date <= today for e in entries))
    ):
        return FileListing(keys, entries)  # the usual file: listed as it is
    listed = list(entries)
    held: dict[int, Entry] = {}
    for number, entry in enumerate(entries):
        if number in repeated:  # the first in reading order stays
            keys[number] = -1
            continue
        override = overrides.get(entry.id)
        if override is not None:
            listed[number] = entry = overridden(entry, override, how.taxonomy)
        if today is not None and entry.date > today:
            held[keys[number]] = entry
            keys[number] = -1
    return FileListing(keys, tuple(listed), held)


def build(sources: Sources) -> Built:
    """The catalog of ``sources`` from scratch: an entry found twice keeps its first place
    in reading order, overrides are applied, what is dated later is held back."""
    files = sources.files
    how = Listing.of(sources)
    ranks = spread_ranks(files.names)
    repeats = repeated_entries((part.name, part.entries) for part in files.parts)
    files_by_rank: dict[int, tuple[Entry, ...]] = {}
    file_keys: dict[str, list[int]] = {}
    by_id: dict[str, int] = {}
    held: dict[int, Entry] = {}
    every_key: list[int] = []
    duplicated: set[str] = set()
    duplicate_warnings: dict[str, tuple[Diagnostic, ...]] = {}
    for part in files.parts:
        numbers, warnings = repeats.get(part.name, ((), ()))
        listing = list_file(part, ranks[part.name], how, frozenset(numbers))
        duplicated.update(part.entries[number].id for number in numbers)
        if warnings:
            duplicate_warnings[part.name] = warnings
        ids = zip((entry.id for entry in part.entries), listing.keys, strict=True)
        by_id.update(((i, k) for i, k in ids if k >= 0) if numbers or listing.held else ids)
        held.update(listing.held)
        every_key += listing.keys
        file_keys[part.name] = listing.keys
        files_by_rank[ranks[part.name]] = listing.entries
    every_key.sort()
    listed = every_key[bisect.bisect_right(every_key, -1) :]  # entries not listed are -1
    held_ids = {entry.id for entry in held.values()}
    problems = override_problems(sources.overrides, sources.taxonomy,
                                 lambda i: i in by_id or i in held_ids)  # fmt: skip
    segments = _segments(files.parts, file_keys)
    catalog = _catalog(
        sources, listed, files_by_rank, by_id, segments, held, problems, duplicate_warnings
    )
    return Built(
        catalog=catalog,
        sources=sources,
        ranks=ranks,
        segments=segments,
        duplicated=frozenset(duplicated),
        duplicate_warnings=duplicate_warnings,
        held=dict(sorted(held.items())),
    )


def _catalog(
    sources: Sources,
    listed: list[int],
    files_by_rank: dict[int, tuple[Entry, ...]],
    by_id: dict[str, int],
    segments: dict[str, Segment] | None,
    held: Mapping[int, Entry],
    problems: Sequence[Diagnostic],
    duplicate_warnings: Mapping[str, tuple[Diagnostic, ...]],
) -> Catalog:
    """A catalog of the entries of ``listed`` (sort keys, ascending), indexed afresh."""
    # entry_at written out: a function call for each of 200,000 entries costs 0.05 s
    entries = [files_by_rank[(k >> NUMBER_BITS) & RANK_MASK][k & NUMBER_MASK] for k in listed]
    countries: defaultdict[str, list[int]] = defaultdict(list)
    topics: defaultdict[str, list[int]] = defaultdict(
        list, {t.slug: [] for t in sources.taxonomy.topics}
    )
    for key, entry in zip(listed, entries, strict=True):
        for code in entry.countries:
            countries[code].append(key)
        for slug in entry.topics:
            topics[slug].append(key)
    keys = key_array(listed)
    return Catalog(
        archive=catalog_archive(sources, keys, files_by_rank, held, problems, duplicate_warnings),
        taxonomy=sources.taxonomy,
        keys=keys,
        country_index={code: key_array(k) for code, k in countries.items()},
        topic_index={slug: key_array(k) for slug, k in topics.items()},
        region_index={
            region.slug: key_array(union(countries.get(code, ()) for code in sorted(region.codes)))
            for region in all_regions()
        },
        by_id=IdIndex(by_id),
        files_by_rank=files_by_rank,
        search=search_of(segments, sources.files),
    )


def _segments(
    parts: Sequence[ArchiveFile], file_keys: Mapping[str, Sequence[int]]
) -> dict[str, Segment] | None:
    """Each file's search postings with its entries' keys (-1: not listed), if every file
    has postings (those read by the catalog loader do)."""
    if not parts or any(not isinstance(part.index, dict) for part in parts):
        return None
    return {part.name: Segment(part.index, tuple(file_keys[part.name])) for part in parts}  # type: ignore[arg-type]


def search_of(segments: dict[str, Segment] | None, files: ArchiveFiles) -> SearchIndex | None:
    """The search index of the files' segments, in reading order."""
    return None if segments is None else SearchIndex(tuple(segments[n] for n in files.names))


def catalog_archive(
    sources: Sources,
    keys: Sequence[int],
    files_by_rank: dict[int, tuple[Entry, ...]],
    held: Mapping[int, Entry],
    override_problems: Sequence[Diagnostic],
    duplicate_warnings: Mapping[str, tuple[Diagnostic, ...]],
) -> Archive:
    """The archive a catalog lists: its entries, diagnostics, version and files."""
    files = sources.files
    diagnostics: list[Diagnostic] = []
    for part in files.parts:
        diagnostics += part.diagnostics
        diagnostics += duplicate_warnings.get(part.name, ())
    diagnostics += (_held_warning(held[key], sources.today) for key in sorted(held))
    diagnostics += sources.override_file_problems
    diagnostics += override_problems
    # The version changes with today only while something is held back, so caches are
    # not invalidated every midnight for nothing.
    version = f"{files.version}-{sources.today:%Y%m%d}" if held else files.version
    entries = ListedEntries(keys, files_by_rank)  # type: ignore[arg-type]
    return Archive(entries, tuple(diagnostics), version, files.names, files.modified, files.parts)


def _held_warning(entry: Entry, today: dt.date | None) -> Diagnostic:
    return warning(
        entry.source.path,
        entry.source.line,
        f"dated {entry.date.isoformat()}, after today ({today}): held back until then",
    )
