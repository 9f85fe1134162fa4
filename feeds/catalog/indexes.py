"""The catalog's index structures: arrays of sort keys, and the views and sets made of them.

A selection is a sorted sequence of entry sort keys (:mod:`feeds.catalog.ordering`;
ascending is newest first). These are the structures that hold them, combine them and
change them by splicing, so that a reload copies only what changed.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import overload

from feeds.archive.entry import Entry
from feeds.catalog.ordering import key_array, place_of, splice_keys

#: Sort keys of entries (:mod:`feeds.catalog.ordering`), ascending: newest first.
Keys = Sequence[int]

#: name → (keys taken out of its list, keys put in)
Moves = dict[str, tuple[list[int], list[int]]]


def entry_at(files_by_rank: Mapping[int, Sequence[Entry]], key: int) -> Entry:
    """The entry that ``key`` points at: its file's rank and its number in the file."""
    rank, number = place_of(key)
    return files_by_rank[rank][number]


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
        return entry_at(self._files, key)

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

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same entries, as a tuple is."""
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{len(self)} entries>"


def union(selections: Iterable[Keys]) -> Keys:
    """Keys in any of the selections, in order."""
    lists = [s for s in selections if s]
    if len(lists) == 1:
        return lists[0]
    # In C: a set's union and a sort of ints are several times faster than heapq.merge.
    return sorted(set().union(*lists))


def intersect(selections: list[Keys]) -> Keys:
    """Keys in every selection: the shortest one filtered by the others."""
    if len(selections) == 1:
        return selections[0]
    ordered = sorted(selections, key=len)
    others = [set(s) for s in ordered[1:]]
    return [k for k in ordered[0] if all(k in other for other in others)]


class Prefix(Sequence[int]):
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


def spliced(
    index: dict[str, array[int]], changes: Moves, *, drop_empty: bool = False
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
