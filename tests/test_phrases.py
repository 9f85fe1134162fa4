"""Leftmost-longest phrase lookup, the core of country and topic matching."""

from __future__ import annotations

import pytest

from feeds.phrases import PhraseIndex

INDEX = PhraseIndex(
    [
        (("New",), "new"),
        (("New", "Mexico"), "new-mexico"),
        (("Mexico",), "mexico"),
        (("Mexico", "City"), "mexico-city"),
        (("Papua", "New", "Guinea"), "png"),
        (("Guinea",), "guinea"),
        ((), "empty"),
        (("", "x"), "blank word"),
        (("None",), None),
    ]
)


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ([], []),
        (["nothing", "here"], []),
        (["New", "Mexico"], ["new-mexico"]),
        (["New", "Mexico", "City"], ["new-mexico"]),  # leftmost first, then longest
        (["in", "Mexico", "City"], ["mexico-city"]),
        (["Mexico", "and", "Mexico"], ["mexico", "mexico"]),
        (["Papua", "New", "Guinea"], ["png"]),
        (["Papua", "New"], ["new"]),
        (["Guinea", "Papua", "New", "Guinea", "Guinea"], ["guinea", "png", "guinea"]),
        (["None"], []),
    ],
)
def test_find(words: list[str], found: list[str]) -> None:
    assert [value for _, value in INDEX.find(words)] == found


def test_find_gives_where_each_phrase_starts() -> None:
    assert INDEX.find(["in", "Mexico", "City", "and", "New", "Mexico"]) == [
        (1, "mexico-city"),
        (4, "new-mexico"),
    ]


def test_len_counts_usable_phrases() -> None:
    assert len(INDEX) == 6


FOLDED = PhraseIndex(
    [(("covid", "19"), "covid"), (("information", "hub"), "hub")], ignore_case=True
)


@pytest.mark.parametrize(
    ("words", "found"),
    [
        (["covid", "19"], ["covid"]),
        (["COVID", "19"], ["covid"]),
        (["Covid", "19"], ["covid"]),
        (["New", "Information", "Hub"], ["hub"]),
        (["INFORMATION", "HUB"], ["hub"]),
        (["CoVid", "19"], []),  # only lower, Title and UPPER case
    ],
)
def test_find_ignoring_case(words: list[str], found: list[str]) -> None:
    assert [value for _, value in FOLDED.find(words)] == found
