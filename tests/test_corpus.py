"""The labeled corpus (tests/data/corpus, issue 18): well formed, in its date range, and
split by the rule its README states."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import pycountry
import pytest

from feeds.classify.evaluation import CorpusItem, parse_corpus
from feeds.classify.topics import Taxonomy

CORPUS_DIR = Path(__file__).parent / "data" / "corpus"
ITEMS = parse_corpus((CORPUS_DIR / "releases.jsonl").read_text("utf-8"), "releases.jsonl")
# Releases from 2019 to June 2022 are held out by the team to check the rules later.
HELD_OUT = (datetime.date(2019, 1, 1), datetime.date(2022, 6, 30))


def test_ids_are_numbered_in_order() -> None:
    assert [item.id for item in ITEMS] == [f"c{n:03d}" for n in range(1, len(ITEMS) + 1)]


def test_no_release_twice() -> None:
    assert len({item.title.casefold() for item in ITEMS}) == len(ITEMS)


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item.id)
def test_item(item: CorpusItem) -> None:
    date = datetime.date.fromisoformat(item.date)
    assert not HELD_OUT[0] <= date <= HELD_OUT[1]
    assert 1 <= len(item.summary) <= 4 and all(item.summary) and item.title
    assert item.url.startswith(("https://", "http://"))
    assert list(item.countries) == sorted(set(item.countries))
    assert {pycountry.countries.get(alpha_2=code) is not None for code in item.countries} <= {True}
    assert list(item.topics) == sorted(set(item.topics))
    assert set(item.topics) <= {topic.slug for topic in Taxonomy.packaged().topics}


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item.id)
def test_split_follows_the_readme_rule(item: CorpusItem) -> None:
    digest = hashlib.sha256(f"{item.url}\n{item.title}".encode()).digest()
    assert item.split == ("test" if int.from_bytes(digest[:8], "big") % 3 == 0 else "learn")


def test_both_splits_have_items() -> None:
    assert {item.split for item in ITEMS} == {"learn", "test"}
