"""Classification of whole entries, and the 20 real entries as an editor tagged them."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.archive.entry import Entry
from feeds.archive.parsing import parse_text
from feeds.catalog import load_catalog
from feeds.classify.classifier import Classifier
from feeds.classify.countries import CountryMatcher
from feeds.classify.gazetteer import Meaning
from feeds.classify.topics import Taxonomy

MakeEntry = Callable[..., Entry]
EXPECTED_FILE = Path(__file__).parent / "data" / "real_entries_expected.json"
# Decided by reading each entry as an editor would; "note" says why where it was not obvious.
EXPECTED: dict[str, dict[str, list[str]]] = json.loads(EXPECTED_FILE.read_text("utf-8"))


def classify(classifier: Classifier, entry: Entry) -> Entry:
    """``entry`` tagged as the parser tags it (``Classifier.tags``)."""
    return entry.tagged(*classifier.tags(entry.title, entry.summary))


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier()


@pytest.fixture(scope="module")
def real_entries() -> dict[str, Entry]:
    archive = load_catalog(Path(__file__).resolve().parent.parent / "archive")
    return {f"{entry.date.isoformat()} {entry.title}": entry for entry in archive.entries}


def test_every_real_entry_has_an_expectation(real_entries: dict[str, Entry]) -> None:
    assert sorted(real_entries) == sorted(EXPECTED)
    assert len(EXPECTED) == 20


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_real_entry(classifier: Classifier, real_entries: dict[str, Entry], key: str) -> None:
    entry = classify(classifier, real_entries[key])
    assert list(entry.countries) == EXPECTED[key]["countries"]
    assert list(entry.topics) == EXPECTED[key]["topics"]


def test_classify_only_sets_countries_and_topics(
    classifier: Classifier, make_entry: MakeEntry
) -> None:
    entry = make_entry(
        title="IOM trained Mexicali municipal police",
        summary=("Nothing here.", "Haitian children in Tijuana."),
        countries=("ZZ",),
        topics=("stale",),
    )
    tagged = classify(classifier, entry)
    assert tagged.countries == ("HT", "MX")  # the second paragraph counts, old tags go
    assert tagged.topics == ("capacity-building", "children")
    assert (tagged.id, tagged.title, tagged.summary) == (entry.id, entry.title, entry.summary)


def test_the_parser_tags_entries_as_the_classifier_does(
    classifier: Classifier, real_archive_dir: Path
) -> None:
    for path in sorted(real_archive_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8-sig")
        untagged = parse_text(text, path.name).entries
        tagged = parse_text(text, path.name, tag=classifier.tags).entries
        assert tagged == tuple(classify(classifier, entry) for entry in untagged)
        assert any(entry.countries for entry in tagged)


@pytest.mark.parametrize(
    ("title", "summary", "countries"),
    [
        ("A donation of US$ 5,000", "", ()),
        ("", "US$ 5,000 from the US", ("US",)),
        ("Mexico", "a grant of U.S.$ 10", ("MX",)),
    ],
)
def test_money_is_not_the_united_states(
    classifier: Classifier,
    make_entry: MakeEntry,
    title: str,
    summary: str,
    countries: tuple[str, ...],
) -> None:
    entry = classify(classifier, make_entry(title=title or "x", summary=(summary,)))
    assert entry.countries == countries


def test_classifier_uses_the_given_taxonomy_and_matcher(
    tmp_path: Path, make_entry: MakeEntry
) -> None:
    path = tmp_path / "taxonomy.toml"
    path.write_text(
        '[[topic]]\nslug = "water"\nname = "W"\ndescription = "W."\nterms = ["well"]\n',
        encoding="utf-8",
    )
    matcher = CountryMatcher({("Atlantis",): Meaning(frozenset({"AT"}))})
    classifier = Classifier(Taxonomy.parse(path.read_text(encoding="utf-8")), matcher)
    entry = classify(classifier, make_entry(title="Wells of Atlantis in Mexico", summary=()))
    assert (entry.countries, entry.topics) == (("AT",), ("water",))


WORDS = ["training", "border", "COVID-19", "of", "Mexico", "children", "gender", "the", "x"]


@given(st.lists(st.sampled_from(WORDS), max_size=12), st.randoms())
def test_topics_ignore_case(words: list[str], rng: random.Random) -> None:
    """Rules are lower case; the text may be in any case (headlines, "MoU", "CoViD")."""
    spelled = " ".join(
        rng.choice([w.lower(), w.title(), w.upper(), w.swapcase().title().swapcase()])
        for w in words
    )
    taxonomy = Taxonomy.packaged()
    assert taxonomy.match(spelled, spelled) == taxonomy.match(spelled.lower(), spelled.lower())
