"""Tags an entry with its countries and topics (issue 3).

Each text is cut into words once, by :func:`feeds.text.spaced_tokens`, and the title's and
the summary's words joined into one string (:func:`feeds.classify.phrases.spaced`) that both
matchers search: the country matcher as written (place names are proper nouns), the
taxonomy in lower case.
"""

from __future__ import annotations

from dataclasses import dataclass

from feeds.classify.countries import CountryFinding, CountryMatcher
from feeds.classify.phrases import spaced
from feeds.classify.topics import Taxonomy, TopicFinding
from feeds.text import spaced_tokens


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why an entry has its tags: what :meth:`Classifier.tags` found, phrase by phrase."""

    title: str
    summary: tuple[str, ...]
    #: The text the country matcher read (money removed) and the taxonomy's.
    country_text: bytes
    topic_text: bytes
    countries: tuple[str, ...]
    topics: tuple[str, ...]
    country_findings: tuple[CountryFinding, ...]
    topic_findings: tuple[TopicFinding, ...]


class Classifier:
    """Holds the compiled taxonomy and country names; :meth:`classify` is pure."""

    __slots__ = ("_tag_sets", "countries", "taxonomy")

    def __init__(
        self, taxonomy: Taxonomy | None = None, countries: CountryMatcher | None = None
    ) -> None:
        self.taxonomy = taxonomy or Taxonomy.packaged()
        self.countries = countries or CountryMatcher.default()
        # One tuple per distinct set of tags, shared by every entry that has it: a few
        # thousand tuples instead of two per entry, in memory and through forking's pipe.
        self._tag_sets: dict[tuple[str, ...], tuple[str, ...]] = {}

    def tags(self, title: str, summary: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Countries and topics, sorted, of an entry with this title and these paragraphs
        (a :data:`feeds.archive.entry.Tagger`: the parser tags entries as it makes them)."""
        # As _texts, written out: this runs for every entry of the archive.
        summary_text = "\n".join(summary)
        text = spaced(spaced_tokens(title), spaced_tokens(summary_text))
        if "$" in title or "$" in summary_text:
            words = self.countries.spaced_words
            country_text = spaced(words(title), words(summary_text))
        else:
            country_text = text
        shared = self._tag_sets.setdefault
        countries = tuple(sorted(self.countries.match_spaced(country_text)))
        topics = tuple(sorted(self.taxonomy.match_spaced(text)))
        return shared(countries, countries), shared(topics, topics)

    def explain(self, title: str, summary: tuple[str, ...]) -> Explanation:
        """What :meth:`tags` decides, with every phrase found and the rule that decided
        (``feeds why``): the same texts, matchers and rules."""
        text, country_text = self._texts(title, summary)
        countries, country_findings = self.countries.explain_spaced(country_text)
        topics, topic_findings = self.taxonomy.explain_spaced(text)
        return Explanation(
            title,
            summary,
            country_text,
            text.lower(),
            tuple(sorted(countries)),
            tuple(sorted(topics)),
            tuple(country_findings),
            tuple(topic_findings),
        )

    def _texts(self, title: str, summary: tuple[str, ...]) -> tuple[bytes, bytes]:
        """The words both matchers read, and the country matcher's (money removed)."""
        summary_text = "\n".join(summary)
        text = spaced(spaced_tokens(title), spaced_tokens(summary_text))
        if "$" in title or "$" in summary_text:
            words = self.countries.spaced_words
            return text, spaced(words(title), words(summary_text))
        return text, text
