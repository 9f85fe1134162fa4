"""Word search over the archive (the ``q=`` parameter): an inverted index of folded words.

Words are cut by :func:`feeds.text.lower_tokens`, so search is case- and accent-insensitive
and ignores punctuation, like the classifier.

The index is kept per archive file (:func:`file_postings`, built where the file is
parsed and cached with it), so a reload re-indexes only the files that changed (issue 7).
A search intersects each file's short lists, maps the hits to the entries' sort keys
(:mod:`feeds.catalog.ordering`) and sorts them: its cost follows the number of hits, not the size
of the archive.
"""

from __future__ import annotations

import bisect
import struct
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from feeds.archive.entry import Entry
from feeds.text import lower_tokens

#: Local entry numbers in a file's postings: 32-bit, packed as bytes to pickle cheaply.
_TYPECODE: Final = "i"

#: folded word → local numbers (ascending) of the file's entries that contain it, packed.
FilePostings = dict[str, bytes]


def entry_words(entry: Entry) -> set[str]:
    """The folded words of the entry's title and summary."""
    return set(lower_tokens(entry.title + "\n" + "\n".join(entry.summary)))


def file_postings(entries: Sequence[Entry]) -> FilePostings:
    """The postings of one archive file's entries, in file order."""
    lists: defaultdict[str, list[int]] = defaultdict(list)
    for number, entry in enumerate(entries):
        for word in entry_words(entry):
            lists[word].append(number)
    return {word: _packed(numbers) for word, numbers in lists.items()}


def _packed(numbers: list[int]) -> bytes:
    """``array(_TYPECODE, numbers).tobytes()``: ``struct`` converts the numbers several
    times faster than ``array``, which parses each one as if it were an argument."""
    return struct.pack(f"{len(numbers)}{_TYPECODE}", *numbers)


@dataclass(frozen=True)
class Segment:
    """One file's postings, and where each of its entries sits in the catalog."""

    postings: FilePostings
    #: Sort key of each of the file's entries; -1 for one the catalog does not list (a
    #: duplicate, or held back until its date).
    keys: Sequence[int]


@dataclass(frozen=True)
class SearchIndex:
    segments: tuple[Segment, ...]

    @classmethod
    def build(cls, entries: Sequence[Entry], keys: Sequence[int]) -> SearchIndex:
        """An index of ``entries`` (with these sort keys) as one segment, for entries
        that come from no file."""
        return cls((Segment(file_postings(entries), keys),))

    def find(self, words: Sequence[str]) -> Sequence[int]:
        """Sort keys of the entries that contain every word, newest first."""
        if not words:
            return ()
        hits: list[int] = []
        for segment in self.segments:
            found = [segment.postings.get(word) for word in words]
            if all(found):
                local = _intersect_local(found)  # type: ignore[arg-type]
                hits.extend(map(segment.keys.__getitem__, local))
        hits.sort()
        if hits and hits[0] < 0:  # entries dropped as duplicates come first, as -1
            del hits[: bisect.bisect_left(hits, 0)]
        return hits


def _intersect_local(packed: list[bytes]) -> Iterable[int]:
    """Local numbers in every list: the shortest list filtered by the others."""
    lists = sorted((memoryview(p).cast(_TYPECODE) for p in packed), key=len)
    if len(lists) == 1:
        return lists[0]
    others = [frozenset(other) for other in lists[1:]]
    return [n for n in lists[0] if all(n in other for other in others)]


def query_words(text: str) -> tuple[str, ...]:
    """The words a ``q=`` value asks for, folded as the index is."""
    return tuple(dict.fromkeys(lower_tokens(text)))
