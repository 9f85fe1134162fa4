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

from feeds.classify.gazetteer import (
    Key,
    Meaning,
    list_length,
    load_config,
    load_meanings,
    person_words,
)
from feeds.classify.phrases import PhraseIndex, spaced, word_before
from feeds.errors import UnknownSelectionError
from feeds.text import fold, slugify, spaced_tokens

# Money, not the United States: "a donation of US$ 50,000".
_CURRENCY_MARKS = ("US$", "U.S.$")
# What may stand between two names of a list once punctuation is gone: "Panama, and the
# United States" is " Panama  and  the  United  States ".
_LIST_GLUE = frozenset({b"and", b"the", b"or", b"y"})
_A_LIST = "in a list of "


@dataclass(frozen=True, slots=True)
class CountryFinding:
    """One phrase the matcher found, and what it did to the entry's countries (for
    ``feeds why``): the same decisions as :meth:`CountryMatcher.match_spaced`."""

    #: Where the phrase is in the :func:`~feeds.classify.phrases.spaced` text.
    start: int
    end: int
    #: The countries the phrase may name.
    codes: tuple[str, ...]
    #: The countries it gave the entry (none when a rule rejected it).
    tagged: tuple[str, ...]
    #: The rule that decided: ``names it``, ``blocked phrase (not_countries)``, ...
    rule: str


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

    __slots__ = ("_index", "_list_length", "_person_words")

    def __init__(
        self,
        meanings: Mapping[Key, Meaning],
        person_words: frozenset[str] = frozenset(),
        list_length: int = 0,
    ) -> None:
        """``person_words``: first names and titles, after which a place is a surname;
        ``list_length``: a run of this many country names is a list (0: never)."""
        self._index = PhraseIndex(meanings.items())
        self._person_words = frozenset(word.encode() for word in person_words)
        self._list_length = list_length or 1_000_000

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

    def explain_spaced(self, text: bytes) -> tuple[frozenset[str], list[CountryFinding]]:
        """:meth:`match_spaced`, and why: every phrase found and the rule that decided."""
        trace: list[CountryFinding] = []
        return self.match_spaced(text, trace), trace

    def match_spaced(
        self, text: bytes, trace: list[CountryFinding] | None = None
    ) -> frozenset[str]:
        """:meth:`match` for texts cut by :meth:`spaced_words` and joined by
        :func:`feeds.classify.phrases.spaced`; ``trace`` collects why (see
        :meth:`explain_spaced`)."""
        named: set[str] = set()
        doubtful: list[tuple[tuple[int, int, int], Meaning, str]] = []
        people = self._person_words
        meanings = self._index.values
        matches = self._index.find(text)
        # A list ("Belize, Canada, Costa Rica, ...") or a run after a supporting phrase
        # ("Chief of Mission for El Salvador, Guatemala and Honduras") needs support as a
        # whole (issue 18). A chain of names close together, counted as they come, says
        # whether there may be one: only then are runs looked for.
        chain, last_end, may_run, list_length = 0, -100, False, self._list_length
        for match in matches:
            meaning = meanings[match[0]]
            if meaning.needs_support:
                doubtful.append((match, meaning, meaning.context))
                if meaning.context:
                    may_run = True
            elif meaning.place:
                if word_before(text, match[1]) in people:
                    word = word_before(text, match[1]).decode()
                    doubtful.append((match, meaning, f"surname after “{word}”"))
                else:
                    named |= meaning.codes
            else:
                named |= meaning.codes
                chain = chain + 1 if match[1] - last_end < 12 else 1  # "  and  the  " between
                last_end = match[2]
                if chain == list_length:
                    may_run = True
        if may_run:
            runs = self._in_runs(text, matches)
            if runs:
                named = self._outside_runs(matches, runs, doubtful)
        # A shared or common-word name counts only for a country named elsewhere in the
        # entry (issue 3: "Georgetown", "San José", "Santiago", "Victoria"). A list stands
        # on its own when the entry names no other country: it is what the entry is about.
        found = set(named)
        for match, meaning, why in doubtful:
            supported = meaning.codes & named
            preferred = False
            if not named and why.startswith(_A_LIST):
                supported = meaning.codes
            elif not supported and meaning.prefer and not why:
                supported, preferred = frozenset({meaning.prefer}), True
            if supported:
                found |= supported
            if trace is not None:
                rule = _doubtful_rule(why, bool(supported), preferred, bool(named))
                trace.append(_finding(match, meaning, supported, rule))
        if trace is not None:
            self._trace_named(matches, doubtful, trace)
        return frozenset(found)

    def _outside_runs(
        self,
        matches: list[tuple[int, int, int]],
        runs: dict[int, str],
        doubtful: list[tuple[tuple[int, int, int], Meaning, str]],
    ) -> set[str]:
        """The countries named outside ``runs``; the names in them join ``doubtful``."""
        meanings = self._index.values
        settled = {id(match) for match, _meaning, _why in doubtful}
        named: set[str] = set()
        for match in matches:
            if id(match) not in settled:
                meaning = meanings[match[0]]
                if match[1] in runs:
                    doubtful.append((match, meaning, runs[match[1]]))
                else:
                    named |= meaning.codes
        return named

    def _trace_named(
        self,
        matches: list[tuple[int, int, int]],
        doubtful: list[tuple[tuple[int, int, int], Meaning, str]],
        trace: list[CountryFinding],
    ) -> None:
        """Adds the matches that named a country on their own, and sorts the trace."""
        settled = {id(match) for match, _meaning, _why in doubtful}
        for match in matches:
            if id(match) not in settled:
                meaning = self._index.values[match[0]]
                rule = "names it" if meaning.codes else "blocked phrase (not_countries)"
                trace.append(_finding(match, meaning, meaning.codes, rule))
        trace.sort(key=lambda finding: finding.start)

    def _in_runs(self, text: bytes, matches: list[tuple[int, int, int]]) -> dict[int, str]:
        """The starts of the names in runs that need support, and why: runs of
        :attr:`_list_length` names, and runs that begin after a supporting phrase."""
        meanings = self._index.values
        found: dict[int, str] = {}
        run: list[tuple[int, Meaning]] = []
        last_end = -100
        for number, start, end in matches:
            meaning = meanings[number]
            if not meaning.codes or (meaning.place and not meaning.context):
                last_end = -100  # a place or a blocked phrase ends a run
                continue
            gap = start - last_end
            if gap == 0 or (0 < gap < 12 and set(text[last_end:start].split()) <= _LIST_GLUE):
                run.append((start, meaning))
            else:
                self._mark(run, found)
                run = [(start, meaning)]
            last_end = end
        self._mark(run, found)
        return found

    def _mark(self, run: list[tuple[int, Meaning]], found: dict[int, str]) -> None:
        if len(run) >= self._list_length:
            for start, _meaning in run:
                found[start] = f"{_A_LIST}{len(run)} countries"
        elif len(run) > 1 and run[0][1].context:
            for start, _meaning in run[1:]:
                found[start] = f"in a list {run[0][1].context}"


def _doubtful_rule(why: str, supported: bool, preferred: bool, named: bool) -> str:
    """The rule that settled a name that needs support, as ``feeds why`` says it."""
    if why.startswith(_A_LIST) and not named:
        return f"{why}, and the entry names no other country"
    if preferred:
        return "shared name, the preferred country ([prefer])"
    if supported:
        return f"{why or 'shared name'}, supported: the entry names it elsewhere"
    return f"{why}: not named elsewhere" if why else "ambiguous name without its country"


def _finding(
    match: tuple[int, int, int], meaning: Meaning, tagged: frozenset[str], rule: str
) -> CountryFinding:
    _number, start, end = match
    return CountryFinding(start, end, tuple(sorted(meaning.codes)), tuple(sorted(tagged)), rule)


@cache
def _default_matcher() -> CountryMatcher:
    config = load_config()
    return CountryMatcher(load_meanings(config), person_words(config), list_length(config))
