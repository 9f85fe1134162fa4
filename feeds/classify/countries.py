"""Countries: ISO 3166-1 from pycountry, and the matcher that tags entries with them.

Each country gets its own feed, so a tag must be right, not roughly right (issue 3): an
entry concerns a country when its title or summary names it, its people or a place in
it. What each phrase means is decided in :mod:`feeds.classify.gazetteer`; this module finds the
phrases (longest first) and settles those that need support from the rest of the entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import pycountry

from feeds.classify.gazetteer import Key, Meaning, load_config, load_meanings, person_words
from feeds.classify.phrases import PhraseIndex, spaced, word_before
from feeds.errors import UnknownSelectionError
from feeds.text import fold, slugify, spaced_tokens

# Money, not the United States: "a donation of US$ 50,000".
_CURRENCY_MARKS = ("US$", "U.S.$")


@dataclass(frozen=True, slots=True)
class Country:
    """A country or territory with an ISO 3166-1 code, as feeds and pages show it."""

    #: ISO 3166-1 alpha-2 code, upper case: ``MX``.
    code: str
    #: Usual English short name: ``Bolivia``, ``United States``.
    name: str
    #: URL-safe name for feed URLs: ``costa-rica``.
    slug: str


@cache
def all_countries() -> tuple[Country, ...]:
    """Every ISO 3166-1 country, sorted by name (accents ignored)."""
    config = load_config()
    found = []
    for country in pycountry.countries:
        code = country.alpha_2
        name = config["names"].get(code) or getattr(country, "common_name", country.name)
        found.append(Country(code, name, config["slugs"].get(code) or slugify(name)))
    return tuple(sorted(found, key=lambda country: fold(country.name)))


@cache
def _by_code() -> dict[str, Country]:
    return {country.code: country for country in all_countries()}


@cache
def _by_slug() -> dict[str, Country]:
    return {country.slug: country for country in all_countries()}


def country_by_code(code: str) -> Country:
    """The country with alpha-2 ``code`` (any case); :class:`UnknownSelectionError` if none."""
    try:
        return _by_code()[code.upper()]
    except KeyError:
        raise UnknownSelectionError(f"unknown country code: {code!r}") from None


def country_by_slug(slug: str) -> Country:
    """The country whose slug is ``slug``; :class:`UnknownSelectionError` if none."""
    try:
        return _by_slug()[slug]
    except KeyError:
        raise UnknownSelectionError(f"unknown country: {slug!r}") from None


def country_named(text: str) -> Country:
    """The country that a user names by its slug (``mexico``) or its alpha-2 code (``MX``,
    any case), as in URLs, ``country=`` and overrides; UnknownSelectionError if none."""
    if len(text) == 2 and text.isalpha():
        return country_by_code(text)
    return country_by_slug(text)


class CountryMatcher:
    """Finds the countries an entry names. Build once (:meth:`default`), use for every entry."""

    __slots__ = ("_index", "_person_words")

    def __init__(
        self, meanings: Mapping[Key, Meaning], person_words: frozenset[str] = frozenset()
    ) -> None:
        """``person_words``: first names and titles, after which a place is a surname."""
        self._index = PhraseIndex(meanings.items())
        self._person_words = frozenset(word.encode() for word in person_words)

    @classmethod
    def default(cls) -> CountryMatcher:
        """The matcher for the packaged data files, loaded once."""
        return _default_matcher()

    @staticmethod
    def spaced_words(text: str) -> bytes:
        """``text`` cut as the matcher reads it (:func:`feeds.text.spaced_tokens`), money
        removed."""
        if "$" in text:
            for mark in _CURRENCY_MARKS:
                text = text.replace(mark, " ")
        return spaced_tokens(text)

    def match(self, title: str, summary: str) -> frozenset[str]:
        """Alpha-2 codes of the countries that ``title`` or ``summary`` names."""
        return self.match_spaced(spaced(self.spaced_words(title), self.spaced_words(summary)))

    def match_spaced(self, text: bytes) -> frozenset[str]:
        """:meth:`match` for texts cut by :meth:`spaced_words` and joined by
        :func:`feeds.classify.phrases.spaced`."""
        named: set[str] = set()
        doubtful: list[Meaning] = []
        people = self._person_words
        meanings = self._index.values
        for number, start, _end in self._index.find(text):
            meaning = meanings[number]
            if meaning.needs_support or (meaning.place and word_before(text, start) in people):
                doubtful.append(meaning)
            else:
                named |= meaning.codes
        # A shared or common-word name counts only for a country named elsewhere in the
        # entry (issue 3: "Georgetown", "San José", "Santiago", "Victoria").
        found = set(named)
        for meaning in doubtful:
            supported = meaning.codes & named
            if supported:
                found |= supported
            elif meaning.prefer:
                found.add(meaning.prefer)
        return frozenset(found)


@cache
def _default_matcher() -> CountryMatcher:
    config = load_config()
    return CountryMatcher(load_meanings(config), person_words(config))
