"""Where each entry sits in the archive's order, as a number that does not move.

Feeds list entries newest first, ties in archive order (by file path, then place in the
file). The catalog indexes entries by a *sort key* that encodes exactly that order:

    key = days before the last possible date | rank of the file | number in the file

so ascending keys are newest first. Unlike a position in one long list, an entry's key
stays the same when other entries come or go. A reload then takes the changed file's old
keys out of each index and puts its new ones in (:func:`splice_keys`), and its cost follows
that file, not the archive (issue 7, target 6).

A key fits in 64 bits, so indexes are arrays of machine integers (:func:`key_array`):
copying one is a ``memcpy``, and the garbage collector has nothing in them to scan.

File ranks are spread out over :data:`FILE_BITS` bits, so a new file gets a rank between
its neighbours'; when two neighbours leave no room, the catalog is built again from
scratch, with fresh ranks.
"""

from __future__ import annotations

import bisect
import datetime as dt
from array import array
from collections.abc import Iterable, Sequence

from feeds.errors import ArchiveTooLargeError

#: Bits for an entry's number within its file (up to a million entries a file).
NUMBER_BITS = 20
#: Bits for a file's rank: room for four million files, and for new ones between them.
FILE_BITS = 22
DAY_SHIFT = NUMBER_BITS + FILE_BITS
_LAST_DAY = dt.date.max.toordinal()  # days from 1 January of year 1 fit in 22 bits
_NO_RANK = 1 << FILE_BITS  # one past the largest rank
RANK_MASK = _NO_RANK - 1
NUMBER_MASK = (1 << NUMBER_BITS) - 1
#: Unsigned 64-bit: 22 bits of days, then the rank and the number.
KEY_TYPECODE = "Q"


def key_array(keys: Iterable[int] = ()) -> array[int]:
    """Keys as an array of unsigned 64-bit integers."""
    return array(KEY_TYPECODE, keys)


class SpliceError(ValueError):
    """A key to take out is not there: the caller's bookkeeping is wrong (build afresh)."""


def day_key(date: dt.date) -> int:
    """The smallest key of an entry dated ``date``; every older entry's key is larger."""
    return (_LAST_DAY - date.toordinal()) << DAY_SHIFT


def date_of(key: int) -> dt.date:
    """The date of the entry with sort key ``key``."""
    return dt.date.fromordinal(_LAST_DAY - (key >> DAY_SHIFT))


def next_day_key(key: int) -> int:
    """The smallest key of the day before ``key``'s: the end of that day's keys."""
    return ((key >> DAY_SHIFT) + 1) << DAY_SHIFT


def since_bound(date: dt.date) -> int:
    """Entries dated ``date`` or later are exactly those whose key is below this."""
    return day_key(date) + (1 << DAY_SHIFT)


def file_base(rank: int) -> int:
    """What a file's rank adds to the keys of its entries."""
    return rank << NUMBER_BITS


def place_of(key: int) -> tuple[int, int]:
    """The rank of the key's file and the entry's number in it."""
    return (key >> NUMBER_BITS) & RANK_MASK, key & NUMBER_MASK


def fits_in_a_file(count: int) -> bool:
    return count <= NUMBER_MASK + 1


def spread_ranks(names: Sequence[str]) -> dict[str, int]:
    """Ranks for files in reading order, evenly spaced to leave room between them.

    Raises :class:`ArchiveTooLargeError` for more files than ranks (four million).
    """
    if len(names) >= RANK_MASK:
        raise ArchiveTooLargeError(f"{len(names):,} archive files; at most {RANK_MASK - 1:,}")
    spacing = _NO_RANK // (len(names) + 1)
    return {name: spacing * (number + 1) for number, name in enumerate(names)}


def ranks_with_new_files(ranks: dict[str, int], names: Sequence[str]) -> dict[str, int] | None:
    """``ranks`` for the files ``names`` (reading order): kept for the files it has, new
    ones between their neighbours'. ``None`` when neighbours leave no room for one."""
    new: dict[str, int] = {}
    following = _NO_RANK
    upcoming: list[int] = []  # for each position, the rank of the next known file
    for name in reversed(names):
        upcoming.append(following)
        following = ranks.get(name, following)
    upcoming.reverse()
    previous = 0
    for name, after in zip(names, upcoming, strict=True):
        rank = ranks.get(name)
        if rank is None:
            rank = (previous + after) // 2
            if rank <= previous:
                return None
        new[name] = previous = rank
    return new


def splice_keys(keys: array[int], removed: Iterable[int], added: Iterable[int]) -> array[int]:
    """``keys`` (ascending) without the ``removed`` keys and with the ``added`` ones.

    Runs between changes are copied as slices of machine integers (``memcpy``), so the
    cost is a microsecond or two per change plus one copy of the array. A key both
    removed and added (an entry edited in place) stays. Raises :class:`SpliceError` for
    a removed key that is not in ``keys``.
    """
    out = key_array()
    start = 0
    for at, key, adding in _changes(keys, removed, added):
        out += keys[start:at]
        if adding:
            out.append(key)
        start = at if adding else at + 1
    out += keys[start:]
    return out


def _changes(
    keys: array[int], removed: Iterable[int], added: Iterable[int]
) -> Iterable[tuple[int, int, bool]]:
    """(where in ``keys``, key, whether added) for every change, in key order."""
    start = 0
    for key, adding in sorted([(k, False) for k in removed] + [(k, True) for k in added]):
        at = bisect.bisect_left(keys, key, start)
        if not adding and (at == len(keys) or keys[at] != key):
            raise SpliceError(f"key {key} is not among the keys to remove from")
        yield at, key, adding
        start = at if adding else at + 1
