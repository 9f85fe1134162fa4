"""Tags an entry with its countries and topics (issue 3).

Each text is cut into words once, by :func:`feeds.text.tokens`: the country matcher reads
the words as written (place names are proper nouns), the taxonomy ignores their case.
"""

from __future__ import annotations

import dataclasses

from feeds.countries import CountryMatcher
from feeds.entry import Entry
from feeds.text import BOUNDARY, tokens
from feeds.topics import Taxonomy


class Classifier:
    """Holds the compiled taxonomy and country names; :meth:`classify` is pure."""

    __slots__ = ("countries", "taxonomy")

    def __init__(
        self, taxonomy: Taxonomy | None = None, countries: CountryMatcher | None = None
    ) -> None:
        self.taxonomy = taxonomy or Taxonomy.load()
        self.countries = countries or CountryMatcher.default()

    def classify(self, entry: Entry) -> Entry:
        """``entry`` with its countries (alpha-2 codes) and topics (slugs), sorted."""
        title, summary = entry.title, "\n".join(entry.summary)
        title_words, summary_words = tokens(title), tokens(summary)
        countries = self.countries.match_words([
            *(self.countries.words(title) if "$" in title else title_words),
            BOUNDARY,
            *(self.countries.words(summary) if "$" in summary else summary_words),
        ])
        topics = self.taxonomy.match_words(title_words, summary_words)
        return dataclasses.replace(
            entry, countries=tuple(sorted(countries)), topics=tuple(sorted(topics))
        )
