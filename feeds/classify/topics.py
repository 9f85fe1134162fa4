"""Topics: the newsroom's taxonomy (``data/taxonomy.toml``) and the rules that tag entries.

Readers unsubscribe from noisy feeds (issue 3), so a passing mention is not a topic: a
rule counts 2 or 1 (see the taxonomy file's header) and a topic needs 2.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from feeds.classify.phrases import BOUNDARY, PhraseIndex, spaced
from feeds.errors import DataFileError, UnknownSelectionError
from feeds.text import lower_tokens, slugify, spaced_tokens
from feeds.tomlfile import line_of, parse_toml

_TAXONOMY_FILE = Path(__file__).parent / "data" / "taxonomy.toml"
_RULE_KINDS = ("terms", "hints", "title_terms")
_TOPIC_KEYS = {"slug", "name", "description", *_RULE_KINDS}
_FILE_KEYS = {"topic", "ignore"}
# Points a rule of each kind scores in the title and in the summary; a topic needs 2.
_POINTS = {"terms": (2, 2), "hints": (2, 1), "title_terms": (2, 0)}
_NEEDED = 2
_VOWELS = "aeiou"


@dataclass(frozen=True, slots=True)
class Topic:
    """A subject with its own feed."""

    #: URL-safe identifier: ``labour-migration``.
    slug: str
    #: Display name: ``Labour migration``.
    name: str
    #: One line saying what belongs in it.
    description: str


def inflections(word: str) -> set[str]:
    """Usual English forms of ``word``: ``train`` → trains, trained, training."""
    forms = {word, word + "s", word + "es", word + "ed", word + "ing"}
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    if len(word) > 2 and word.endswith("y") and word[-2] not in _VOWELS:
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    consonant_vowel_consonant = (
        len(word) > 2
        and word[-1] not in _VOWELS + "wxy"
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    )
    if consonant_vowel_consonant:  # plan → planned, planning
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    return forms


def rule_phrases(rule: str) -> Iterator[tuple[str, ...]]:
    """The word sequences a rule matches, in lower case; its last word inflected unless
    the rule starts with =."""
    words = lower_tokens(rule.removeprefix("="))
    if rule.startswith("=") or not words or not words[-1].isalpha():
        yield tuple(words)
        return
    for form in sorted(inflections(words[-1])):
        yield (*words[:-1], form)


class Taxonomy:
    """The topics and their compiled rules. Build once, use for every entry."""

    __slots__ = ("_by_slug", "_index", "topics")

    def __init__(
        self,
        topics: Iterable[Topic],
        rules: Iterable[tuple[str, str, str]],
        ignore: Iterable[str] = (),
    ) -> None:
        """``rules`` are ``(slug, kind, rule)``, kind one of terms, hints, title_terms."""
        self.topics = tuple(topics)
        self._by_slug = {topic.slug: topic for topic in self.topics}
        # phrase -> {slug: (title points, summary points)}, the best rule per topic.
        points: dict[tuple[str, ...], dict[str, tuple[int, int]]] = {}
        for slug, kind, rule in rules:
            for phrase in rule_phrases(rule):
                best = points.setdefault(phrase, {}).get(slug, (0, 0))
                points[phrase][slug] = max(best, _POINTS[kind])
        for ignored in ignore:
            points[tuple(lower_tokens(ignored.removeprefix("=")))] = {}
        # Rules are in lower case (rule_phrases cuts them with lower_tokens), and so is
        # the text that match_spaced looks in: the case of a word never matters.
        self._index = PhraseIndex(
            (phrase, (_points(by_slug, 0), _points(by_slug, 1)))
            for phrase, by_slug in points.items()
        )

    @classmethod
    def packaged(cls) -> Taxonomy:
        """The taxonomy that ships with the package (``feeds/classify/data/taxonomy.toml``)."""
        return _packaged()

    @classmethod
    def parse(cls, text: str, shown: str = "taxonomy.toml") -> Taxonomy:
        """The taxonomy written in ``text`` (a ``taxonomy.toml`` shown as ``shown`` in
        errors); a bad one raises :class:`DataFileError` with its line."""
        return _parse(text, shown)

    def by_slug(self, slug: str) -> Topic:
        """The topic called ``slug``; :class:`UnknownSelectionError` if there is none."""
        try:
            return self._by_slug[slug]
        except KeyError:
            raise UnknownSelectionError(f"unknown topic: {slug!r}") from None

    def name_of(self, slug: str) -> str:
        """The name of the topic ``slug``, or the slug itself if the taxonomy has none
        (an editor's override may name a topic since removed)."""
        topic = self._by_slug.get(slug)
        return slug if topic is None else topic.name

    def match(self, title: str, summary: str) -> frozenset[str]:
        """Slugs of the topics of an entry with this title and summary."""
        return self.match_spaced(spaced(spaced_tokens(title), spaced_tokens(summary)))

    def explain_spaced(self, text: bytes) -> tuple[frozenset[str], list[TopicFinding]]:
        """:meth:`match_spaced`, and why: every phrase found and what it scored."""
        trace: list[TopicFinding] = []
        return self.match_spaced(text, trace), trace

    def match_spaced(self, text: bytes, trace: list[TopicFinding] | None = None) -> frozenset[str]:
        """:meth:`match` for a title's and a summary's words joined by
        :func:`feeds.classify.phrases.spaced`, in any case (of Latin letters, to which
        :func:`feeds.text.tokens` folds accented ones). ``trace`` collects what each phrase
        scored (see :meth:`explain_spaced`)."""
        text = text.lower()
        title_end = text.find(BOUNDARY)
        found: set[str] = set()
        partial: list[tuple[str, int]] = []
        by_phrase = self._index.values
        for number, start, _end in self._index.find(text):
            enough, some = by_phrase[number][0 if start < title_end else 1]
            found |= enough
            if some:  # rare: most phrases tag their topics on their own
                partial += some
        if trace is not None:  # the same phrases and points, written down
            for number, start, end in self._index.find(text):
                points = by_phrase[number]
                enough, some = points[0 if start < title_end else 1]
                ignored = points == _NOTHING
                trace.append(TopicFinding(start, end, start < title_end, enough, some, ignored))
        if partial:
            scores: dict[str, int] = {}
            for slug, score in partial:
                scores[slug] = scores.get(slug, 0) + score
            found.update(slug for slug, score in scores.items() if score >= _NEEDED)
        return frozenset(found)


@dataclass(frozen=True, slots=True)
class TopicFinding:
    """One phrase found in an entry and what it scored (for ``feeds why``)."""

    #: Where the phrase is in the :func:`~feeds.classify.phrases.spaced` text.
    start: int
    end: int
    #: Found in the title (else in the summary).
    in_title: bool
    #: Topics it gives on its own (2 points or more).
    tags: frozenset[str]
    #: ``(slug, points)`` it scores towards topics that need 2.
    points: tuple[tuple[str, int], ...]
    #: An ``ignore`` phrase: it contains a rule but counts for no topic.
    ignored: bool


#: What one phrase scores where it is found: the topics it tags on its own (the usual
#: case: one set union per phrase), and ``(slug, points)`` for those it only scores for.
_Points = tuple[frozenset[str], tuple[tuple[str, int], ...]]


_NOTHING: tuple[_Points, _Points] = ((frozenset(), ()), (frozenset(), ()))


def _points(by_slug: dict[str, tuple[int, int]], where: int) -> _Points:
    """The points of ``by_slug`` (slug → title and summary points) at ``where`` (0 for the
    title, 1 for the summary)."""
    scored = [(slug, points[where]) for slug, points in by_slug.items() if points[where]]
    return (
        frozenset(slug for slug, points in scored if points >= _NEEDED),
        tuple((slug, points) for slug, points in scored if points < _NEEDED),
    )


@cache
def _packaged() -> Taxonomy:
    return _parse(_TAXONOMY_FILE.read_text(encoding="utf-8"), str(_TAXONOMY_FILE))


def _parse(text: str, path: str) -> Taxonomy:
    data, message, line = parse_toml(text)
    if message:
        raise DataFileError(f"{path}:{line}: {message}")
    unknown = set(data) - _FILE_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise DataFileError(f"{path}:{line_of(text, key)}: unknown key {key!r}")
    tables = data.get("topic")
    if not isinstance(tables, list) or not tables:
        raise DataFileError(f"{path}: no [[topic]] tables")
    headers = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[topic]]"]
    topics: list[Topic] = []
    rules: list[tuple[str, str, str]] = []
    for number, table in enumerate(tables):
        line = headers[number] if number < len(headers) else 1
        try:
            topic = _topic(table, topics)
        except ValueError as exc:
            raise DataFileError(f"{path}:{line}: {exc}") from None
        topics.append(topic)
        rules += [(topic.slug, kind, rule) for kind in _RULE_KINDS for rule in table.get(kind, [])]
    ignore = data.get("ignore", [])
    if not _is_rule_list(ignore):
        raise DataFileError(f"{path}:{line_of(text, 'ignore')}: ignore must be a list of phrases")
    return Taxonomy(topics, rules, ignore)


def _topic(table: Any, previous: list[Topic]) -> Topic:
    """One ``[[topic]]`` table, checked; ValueError says what is wrong."""
    if not isinstance(table, dict):
        raise ValueError("a topic must be a table")
    unknown = set(table) - _TOPIC_KEYS
    if unknown:
        raise ValueError(f"unknown key {sorted(unknown)[0]!r} in a topic")
    slug, name, description = (table.get(key) for key in ("slug", "name", "description"))
    if not isinstance(slug, str) or slug != slugify(slug) or not slug:
        raise ValueError(f"topic slug {slug!r} must be lower-case words joined by hyphens")
    if slug in {topic.slug for topic in previous}:
        raise ValueError(f"topic {slug!r} appears twice")
    if not (isinstance(name, str) and name and isinstance(description, str) and description):
        raise ValueError(f"topic {slug!r} needs a name and a description")
    if not all(_is_rule_list(table.get(kind, [])) for kind in _RULE_KINDS):
        raise ValueError(f"topic {slug!r}: rules must be lists of words or phrases")
    if not any(table.get(kind) for kind in _RULE_KINDS):
        raise ValueError(f"topic {slug!r} has no rules")
    return Topic(slug, name, description)


def _is_rule_list(rules: Any) -> bool:
    return isinstance(rules, list) and all(
        isinstance(rule, str) and re.search(r"\w", rule) for rule in rules
    )
