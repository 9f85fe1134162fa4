"""``feeds why``'s report (issue 18): sentences placed in the text the matchers read, and
each tag with its phrase, each rejected candidate with its rule."""

from __future__ import annotations

import pytest

from feeds.classify.classifier import Classifier
from feeds.classify.countries import country_by_code
from feeds.classify.why import explanation_lines, sentences
from feeds.text import spaced_tokens

TITLE = "IOM trains officials in Panama"
SUMMARY = (
    "Panama City - The U.S. Embassy supported the course. It was held in Georgetown.",
    "Officials discussed drug trafficking and women.",
)


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier()


def test_sentences_are_placed_where_the_matchers_read_them() -> None:
    found = sentences(TITLE, SUMMARY, spaced_tokens)
    assert [s.where for s in found] == ["title", "¶1, sentence 1", "¶1, sentence 2", "¶2"]
    assert found[1].text == "Panama City - The U.S. Embassy supported the course."  # not at "U.S."
    text = b" " + spaced_tokens(TITLE) + b"  |  " + spaced_tokens("\n".join(SUMMARY)) + b" "
    for sentence in found:
        assert text[sentence.start : sentence.end] == spaced_tokens(sentence.text)


def test_each_tag_and_each_rejection_is_explained(classifier: Classifier) -> None:
    explanation = classifier.explain(TITLE, SUMMARY)
    assert (explanation.countries, explanation.topics) == classifier.tags(TITLE, SUMMARY)
    lines = explanation_lines(explanation, lambda code: country_by_code(code).name)
    text = "\n".join(lines)
    assert lines[0] == "countries: PA"
    assert "  PA Panama: “Panama” in title (names it)" in lines
    assert "“U S Embassy” (may be US) in ¶1, sentence 1: before “Embassy”: not named" in text
    assert (
        "“Georgetown” (may be BZ, CA, GY, US, VC) in ¶1, sentence 2: "
        "ambiguous name without its country" in text
    )
    assert "  capacity-building: “trains” in title; “course” in ¶1, sentence 1" in lines
    assert "    gender scores 1, below 2: “women” in ¶2 +1" in lines
    assert "    “drug trafficking” in ¶2: ignore phrase, counts for no topic" in lines
    assert lines[-3:] == [
        "  ¶1, sentence 1: Panama City - The U.S. Embassy supported the course.",
        "  ¶1, sentence 2: It was held in Georgetown.",
        "  ¶2: Officials discussed drug trafficking and women.",
    ]


def test_a_blocked_phrase_and_overrides(classifier: Classifier) -> None:
    explanation = classifier.explain("United Nations in Haiti", ())
    lines = explanation_lines(explanation, lambda code: country_by_code(code).name, ["x"])
    assert "    “United Nations” in title: blocked phrase (not_countries)" in lines
    assert "override: x" in lines
