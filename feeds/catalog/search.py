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
import functools
import math
import re
import struct
import threading
from array import array
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from feeds.archive.entry import Entry
from feeds.catalog.indexes import intersect
from feeds.catalog.ordering import key_array
from feeds.catalog.search_query import (
    Clause,
    Term,
    parse_query,
    query_words,
    word_stems,
    words_match,
)
from feeds.text import lower_token_string, lower_tokens

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


class _Merged:
    """Each clause's hits over the whole catalog, as sorted keys, kept for the catalog's
    life: the file postings merged once per catalog (a reload makes a new index), so a
    word asked for again costs a lookup, not a pass over every file. A clause that another
    one is intersected with also keeps its keys as a set. Least recently used clauses go
    first beyond :attr:`LIMIT` units: one per key in an array (8 bytes), :data:`SET_COST`
    per key in a set."""

    LIMIT = 4_000_000
    SET_COST = 6
    CLAUSE_COST = 32

    def __init__(self) -> None:
        self._lists: OrderedDict[str, tuple[array[int], frozenset[int] | None]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, clause: str, merge: Callable[[], array[int]]) -> array[int]:
        return self._get(clause, merge, as_set=False)[0]

    def get_set(self, clause: str, merge: Callable[[], array[int]]) -> frozenset[int]:
        found = self._get(clause, merge, as_set=True)[1]
        assert found is not None
        return found

    def _get(
        self, clause: str, merge: Callable[[], array[int]], *, as_set: bool
    ) -> tuple[array[int], frozenset[int] | None]:
        with self._lock:
            found = self._lists.get(clause)
            if found is not None:
                self._lists.move_to_end(clause)
                if found[1] is not None or not as_set:
                    return found
        # Outside the lock: two requests may merge the same clause once each.
        keys = merge() if found is None else found[0]
        made = (keys, frozenset(keys) if as_set else None)
        with self._lock:
            old = self._lists.get(clause)
            self._size -= 0 if old is None else self._cost(old)
            self._lists[clause] = made
            self._size += self._cost(made)
            while self._size > self.LIMIT and len(self._lists) > 1:
                _clause, dropped = self._lists.popitem(last=False)
                self._size -= self._cost(dropped)
        return made

    def _cost(self, found: tuple[array[int], frozenset[int] | None]) -> int:
        # Plus the clause itself (its string, tuple and array: about 32 keys' bytes):
        # otherwise clauses with no hits cost nothing, and random words (q=x1, q=x2, …)
        # would grow the cache without bound.
        return self.CLAUSE_COST + len(found[0]) * (1 if found[1] is None else 1 + self.SET_COST)


@dataclass(frozen=True)
class SearchIndex:
    segments: tuple[Segment, ...]
    _merged: _Merged = field(default_factory=_Merged, compare=False, repr=False)

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
        ordered = sorted(query.include, key=lambda clause: len(self.clause_keys(clause)))
        hits: Sequence[int] = self.clause_keys(ordered[0])
        wanted = [self._clause_set(clause) for clause in ordered[1:]]
        unwanted = [self._clause_set(clause) for clause in query.exclude]
        # One plain comprehension per set (the hits shrink as they go): several times
        # faster than one that asks all() of each key.
        for other in wanted:
            hits = [key for key in hits if key in other]
        for other in unwanted:
            hits = [key for key in hits if key not in other]
        return hits

    def _clause_set(self, clause: Clause) -> frozenset[int]:
        return self._merged.get_set(
            str(clause), lambda: self._merge(lambda p: _clause_locals(p, clause))
        )

    def clause_keys(self, clause: Clause) -> array[int]:
        """Keys of the entries that meet ``clause``, newest first (merged once)."""
        return self._merged.get(
            str(clause), lambda: self._merge(lambda p: _clause_locals(p, clause))
        )

    def _merge(self, locals_in: Callable[[FilePostings], Locals]) -> array[int]:
        """Keys of the entries that ``locals_in`` finds in each file, newest first."""
        hits: list[int] = []
        for segment in self.segments:
            local = locals_in(segment.postings)
            if local:
                hits.extend(map(segment.keys.__getitem__, local))
        hits.sort()
        if hits and hits[0] < 0:  # entries dropped as duplicates come first, as -1
            del hits[: bisect.bisect_left(hits, 0)]
        return key_array(hits)

    def by_relevance(self, keys: Sequence[int], words: Sequence[str]) -> list[int]:
        """``keys`` (hits of the query of ``words``, newest first), most relevant first.

        An entry scores, for each word it was found by, the word's inverse document
        frequency (rarer words weigh more), :data:`TITLE_WEIGHT` times that when the word
        is in its title; ties stay newest first. No word counts are kept, so a word said
        ten times weighs what it weighs said once. Words every hit has (those not behind
        an ``OR``) add the same to every score and are counted in titles only.
        """
        if not words or not keys:
            return list(keys)
        query = parse_query(tuple(words))
        everywhere = {w for c in query.include if len(c.terms) == 1 for w in c.terms[0].words}
        total = sum(len(segment.keys) for segment in self.segments)
        hits = set(keys)
        scores: defaultdict[int, float] = defaultdict(float)  # only the keys that score
        for word in query.positive_words:
            clause = Clause((Term((word,)),))
            weight = math.log(1 + total / max(1, len(self.clause_keys(clause))))
            if word not in everywhere:
                for key in self._clause_set(clause) & hits:
                    scores[key] += weight
            for key in self._title_keys(word) & hits:
                scores[key] += (TITLE_WEIGHT - 1) * weight
        # Highest first; equal scores (and the unscored rest) stay newest first.
        ranked = sorted(sorted(scores), key=scores.__getitem__, reverse=True)
        return ranked + [key for key in keys if key not in scores]

    def _title_keys(self, word: str) -> frozenset[int]:
        stems = word_stems(word)
        return self._merged.get_set(
            TITLE + word, lambda: self._merge(lambda p: _stem_locals(p, stems, TITLE))
        )


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
    candidates = intersect(lists)
    if len(term.words) == 1:
        return candidates
    entries = postings.entries
    return [n for n in candidates if _has_phrase(entries[n], term.words)]


def _has_phrase(entry: Entry, words: tuple[str, ...]) -> bool:
    """Whether the title or one paragraph holds the phrase (phrases do not run on).

    A regular expression finds, in C, the runs of words that begin as the phrase's stems
    do (a word begins with its stem but for the stem's last letter: ``happi`` of "happy");
    only those runs are compared stem by stem.
    """
    pattern = _phrase_pattern(words)
    for part in (entry.title, *entry.summary):
        for found in pattern.finditer(lower_token_string(part)):
            if all(map(words_match, words, found.groups())):
                return True
    return False


@functools.lru_cache(maxsize=256)
def _phrase_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    def word(query_word: str) -> str:
        starts = {stem[: max(1, len(stem) - 1)] for stem in word_stems(query_word)}
        return "((?:" + "|".join(map(re.escape, sorted(starts))) + r")\S*)"

    # A lookahead, so that runs that overlap are all tried.
    return re.compile(r"(?=(?<!\S)" + " ".join(map(word, words)) + r"(?!\S))")


def _stem_locals(postings: FilePostings, stems: Collection[str], prefix: str) -> Locals:
    """Local numbers of the entries with a word of any of ``stems``."""
    found = [packed for stem in stems if (packed := postings.get(prefix + stem))]
    if len(found) <= 1:
        return memoryview(found[0]).cast(_TYPECODE) if found else ()
    return sorted(set().union(*(memoryview(p).cast(_TYPECODE) for p in found)))


def matching_words(words: Sequence[str]) -> Iterable[str]:
    """The stems a page highlights for the query of ``words``: its positive words'."""
    if not words:
        return frozenset()
    return frozenset(
        stem for word in parse_query(tuple(words)).positive_words for stem in word_stems(word)
    )
