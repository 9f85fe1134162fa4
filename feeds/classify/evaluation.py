"""How well the classifier tags a labeled corpus (issue 18): per split, the share of items
whose countries are exactly right, and topic precision, recall and micro-F1.

The corpus is ``tests/data/corpus/releases.jsonl`` (its README says how it was labeled);
items are tagged by the :data:`~feeds.archive.entry.Tagger` the archive parser uses,
``Classifier.tags``, so the figures are those of the real code path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from feeds.archive.entry import Tagger
from feeds.errors import DataFileError

_FIELDS = ("id", "date", "title", "summary", "url", "countries", "topics", "notes", "split")
SPLITS = ("learn", "test")


@dataclass(frozen=True, slots=True)
class CorpusItem:
    """A press release and the tags an editor gave it."""

    #: ``c001`` ...
    id: str
    #: Publication date, ``YYYY-MM-DD``.
    date: str
    title: str
    #: Paragraphs as published.
    summary: tuple[str, ...]
    #: Where the text was read.
    url: str
    #: Alpha-2 codes, sorted.
    countries: tuple[str, ...]
    #: Topic slugs, sorted.
    topics: tuple[str, ...]
    #: The editor's reason for anything debatable.
    notes: str
    #: ``learn`` or ``test``.
    split: str


def parse_corpus(text: str, source: str = "corpus") -> list[CorpusItem]:
    """The items of a JSON Lines corpus; :class:`DataFileError` names the bad line."""
    items = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                items.append(_item(json.loads(line)))
            except (ValueError, TypeError, KeyError) as exc:
                raise DataFileError(f"{source}:{number}: {exc}") from None
    return items


def _item(record: dict[str, object]) -> CorpusItem:
    missing = [field for field in _FIELDS if field not in record]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    texts = {field: record[field] for field in ("id", "date", "title", "url", "notes", "split")}
    lists = {field: record[field] for field in ("summary", "countries", "topics")}
    if not all(isinstance(value, str) for value in texts.values()):
        raise ValueError("id, date, title, url, notes and split must be strings")
    if not all(isinstance(v, list) and all(isinstance(s, str) for s in v) for v in lists.values()):
        raise ValueError("summary, countries and topics must be lists of strings")
    if record["split"] not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}")
    return CorpusItem(**texts, **{field: tuple(value) for field, value in lists.items()})  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Result:
    """An item and the tags the classifier gave it."""

    item: CorpusItem
    countries: tuple[str, ...]
    topics: tuple[str, ...]

    @property
    def countries_right(self) -> bool:
        return set(self.countries) == set(self.item.countries)

    @property
    def topics_right(self) -> bool:
        return set(self.topics) == set(self.item.topics)

    def describe(self) -> str:
        """``c012 countries +US -MX; topics +health -research``: what is extra and missing."""
        parts = []
        for name, got, want in (
            ("countries", self.countries, self.item.countries),
            ("topics", self.topics, self.item.topics),
        ):
            changes = [f"+{tag}" for tag in sorted(set(got) - set(want))]
            changes += [f"-{tag}" for tag in sorted(set(want) - set(got))]
            if changes:
                parts.append(f"{name} {' '.join(changes)}")
        return f"{self.item.id} {'; '.join(parts)}  ({self.item.title[:60]})"


@dataclass(frozen=True, slots=True)
class Scores:
    """The figures of one split."""

    split: str
    results: tuple[Result, ...]

    @property
    def countries_accuracy(self) -> float:
        """Share of items whose set of countries is exactly the editor's."""
        right = sum(result.countries_right for result in self.results)
        return right / len(self.results) if self.results else 1.0

    def _counts(self) -> tuple[int, int, int]:
        hits = extra = missed = 0
        for result in self.results:
            got, want = set(result.topics), set(result.item.topics)
            hits, extra, missed = (
                hits + len(got & want),
                extra + len(got - want),
                missed + len(want - got),
            )
        return hits, extra, missed

    @property
    def topic_precision(self) -> float:
        hits, extra, _missed = self._counts()
        return hits / (hits + extra) if hits + extra else 1.0

    @property
    def topic_recall(self) -> float:
        hits, _extra, missed = self._counts()
        return hits / (hits + missed) if hits + missed else 1.0

    @property
    def topic_f1(self) -> float:
        """Micro-averaged F1 over every (item, topic) pair."""
        precision, recall = self.topic_precision, self.topic_recall
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    @property
    def mistakes(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if not (r.countries_right and r.topics_right))


def evaluate(items: Iterable[CorpusItem], tag: Tagger) -> list[Scores]:
    """Scores for each split that has items, in the order of :data:`SPLITS`."""
    by_split: dict[str, list[Result]] = {split: [] for split in SPLITS}
    for item in items:
        by_split[item.split].append(Result(item, *tag(item.title, item.summary)))
    return [Scores(split, tuple(results)) for split, results in by_split.items() if results]


def report(scores: Iterable[Scores], mistakes_of: Iterable[str] = SPLITS) -> list[str]:
    """The figures as lines of text, each split in ``mistakes_of`` followed by its mistakes
    (to tune rules on ``learn`` without reading the ``test`` split's errors)."""
    lines = []
    show = set(mistakes_of)
    for split in scores:
        lines.append(
            f"{split.split}: {len(split.results)} items, "
            f"countries exact {split.countries_accuracy:.3f}, "
            f"topics precision {split.topic_precision:.3f} "
            f"recall {split.topic_recall:.3f} F1 {split.topic_f1:.3f}"
        )
        if split.split in show:
            lines += [f"  {result.describe()}" for result in split.mistakes]
    return lines
