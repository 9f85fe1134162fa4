"""``feeds why``: an :class:`~feeds.classify.classifier.Explanation` as text an editor reads
to write an override (issue 18): each country and topic with the phrase and the sentence
that gave it, and each rejected candidate with the rule that rejected it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from feeds.classify.classifier import Explanation
from feeds.classify.countries import CountryMatcher
from feeds.classify.phrases import BOUNDARY, spaced
from feeds.text import spaced_tokens

# A sentence ends at . ! or ? (and a closing quote), unless the word is an initial or a
# title: "U.S. Embassy", "Dr. Montoya".
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][”\"’)])\s+")
_NOT_AN_END = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Sr|Sra|St|No|Nos))\.$")
_SHOWN = 110


@dataclass(frozen=True, slots=True)
class Sentence:
    """Where one sentence of the entry is in a :func:`~feeds.classify.phrases.spaced` text."""

    where: str
    text: str
    start: int
    end: int


def sentences(title: str, summary: tuple[str, ...], cut: Callable[[str], bytes]) -> list[Sentence]:
    """The title and the summary's sentences, placed in the text the matchers read
    (``cut`` is how that text was cut); the whole summary as one if they do not add up."""
    head = cut(title)
    found = [Sentence("title", title, 1, 1 + len(head))]
    position = found[0].end + len(BOUNDARY) + 4  # the "  |  " between title and summary
    pieces = []
    for number, paragraph in enumerate(summary, 1):
        split = _split(paragraph)
        for count, piece in enumerate(split, 1):
            words = cut(piece)
            if words:
                where = f"¶{number}, sentence {count}" if len(split) > 1 else f"¶{number}"
                found.append(Sentence(where, piece, position, position + len(words)))
                position += len(words) + 2
                pieces.append(words)
    if spaced(head, b"  ".join(pieces)) != spaced(head, cut("\n".join(summary))):
        whole = "\n".join(summary)
        return [found[0], Sentence("summary", whole, found[0].end, 1 << 62)]
    return found


def _split(paragraph: str) -> list[str]:
    pieces: list[str] = []
    for piece in _SENTENCE_END.split(paragraph.strip()):
        if pieces and _NOT_AN_END.search(pieces[-1]):
            pieces[-1] += " " + piece
        elif piece:
            pieces.append(piece)
    return pieces


def explanation_lines(
    explanation: Explanation, names: Callable[[str], str], overrides: Iterable[str] = ()
) -> list[str]:
    """The report ``feeds why`` prints; ``names`` gives a country's name from its code,
    ``overrides`` are lines about the editor's corrections."""
    e = explanation
    country_places = sentences(e.title, e.summary, CountryMatcher.spaced_words)
    topic_places = sentences(e.title, e.summary, spaced_tokens)
    lines = [f"countries: {', '.join(e.countries) or '(none)'}"]
    rejected = []
    for finding in e.country_findings:
        phrase = _phrase(e.country_text, finding.start, finding.end)
        place = _place(country_places, finding.start)
        if finding.tagged:
            codes = ", ".join(f"{code} {names(code)}" for code in finding.tagged)
            lines.append(f"  {codes}: “{phrase}” in {place} ({finding.rule})")
        else:
            may = f" (may be {', '.join(finding.codes)})" if finding.codes else ""
            rejected.append(f"  “{phrase}”{may} in {place}: {finding.rule}")
    if rejected:
        lines += ["  rejected:", *(f"  {line}" for line in rejected)]
    lines.append(f"topics: {', '.join(e.topics) or '(none)'}")
    lines += _topic_lines(e, topic_places)
    lines += [f"override: {line}" for line in overrides]
    lines.append("sentences:")
    lines += [f"  {s.where}: {_short(s.text)}" for s in country_places]
    return lines


def _topic_lines(e: Explanation, places: list[Sentence]) -> list[str]:
    gave: dict[str, list[str]] = {}
    scored: dict[str, list[tuple[int, str]]] = {}
    ignored = []
    for finding in e.topic_findings:
        phrase = _phrase(e.topic_text, finding.start, finding.end)
        at = f"“{phrase}” in {_place(places, finding.start)}"
        if finding.ignored:
            ignored.append(f"    {at}: ignore phrase, counts for no topic")
        for slug in sorted(finding.tags):
            gave.setdefault(slug, []).append(at)
        for slug, points in finding.points:
            scored.setdefault(slug, []).append((points, at))
    lines = []
    for slug in e.topics:
        why = gave.get(slug) or [f"{at} +{points}" for points, at in scored.get(slug, [])]
        lines.append(f"  {slug}: {'; '.join(why)}")
    below = [
        f"    {slug} scores {sum(p for p, _at in hits)}, below 2: "
        + "; ".join(f"{at} +{p}" for p, at in hits)
        for slug, hits in sorted(scored.items())
        if slug not in e.topics
    ]
    if below or ignored:
        lines += ["  rejected:", *below, *ignored]
    return lines


def _phrase(text: bytes, start: int, end: int) -> str:
    return text[start + 1 : end - 1].replace(b"  ", b" ").decode()


def _place(found: list[Sentence], start: int) -> str:
    for sentence in found:
        if sentence.start <= start + 1 < sentence.end:
            return sentence.where
    return "the entry"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
