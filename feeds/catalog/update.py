"""Updating the last catalog file by file, instead of building it again (issue 7).

An entry's sort key (:mod:`feeds.catalog.ordering`) does not move when other entries come
and go, so when one file changes, :func:`update` takes that file's old entries out of
each index and puts its new ones in, through the same listing step as a full build
(:func:`~feeds.catalog.build.list_file`): a reload costs in proportion to the file.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from feeds.archive.entry import Entry
from feeds.archive.files import ArchiveFile
from feeds.catalog.build import (
    BuildAfresh,
    Built,
    Listing,
    Sources,
    catalog_archive,
    list_file,
    search_of,
)
from feeds.catalog.indexes import Moves, spliced
from feeds.catalog.model import Catalog, CatalogChanges, indexed_under
from feeds.catalog.ordering import SpliceError, ranks_with_new_files, splice_keys
from feeds.catalog.search import Segment
from feeds.classify.overrides import override_problems

#: Above this share of files changed, building from scratch is as quick as updating.
MOST_CHANGED = 0.1


def update(built: Built, sources: Sources) -> Built:
    """``built`` with the files that changed since taken out and put in again.

    Raises :class:`BuildAfresh` when that would be wrong or no quicker: a change that
    involves an entry found twice, edited overrides, a new day with entries held back,
    no room for a new file's rank, or a large share of the files changed.
    """
    files = sources.files
    if sources.overrides != built.sources.overrides or not same_day_for(built, sources.today):
        raise BuildAfresh
    old_parts = {part.name: part for part in built.sources.files.parts}
    changed = [
        p for p in files.parts if getattr(old_parts.get(p.name), "entries", None) is not p.entries
    ]
    names = set(files.names)
    gone = [name for name in old_parts if name not in names]
    if len(changed) + len(gone) > max(1, MOST_CHANGED * len(files.parts)):
        raise BuildAfresh
    ranks = ranks_with_new_files({n: r for n, r in built.ranks.items() if n in names}, files.names)
    if ranks is None:
        raise BuildAfresh
    splice = _Splice(built, Listing.of(sources), names)
    for name in [p.name for p in changed if p.name in old_parts] + gone:
        splice.take_out(old_parts[name])
    for part in changed:
        splice.put_in(part, ranks[part.name])
    return splice.built(sources, ranks, gone)


class _Splice:
    """An update in progress: the entries of changed files taken out of the last catalog,
    and their new entries put in (:func:`update`)."""

    def __init__(self, built: Built, how: Listing, names: set[str]) -> None:
        self.last, self.how = built, how
        catalog = built.catalog
        self.held = dict(built.held)
        self.removed: list[tuple[int, Entry]] = []
        self.gone_ids: set[str] = set()
        self.added: list[tuple[int, Entry]] = []
        self.new_ids: dict[str, int] = {}
        self.held_ids = {entry.id for entry in self.held.values()}
        self.segments = dict(built.segments) if built.segments is not None else None
        self.files_by_rank = {
            rank: catalog.files_by_rank[rank] for n, rank in built.ranks.items() if n in names
        }

    def take_out(self, part: ArchiveFile) -> None:
        """Every entry ``part`` had in the last catalog, listed or held back."""
        last = self.last
        keys = self.how.file_keys(part.entries, last.ranks[part.name])
        for key, entry in zip(keys, part.entries, strict=True):
            if entry.id in last.duplicated:
                raise BuildAfresh
            if self.held.pop(key, None) is None:
                self.removed.append((key, last.catalog.entry_at(key)))
                self.gone_ids.add(entry.id)
        self.held_ids = {entry.id for entry in self.held.values()}

    def put_in(self, part: ArchiveFile, rank: int) -> None:
        """``part``'s entries as listed now; an id found elsewhere too needs a full build."""
        by_id, gone_ids, new_ids, held_ids = (
            self.last.catalog.by_id, self.gone_ids, self.new_ids, self.held_ids
        )  # fmt: skip
        ids = [entry.id for entry in part.entries]
        if len(set(ids)) < len(ids) or any(
            (i in by_id and i not in gone_ids) or i in new_ids or i in held_ids for i in ids
        ):
            raise BuildAfresh  # a duplicate: which one stays is a question for a full build
        listing = list_file(part, rank, self.how, ())
        for key, entry in zip(listing.keys, listing.entries, strict=True):
            if key >= 0:
                new_ids[entry.id] = key
                self.added.append((key, entry))
        self.held.update(listing.held)
        held_ids.update(entry.id for entry in listing.held.values())
        self.files_by_rank[rank] = listing.entries
        if self.segments is not None and isinstance(part.index, dict):
            self.segments[part.name] = Segment(part.index, tuple(listing.keys))  # type: ignore[arg-type]
        else:
            self.segments = None

    def built(self, sources: Sources, ranks: dict[str, int], gone: Sequence[str]) -> Built:
        """The updated catalog: every index spliced, only the lists that changed copied."""
        last, removed, added = self.last.catalog, self.removed, self.added
        segments = self.segments
        if segments is not None:
            for name in gone:
                del segments[name]
        by_id = last.by_id.changed(self.gone_ids, self.new_ids)
        moves = _moves_by_kind(removed, added)
        try:
            keys = splice_keys(last.keys, (k for k, _e in removed), (k for k, _e in added))
            country_index = spliced(last.country_index, moves["country"], drop_empty=True)
            topic_index = spliced(last.topic_index, moves["topic"])
            region_index = spliced(last.region_index, moves["region"])
        except SpliceError:
            raise BuildAfresh from None
        held, held_ids = dict(sorted(self.held.items())), self.held_ids
        problems = override_problems(sources.overrides, sources.taxonomy,
                                     lambda i: i in by_id or i in held_ids)  # fmt: skip
        names = set(sources.files.names)
        warnings = {n: w for n, w in self.last.duplicate_warnings.items() if n in names}
        catalog = Catalog(
            archive=catalog_archive(sources, keys, self.files_by_rank, held, problems, warnings),
            taxonomy=sources.taxonomy,
            keys=keys,
            country_index=country_index,
            topic_index=topic_index,
            region_index=region_index,
            by_id=by_id,
            files_by_rank=self.files_by_rank,
            search=search_of(segments, sources.files),
            changes=CatalogChanges(last.version, tuple(sorted(removed)), tuple(sorted(added))),
        )
        return Built(catalog, sources, ranks, segments, self.last.duplicated, warnings, held)


def same_day_for(built: Built, today: dt.date | None) -> bool:
    """Whether ``built`` still holds back exactly what it should ``today``."""
    if today == built.sources.today:
        return True
    if built.held or today is None or built.sources.today is None:
        return False
    return not built.catalog.entries or built.catalog.entries[0].date <= today


def _moves_by_kind(
    removed: Iterable[tuple[int, Entry]], added: Iterable[tuple[int, Entry]]
) -> dict[str, Moves]:
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
