"""The ``q=`` query language, and the word stems that search matches on (issue 17).

``hub "information hub" -covid mexico OR guatemala`` asks for entries that have a word
of the stem of ``hub``, the phrase "information hub" (consecutive words), no word of the
stem of ``covid``, and ``mexico`` or ``guatemala``. ``OR`` (upper case; ``or`` is a word)
joins the words or phrases on either side and binds tighter than the implicit AND, as in
web search engines. A bare token that the tokeniser cuts into several words
(``cross-border``, ``U.S.``) is a phrase. A dangling ``OR`` and marks with no word are
ignored.

Matching is on stems, never on words as written: every word is cut and folded by
:func:`feeds.text.lower_tokens` (case and accents ignored) and then stands for its
English *and* its Spanish Snowball stem (PyStemmer), and a query word matches a text
word when they share one. So ``hub`` finds "Hubs", ``migrant`` finds "migrants" and
"migrantes", and ``informacion`` finds both "información" (Spanish stem ``inform``) and
"information" (English stem ``inform``), as the README's example promises. The archive
does not say which language an entry is in, so both stemmers apply to every word; the
price is a few cross-language collisions (``cases`` also finds "casa").

A query is parsed once into its canonical clauses (:func:`query_words`), which are what
a feed's links and cache keys carry: ``" ".join(clauses)`` parses back to the same
clauses.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from typing import Final

import Stemmer

from feeds.errors import InvalidQueryError
from feeds.text import lower_tokens

#: Words in one query, counting each word of each phrase and each ``OR`` alternative.
MAX_QUERY_TERMS: Final = 10
OPERATOR_OR: Final = "OR"
#: A quoted phrase (maybe unclosed at the end of the query), or a bare token.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


class _Stems(dict[str, tuple[str, ...]]):
    """Folded word → its distinct stems (English first), computed once per word."""

    __slots__ = ("_english", "_lock", "_spanish")
    #: Bound for the memo; an archive has far fewer distinct words.
    LIMIT = 200_000

    def __init__(self) -> None:
        super().__init__()
        self._english = Stemmer.Stemmer("english")
        self._spanish = Stemmer.Stemmer("spanish")
        self._lock = threading.Lock()  # a stemmer holds state while it works

    def __missing__(self, word: str) -> tuple[str, ...]:
        with self._lock:
            english = self._english.stemWord(word)
            spanish = self._spanish.stemWord(word)
        if len(self) >= self.LIMIT:
            self.clear()
        stems = self[word] = (english,) if english == spanish else (english, spanish)
        return stems


_STEMS = _Stems()


def word_stems(word: str) -> tuple[str, ...]:
    """The stems a folded word stands for: ``"informacion"`` → ``("informacion", "inform")``."""
    return _STEMS[word]


def words_match(query_word: str, text_word: str) -> bool:
    """Whether two folded words share a stem."""
    query_stems = _STEMS[query_word]
    return any(stem in query_stems for stem in _STEMS[text_word])


@dataclass(frozen=True, slots=True)
class Term:
    """A word, or a phrase of consecutive words; folded."""

    words: tuple[str, ...]

    def __str__(self) -> str:
        return self.words[0] if len(self.words) == 1 else '"' + " ".join(self.words) + '"'


@dataclass(frozen=True, slots=True)
class Clause:
    """Terms joined by ``OR``: an entry meets the clause if it has any of them."""

    terms: tuple[Term, ...]
    exclude: bool = False

    def __str__(self) -> str:
        text = f" {OPERATOR_OR} ".join(map(str, self.terms))
        return "-" + text if self.exclude else text


@dataclass(frozen=True, slots=True)
class SearchQuery:
    #: Clauses an entry must all meet.
    include: tuple[Clause, ...]
    #: Clauses an entry must meet none of.
    exclude: tuple[Clause, ...]

    @property
    def positive_words(self) -> tuple[str, ...]:
        """Each word the query looks for (not the excluded ones), once."""
        words = (w for c in self.include for t in c.terms for w in t.words)
        return tuple(dict.fromkeys(words))


def query_words(text: str) -> tuple[str, ...]:
    """The canonical clauses of a ``q=`` value; raises InvalidQueryError with a reason.

    ``'Hubs  "Information HUB" -Covid'`` → ``("hubs", '"information hub"', "-covid")``.
    """
    clauses = tuple(dict.fromkeys(_clauses(text)))
    if clauses and all(clause.exclude for clause in clauses):
        raise InvalidQueryError("q must have a word to find, not only -exclusions")
    terms = sum(len(term.words) for clause in clauses for term in clause.terms)
    if terms > MAX_QUERY_TERMS:
        raise InvalidQueryError(f"q has too many words: at most {MAX_QUERY_TERMS}")
    return tuple(map(str, clauses))


@functools.lru_cache(maxsize=4096)
def parse_query(clauses: tuple[str, ...]) -> SearchQuery:
    """The query that canonical ``clauses`` (from :func:`query_words`) stand for."""
    parsed = list(dict.fromkeys(_clauses(" ".join(clauses))))
    return SearchQuery(
        tuple(c for c in parsed if not c.exclude), tuple(c for c in parsed if c.exclude)
    )


def _clauses(text: str) -> list[Clause]:
    """The clauses of ``text``, in order: items joined by ``OR`` make one clause."""
    clauses: list[Clause] = []
    joining = False  # the previous token was OR, after a clause that may take more terms
    for match in _TOKEN.finditer(text):
        negated, phrase, bare = match.groups()
        if bare == OPERATOR_OR:
            joining = bool(clauses) and not clauses[-1].exclude
            continue
        if bare is not None and bare.startswith("-"):
            negated, bare = "-", bare[1:]
        words = tuple(lower_tokens(phrase if bare is None else bare))
        if not words:
            continue
        term = Term(words)
        if joining and not negated:
            clauses[-1] = Clause((*clauses[-1].terms, term))
        else:
            clauses.append(Clause((term,), exclude=bool(negated)))
        joining = False
    return [_without_repeats(clause) for clause in clauses]


def _without_repeats(clause: Clause) -> Clause:
    return Clause(tuple(dict.fromkeys(clause.terms)), clause.exclude)
