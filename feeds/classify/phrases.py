"""Leftmost-longest lookup of many phrases in a text: the core of classification.

A regex alternation over 40,000 place names costs milliseconds per entry, and a word trie
walked in Python about 12 µs, where parsing and classifying share 50 µs an entry (issue 2:
100,000 entries in 5 s). So the phrases go into one Aho-Corasick automaton
(``ahocorasick_rs``, the Rust ``aho-corasick`` crate), which finds them all in one pass
in native code.

The automaton matches bytes, not words; :func:`spaced` writes words so that a match can
only cover whole words: each word has a space on either side, so consecutive words are
two spaces apart, a phrase ``b" Mexico  City "`` cannot begin or end inside a word, and
two neighbouring matches never share a space.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

import ahocorasick_rs

V = TypeVar("V")
#: Between two texts in one :func:`spaced` string: a word no phrase contains (it is a
#: separator for :func:`feeds.text.tokens`), so no phrase spans two texts.
BOUNDARY = b"|"
_BETWEEN_TEXTS = b"  " + BOUNDARY + b"  "
#: Below this many phrases the automaton is a DFA: about a third faster to search, but
#: about 4 KB a phrase (the 43,000 place names would take 160 MB and 0.7 s to build).
_DFA_LIMIT = 10_000


def spaced(*texts: bytes) -> bytes:
    """Texts whose words are two spaces apart (:func:`feeds.text.spaced_tokens`), as
    :meth:`PhraseIndex.find` reads them: ``b" New  Mexico  |  Mexicali "`` for
    ``b"New  Mexico"`` and ``b"Mexicali"``."""
    return b" " + _BETWEEN_TEXTS.join(texts) + b" "


def word_before(text: bytes, start: int) -> bytes:
    """The word before the phrase found at ``start`` in a :func:`spaced` text (b"" if none)."""
    if start < 2:
        return b""
    return text[text.rfind(b" ", 0, start - 1) + 1 : start - 1]


class PhraseIndex(Generic[V]):
    """Phrases (sequences of words, as :func:`feeds.text.tokens` cuts them) and their values.

    A phrase given twice keeps its last value; empty phrases and ``None`` values are left
    out. Matching is exact: to ignore case, give the phrases and the text in lower case.
    The text is UTF-8 (ASCII once accents are folded), searched as bytes: the automaton
    then needs no conversion of the text, nor of the positions it finds.
    """

    __slots__ = ("_automaton", "values")

    def __init__(self, phrases: Iterable[tuple[Sequence[str], V]]) -> None:
        by_pattern: dict[bytes, V] = {}
        for words, value in phrases:
            if words and value is not None and "" not in words:
                by_pattern[spaced("  ".join(words).encode())] = value
        #: The value of each phrase, by the number :meth:`find` gives it.
        self.values = tuple(by_pattern.values())
        self._automaton = (
            ahocorasick_rs.BytesAhoCorasick(
                list(by_pattern),
                matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
                implementation=ahocorasick_rs.Implementation.DFA
                if len(by_pattern) < _DFA_LIMIT
                else None,
            )
            if by_pattern
            else None
        )

    def __len__(self) -> int:
        return len(self.values)

    def find(self, text: bytes) -> list[tuple[int, int, int]]:
        """``(number, start, end)`` of the phrases in a :func:`spaced` ``text``: leftmost,
        then longest, no overlap. ``values[number]`` is the phrase's value; ``start`` is
        the index of the space before it. (The automaton's own list: pairing each number
        with its value here would cost a tenth of the classification.)"""
        if self._automaton is None:
            return []
        return self._automaton.find_matches_as_indexes(text)
