"""Leftmost-longest lookup of many phrases in a list of words: the core of classification.

A regex alternation over 40,000 place names costs milliseconds per entry; the classifier
has about 25 µs (issue 3). So phrases live in a word trie, the text's words are
intersected with the trie's first words in C, and the trie is walked only from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

V = TypeVar("V")
# A trie node is a dict from the next word to the next node; a phrase's value sits under
# the key "", which no token can be.
_VALUE = ""


class PhraseIndex(Generic[V]):
    """Phrases (sequences of words, as :func:`feeds.text.tokens` cuts them) and their values.

    With ``ignore_case``, phrases are given in lower case and match words written in lower
    case, Title Case or UPPER CASE: the trie holds the three spellings of each word, so
    the text need not be lower-cased word by word.
    """

    __slots__ = ("_first_words", "_root", "_size")

    def __init__(
        self, phrases: Iterable[tuple[Sequence[str], V]], ignore_case: bool = False
    ) -> None:
        root: dict[str, Any] = {}
        size = 0
        for words, value in phrases:
            if not words or value is None or "" in words:
                continue
            node = root
            for word in words:
                node = node.setdefault(word, {})
            size += _VALUE not in node
            node[_VALUE] = value
        if ignore_case:
            _add_spellings(root, set())
        self._root = root
        self._size = size
        # A frozenset, not the dict's keys view: ``keys() & words`` copies every key.
        self._first_words = frozenset(root)

    def __len__(self) -> int:
        return self._size

    def find(self, words: list[str]) -> list[tuple[int, V]]:
        """``(start, value)`` of the phrases in ``words``: leftmost, then longest, no overlap."""
        hits = self._first_words.intersection(words)
        if not hits:
            return []
        root = self._root
        found: list[tuple[int, V]] = []
        end = 0
        size = len(words)
        for start in [index for index, word in enumerate(words) if word in hits]:
            if start < end:
                continue
            node = root[words[start]]
            value = node.get(_VALUE)
            stop = start + 1
            index = stop
            while index < size:
                node = node.get(words[index])
                if node is None:
                    break
                index += 1
                if _VALUE in node:
                    value, stop = node[_VALUE], index
            if value is not None:
                found.append((start, value))
                end = stop
        return found


def _add_spellings(node: dict[str, Any], done: set[int]) -> None:
    """Give every lower-case word of the trie its Title Case and UPPER CASE spellings."""
    if id(node) in done:
        return
    done.add(id(node))
    for word, child in list(node.items()):
        if word != _VALUE:
            node.setdefault(word.capitalize(), child)
            node.setdefault(word.upper(), child)
            _add_spellings(child, done)

