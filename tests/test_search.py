"""``q=`` search: per-file postings, mapped to the entries' sort keys, equal to a plain scan."""

from __future__ import annotations

import datetime as dt
import itertools
from array import array
from pathlib import Path

import pytest

from feeds.catalog.build import load_catalog
from feeds.catalog.search import SearchIndex, entry_words, file_postings, query_words

ENTRY = """{date}

{title}

{summary}

"""


def scan(catalog, words) -> list[int]:
    """What the index must find: keys of the entries whose words include all of ``words``."""
    return [
        key
        for key, entry in zip(catalog.keys, catalog.entries, strict=True)
        if set(words) <= entry_words(entry)
    ]


@pytest.fixture
def catalog(write_archive):
    """Three files; b.txt repeats an entry of a.txt (same date and title, other summary)."""
    day = dt.date(2021, 3, 1)

    def text(number: int, title: str, summary: str) -> str:
        date = (day + dt.timedelta(days=number)).strftime("%d %B, %Y")
        return ENTRY.format(date=date, title=title, summary=summary)

    a = text(1, "Police training in Mexicali", "Officers trained on migrant children.")
    a += text(2, "Border dialogue", "Authorities of Haiti and the Dominican Republic met.")
    b = text(1, "Police training in Mexicali", "A different summary about vaccines.")
    b += text(3, "Vaccines for migrants", "Health services in Costa Rica.")
    c = text(0, "Recruitment of migrant workers", "Ethical recruitment in Honduras.")
    return load_catalog(write_archive({"a.txt": a, "b.txt": b, "c.txt": c}))


def test_search_equals_a_scan_of_every_entry(catalog) -> None:
    vocabulary = sorted(set().union(*(entry_words(e) for e in catalog.entries)))

    for size in (1, 2):
        for words in itertools.combinations(vocabulary, size):
            assert list(catalog.search_index.find(words)) == scan(catalog, words)


def test_a_duplicate_entry_is_found_by_its_kept_text_only(catalog) -> None:
    # The copy in b.txt says "vaccines"; the catalog kept a.txt's entry, which does not.
    found = [e.title for e in catalog.entries_at(catalog.search_index.find(("vaccines",)))]

    assert found == ["Vaccines for migrants"]
    assert len(catalog.search_index.segments) == 3


def test_keys_are_newest_first_across_files(catalog) -> None:
    found = list(catalog.search_index.find(("migrant",)))

    assert found == sorted(found)
    assert [entry.date.day for entry in catalog.entries_at(found)] == [2, 1]


@pytest.mark.parametrize("words", [(), ("nowhere",), ("police", "nowhere")])
def test_nothing_found(catalog, words) -> None:
    assert list(catalog.search_index.find(words)) == []


def test_an_index_of_loose_entries_is_one_segment(real_archive_dir: Path) -> None:
    catalog = load_catalog(real_archive_dir)
    index = SearchIndex.build(catalog.entries, catalog.keys)

    assert len(index.segments) == 1
    assert list(index.find(("iom", "police"))) == scan(catalog, ("iom", "police"))


def test_file_postings_are_local_numbers(make_entry) -> None:
    entries = [make_entry(title="Border talks"), make_entry(title="Police and border")]

    postings = file_postings(entries)

    assert postings["border"] == array("i", [0, 1]).tobytes()
    assert postings["talks"] == array("i", [0]).tobytes()
    assert sorted(postings) == sorted(entry_words(entries[0]) | entry_words(entries[1]))


def test_query_words_are_folded_and_unique() -> None:
    assert query_words("Méxicali  POLICE, police!") == ("mexicali", "police")
