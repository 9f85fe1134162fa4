"""Search over the archive (the ``q=`` parameter): an inverted index of word stems.

Words are cut by :func:`feeds.text.lower_tokens` (case- and accent-insensitive, no
punctuation, like the classifier) and indexed under their stems; the query language and
the stems are :mod:`feeds.catalog.search_query`'s.

The index is kept per archive file (:func:`file_postings`, built where the file is
parsed and cached with it), so a reload re-indexes only the files that changed (issue 7).
A search combines each file's short lists (a phrase is checked against the few entries
that have all its words), maps the hits to the entries' sort keys
(:mod:`feeds.catalog.ordering`) and sorts them: its cost follows the number of hits, not
the size of the archive.
"""

from __future__ import annotations

import bisect
import math
import struct
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from feeds.archive.entry import Entry
from feeds.catalog.search_query import (
    Clause,
    SearchQuery,
    Term,
    parse_query,
    phrase_in,
    query_words,
    word_stems,
)
from feeds.text import lower_tokens

__all__ = ["FilePostings", "SearchIndex", "Segment", "entry_words", "file_postings", "query_words"]

#: Local entry numbers in a file's postings: 32-bit, packed as bytes to pickle cheaply.
_TYPECODE: Final = "i"
#: Prefix of the keys of title postings (stems never hold it): relevance weighs them.
TITLE: Final = "^"
#: A word in the title counts this many times more for ``sort=relevance``.
TITLE_WEIGHT: Final = 2.0

Locals = Sequence[int]


class FilePostings(dict[str, bytes]):
    """Stem → local numbers (ascending) of one file's entries that have a word of that
    stem, packed; ``TITLE + stem`` → those whose title has one. ``entries`` are the
    file's entries, for checking phrases (the same tuple the file's reading holds)."""

    entries: Sequence[Entry]


def entry_words(entry: Entry) -> set[str]:
    """The folded words of the entry's title and summary."""
    return set(lower_tokens(_text(entry)))


def entry_stems(entry: Entry) -> set[str]:
    """The stems the entry is indexed under (title postings aside)."""
    return {stem for word in entry_words(entry) for stem in word_stems(word)}


def _text(entry: Entry) -> str:
    return entry.title + "\n" + "\n".join(entry.summary)


def file_postings(entries: Sequence[Entry]) -> FilePostings:
    """The postings of one archive file's entries, in file order."""
    words: defaultdict[str, list[int]] = defaultdict(list)
    titles: defaultdict[str, list[int]] = defaultdict(list)
    for number, entry in enumerate(entries):
        for word in entry_words(entry):
            words[word].append(number)
        for word in set(lower_tokens(entry.title)):
            titles[word].append(number)
    postings = FilePostings(_by_stem(words, ""))
    postings.update(_by_stem(titles, TITLE))
    postings.entries = tuple(entries)
    return postings


def _by_stem(by_word: dict[str, list[int]], prefix: str) -> dict[str, bytes]:
    """Word postings merged into stem postings (most stems have one word in a file)."""
    grouped: defaultdict[str, list[list[int]]] = defaultdict(list)
    for word, numbers in by_word.items():
        for stem in word_stems(word):
            grouped[prefix + stem].append(numbers)
    return {
        stem: _packed(lists[0] if len(lists) == 1 else sorted(set().union(*lists)))
        for stem, lists in grouped.items()
    }


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
        """Sort keys of the entries that meet the query of ``words`` (canonical clauses,
        see :func:`query_words`), newest first."""
        if not words:
            return ()
        query = parse_query(tuple(words))
        hits: list[int] = []
        for segment in self.segments:
            local = _segment_hits(segment.postings, query)
            if local:
                hits.extend(map(segment.keys.__getitem__, local))
        hits.sort()
        if hits and hits[0] < 0:  # entries dropped as duplicates come first, as -1
            del hits[: bisect.bisect_left(hits, 0)]
        return hits

    def by_relevance(self, keys: Sequence[int], words: Sequence[str]) -> list[int]:
        """``keys`` (hits of the query of ``words``), most relevant first.

        An entry scores, for each word it was found by, the word's inverse document
        frequency (rarer words weigh more), times :data:`TITLE_WEIGHT` more when the word
        is in its title; ties stay newest first. No word counts are kept, so a word
        said ten times weighs what it weighs said once.
        """
        scores = dict.fromkeys(keys, 0.0)
        if not words or not scores:
            return list(keys)
        total = sum(len(segment.keys) for segment in self.segments)
        for word in parse_query(tuple(words)).positive_words:
            stems = word_stems(word)
            found = [(s, _stem_locals(s.postings, stems, "")) for s in self.segments]
            weight = math.log(1 + total / max(1, sum(len(local) for _s, local in found)))
            for segment, local in found:
                _add(scores, segment.keys, local, weight)
                _add(scores, segment.keys, _stem_locals(segment.postings, stems, TITLE), weight)
        return sorted(scores, key=lambda key: (-scores[key], key))


def _add(scores: dict[int, float], keys: Sequence[int], local: Locals, weight: float) -> None:
    for key in map(keys.__getitem__, local):
        if key in scores:
            scores[key] += weight


def _segment_hits(postings: FilePostings, query: SearchQuery) -> Locals:
    """Local numbers of the segment's entries that meet ``query``."""
    lists: list[Locals] = []
    for clause in query.include:
        local = _clause_locals(postings, clause)
        if not local:
            return ()
        lists.append(local)
    hits = _intersect_local(lists)
    for clause in query.exclude:
        if not hits:
            break
        excluded = set(_clause_locals(postings, clause))
        if excluded:
            hits = [n for n in hits if n not in excluded]
    return hits


def _clause_locals(postings: FilePostings, clause: Clause) -> Locals:
    found = [local for term in clause.terms if (local := _term_locals(postings, term))]
    if len(found) <= 1:
        return found[0] if found else ()
    return sorted(set().union(*found))


def _term_locals(postings: FilePostings, term: Term) -> Locals:
    lists = []
    for word in term.words:
        local = _stem_locals(postings, word_stems(word), "")
        if not local:
            return ()
        lists.append(local)
    candidates = _intersect_local(lists)
    if len(term.words) == 1:
        return candidates
    entries = postings.entries
    return [n for n in candidates if _has_phrase(entries[n], term.words)]


def _has_phrase(entry: Entry, words: tuple[str, ...]) -> bool:
    """Whether the title or one paragraph holds the phrase (phrases do not run on)."""
    return any(phrase_in(words, lower_tokens(part)) for part in (entry.title, *entry.summary))


def _stem_locals(postings: FilePostings, stems: Collection[str], prefix: str) -> Locals:
    """Local numbers of the entries with a word of any of ``stems``."""
    found = [packed for stem in stems if (packed := postings.get(prefix + stem))]
    if len(found) <= 1:
        return memoryview(found[0]).cast(_TYPECODE) if found else ()
    return sorted(set().union(*(memoryview(p).cast(_TYPECODE) for p in found)))


def _intersect_local(lists: list[Locals]) -> Locals:
    """Local numbers in every list: the shortest list filtered by the others."""
    if len(lists) == 1:
        return lists[0]
    ordered = sorted(lists, key=len)
    others = [frozenset(other) for other in ordered[1:]]
    return [n for n in ordered[0] if all(n in other for other in others)]


def matching_words(words: Sequence[str]) -> Iterable[str]:
    """The stems a page highlights for the query of ``words``: its positive words'."""
    if not words:
        return frozenset()
    return frozenset(
        stem for word in parse_query(tuple(words)).positive_words for stem in word_stems(word)
    )
