"""Word search over the archive (the ``q=`` parameter): an inverted index of folded words.

Words are cut by :func:`feeds.text.lower_tokens`, so search is case- and accent-insensitive
and ignores punctuation, like the classifier.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass

from feeds.entry import Entry
from feeds.text import lower_tokens

_EMPTY = array("i")


@dataclass(frozen=True)
class SearchIndex:
    #: folded word → ascending positions (newest first) of the entries containing it.
    postings: dict[str, array[int]]

    @classmethod
    def build(cls, entries: Sequence[Entry]) -> SearchIndex:
        lists: dict[str, list[int]] = {}
        for position, entry in enumerate(entries):
            text = entry.title + "\n" + "\n".join(entry.summary)
            for word in set(lower_tokens(text)):
                found = lists.get(word)
                if found is None:
                    lists[word] = [position]
                else:
                    found.append(position)
        return cls({word: array("i", positions) for word, positions in lists.items()})

    def find(self, words: Sequence[str]) -> Sequence[int]:
        """Positions of the entries that contain every word, newest first."""
        postings = sorted((self.postings.get(w, _EMPTY) for w in words), key=len)
        if not postings or not postings[0]:
            return ()
        if len(postings) == 1:
            return postings[0]
        others = [frozenset(p) for p in postings[1:]]
        return [p for p in postings[0] if all(p in other for other in others)]


def query_words(text: str) -> tuple[str, ...]:
    """The words a ``q=`` value asks for, folded as the index is."""
    return tuple(dict.fromkeys(lower_tokens(text)))
