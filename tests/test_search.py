"""``q=`` search: per-file postings of stems, mapped to the entries' sort keys, equal to a
naive scan of every entry; the query language (issue 17)."""

from __future__ import annotations

import datetime as dt
import itertools
from array import array
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.archive.entry import Entry, Source
from feeds.catalog import load_catalog
from feeds.catalog.search import (
    SearchIndex,
    entry_stems,
    entry_words,
    file_postings,
    matching_words,
    query_words,
)
from feeds.catalog.search_query import SearchQuery, parse_query, word_stems, words_match
from feeds.errors import InvalidQueryError
from feeds.text import lower_tokens

ENTRY = """{date}

{title}

{summary}

"""


# --- The naive reference: every entry's words, read one by one --------------------------


def _parts(entry: Entry) -> list[list[str]]:
    return [lower_tokens(part) for part in (entry.title, *entry.summary)]


def _has_term(entry: Entry, words: tuple[str, ...]) -> bool:
    for part in _parts(entry):
        for start in range(len(part) - len(words) + 1):
            if all(words_match(w, part[start + i]) for i, w in enumerate(words)):
                return True
    return False


def _meets(entry: Entry, query: SearchQuery) -> bool:
    def meets(clause) -> bool:  # type: ignore[no-untyped-def]
        return any(_has_term(entry, term.words) for term in clause.terms)

    return all(map(meets, query.include)) and not any(map(meets, query.exclude))


def scan(catalog, words) -> list[int]:
    """What the index must find: keys of the entries that meet the query, newest first."""
    if not words:
        return []
    query = parse_query(tuple(words))
    return [
        key
        for key, entry in zip(catalog.keys, catalog.entries, strict=True)
        if _meets(entry, query)
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
    c += text(4, "Información para personas migrantes", "Un nuevo centro de información.")
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
    assert [entry.date.day for entry in catalog.entries_at(found)] == [5, 4, 2, 1]


@pytest.mark.parametrize(
    ("q", "titles"),
    [
        (
            "migrants -police",
            {
                "Vaccines for migrants",
                "Recruitment of migrant workers",
                "Información para personas migrantes",
            },
        ),
        ("informacion", {"Información para personas migrantes"}),
        ('"police training"', {"Police training in Mexicali"}),
        ('"training police"', set()),
        (
            "migrant -vaccines -workers",
            {"Police training in Mexicali", "Información para personas migrantes"},
        ),
        ("haiti OR honduras", {"Border dialogue", "Recruitment of migrant workers"}),
        (
            'vaccine OR "ethical recruitment"',
            {"Vaccines for migrants", "Recruitment of migrant workers"},
        ),
        ('MIGRANT -"personas migrantes" children', {"Police training in Mexicali"}),
    ],
)
def test_the_query_language(catalog, q, titles) -> None:
    words = query_words(q)
    found = catalog.entries_at(catalog.search_index.find(words))

    assert {entry.title for entry in found} == titles
    assert list(catalog.search_index.find(words)) == scan(catalog, words)


@pytest.mark.parametrize("words", [(), ("nowhere",), ("police", "nowhere")])
def test_nothing_found(catalog, words) -> None:
    assert list(catalog.search_index.find(words)) == []


def test_an_index_of_loose_entries_is_one_segment(real_archive_dir: Path) -> None:
    catalog = load_catalog(real_archive_dir)
    index = SearchIndex.build(catalog.entries, catalog.keys)

    assert len(index.segments) == 1
    assert list(index.find(("iom", "police"))) == scan(catalog, ("iom", "police"))


@pytest.mark.parametrize(
    ("q", "at_least"), [("hub", 2), ("migrant", 5), ("informacion", 2), ('"information hub"', 2)]
)
def test_the_readme_examples_find_entries_in_the_shipped_archive(
    real_archive_dir: Path, q: str, at_least: int
) -> None:
    catalog = load_catalog(real_archive_dir)

    assert len(catalog.search_index.find(query_words(q))) >= at_least


def test_file_postings_are_local_numbers_by_stem(make_entry) -> None:
    entries = [make_entry(title="Border talks"), make_entry(title="Police and border")]

    postings = file_postings(entries)

    assert postings["border"] == array("i", [0, 1]).tobytes()
    assert postings["talk"] == postings["talks"] == array("i", [0]).tobytes()  # en, es
    assert postings["^polic"] == array("i", [1]).tobytes()  # in a title
    assert {k for k in postings if not k.startswith("^")} == entry_stems(entries[0]) | entry_stems(
        entries[1]
    )
    assert postings.entries == tuple(entries)


def test_relevance_puts_title_and_rare_words_first(make_entry) -> None:
    entries = [
        make_entry(title="Border news", summary=("Police and migrants.",)),
        make_entry(title="Police news", summary=("Police at the border.",)),
        make_entry(title="Other news", summary=("Police, border and migrants.",)),
    ]
    index = SearchIndex.build(entries, [0, 1, 2])
    words = query_words("police OR migrants")

    hits = index.find(words)
    assert list(hits) == [0, 1, 2]
    # "migrants" is rarer than "police": entries 0 and 2 have both, entry 1 has police in
    # its title too.
    ranked = index.by_relevance(hits, words)
    assert ranked[0] == 1 or ranked[:2] == [0, 2]
    assert sorted(ranked) == [0, 1, 2]
    assert index.by_relevance(index.find(("border",)), ("border",)) == [0, 1, 2]


# --- The query language -------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "clauses"),
    [
        ("Méxicali  POLICE, police!", ("mexicali", "police")),
        ('Hubs  "Information HUB" -Covid', ("hubs", '"information hub"', "-covid")),
        ("a OR b c", ("a OR b", "c")),
        ("OR a OR OR b OR", ("a OR b",)),
        ("cross-border U.S.", ('"cross border"', '"u s"')),
        ('a -"b c" OR d', ("a", '-"b c"', "d")),
        ('"unclosed phrase', ('"unclosed phrase"',)),
        ("or and", ("or", "and")),
        ('- "" !!', ()),
    ],
)
def test_query_words_are_canonical_clauses(q: str, clauses: tuple[str, ...]) -> None:
    assert query_words(q) == clauses


@pytest.mark.parametrize(
    ("q", "reason"),
    [("-covid -vaccine", "not only -exclusions"), (" ".join("abcdefghijk"), "too many words")],
)
def test_query_words_refuses(q: str, reason: str) -> None:
    with pytest.raises(InvalidQueryError, match=reason):
        query_words(q)


def test_stems_fold_english_and_spanish() -> None:
    assert word_stems("hubs") == ("hub", "hubs")
    assert "inform" in word_stems("informacion")
    assert words_match("informacion", "information")
    assert words_match("migrant", "migrantes")
    assert not words_match("hub", "husband")
    assert matching_words(query_words("Hubs -police")) == {"hub", "hubs"}


# --- Properties: the index against the naive reference ----------------------------------

WORDS = (
    "hub", "Hubs", "migrant", "migrants", "Migrantes", "información", "information",
    "informe", "border", "cross-border", "police", "the", "or", "OR", "niños", "U.S.",
    "agency", "agencies", "happy", "Happiness", "dying", "die", "skies", "sky", "a",
)  # fmt: skip
texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join)
entries = st.lists(st.tuples(texts, st.lists(texts, max_size=2)), min_size=1, max_size=12)


def phrases(most: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(WORDS), min_size=1, max_size=most).map(" ".join)


query_tokens = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(lambda w: "-" + w),
    phrases(3).map(lambda phrase: '"' + phrase + '"'),
    phrases(2).map(lambda phrase: '-"' + phrase + '"'),
    st.just("OR"),
)
queries = st.lists(query_tokens, min_size=1, max_size=5).map(" ".join)


def _entries(made: list[tuple[str, list[str]]]) -> list[Entry]:
    return [
        Entry(
            f"e{n}",
            f"tag:e{n}",
            dt.date(2021, 1, 1),
            title,
            tuple(summary),
            source=Source("a.txt", n),
        )
        for n, (title, summary) in enumerate(made)
    ]


class _Loose:
    """Entries with their keys, as :func:`scan` reads a catalog."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.keys = list(range(len(entries)))


@settings(max_examples=300, deadline=None)
@given(made=entries, q=queries, split=st.integers(min_value=0, max_value=12))
def test_index_equals_the_naive_reference(made, q: str, split: int) -> None:
    try:
        words = query_words(q)
    except InvalidQueryError:
        return
    loose = _Loose(_entries(made))
    # Two segments, as two archive files make, with keys that interleave.
    keys = [n * 2 if n < split else (n - split) * 2 + 1 for n in range(len(made))]
    index = SearchIndex(
        (
            *SearchIndex.build(loose.entries[:split], keys[:split]).segments,
            *SearchIndex.build(loose.entries[split:], keys[split:]).segments,
        )
    )
    loose.keys = keys

    expected = sorted(scan(loose, words))
    assert list(index.find(words)) == expected
    assert sorted(index.by_relevance(expected, words)) == expected


@settings(max_examples=300, deadline=None)
@given(q=st.text(max_size=60) | queries)
def test_canonical_clauses_parse_back_to_themselves(q: str) -> None:
    try:
        words = query_words(q)
    except InvalidQueryError:
        return
    assert query_words(" ".join(words)) == words


def test_words_that_find_nothing_do_not_grow_the_merged_cache_without_bound(
    real_archive_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(type(load_catalog(real_archive_dir).search_index._merged), "LIMIT", 3200)
    index = load_catalog(real_archive_dir).search_index

    for number in range(500):  # q=zq0, q=zq1, …: each a clause with no hits
        assert list(index.find(query_words(f"zqx{number}"))) == []

    assert len(index._merged._lists) <= 3200 // 32
