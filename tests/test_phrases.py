"""Leftmost-longest phrase lookup, the core of country and topic matching."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.classify.phrases import PhraseIndex, spaced, word_before


def found_in(index: PhraseIndex[str], text: bytes) -> list[tuple[int, str]]:
    """``(start, value)`` of each phrase :meth:`PhraseIndex.find` finds."""
    return [(start, index.values[number]) for number, start, _end in index.find(text)]


def text_of(*texts: list[str]) -> bytes:
    """Lists of words as :func:`spaced` gets them from ``feeds.text.spaced_tokens``."""
    return spaced(*("  ".join(words).encode() for words in texts))


INDEX = PhraseIndex(
    [
        (("New",), "new"),
        (("New", "Mexico"), "new-mexico"),
        (("Mexico",), "mexico"),
        (("Mexico", "City"), "mexico-city"),
        (("Papua", "New", "Guinea"), "png"),
        (("Guinea",), "guinea"),
        (("Guinea",), "guinea, given twice"),
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
        (["Mexico", "Mexico"], ["mexico", "mexico"]),  # neighbours do not share a space
        (["Papua", "New", "Guinea"], ["png"]),
        (["Papua", "New"], ["new"]),
        (
            ["Guinea", "Papua", "New", "Guinea", "Guinea"],
            ["guinea, given twice", "png", "guinea, given twice"],
        ),
        (["None"], []),
        (["Mexicans", "NewMexico", "Guineas", "xNew"], []),  # whole words only
        (["mexico", "MEXICO"], []),  # exact case
    ],
)
def test_find(words: list[str], found: list[str]) -> None:
    assert [value for _, value in found_in(INDEX, text_of(words))] == found


def test_no_phrase_spans_two_texts() -> None:
    assert [value for _, value in found_in(INDEX, text_of(["Papua", "New"], ["Guinea"]))] == [
        "new",
        "guinea, given twice",
    ]


def test_find_gives_where_each_phrase_starts() -> None:
    text = text_of(["in", "Mexico", "City", "and", "New", "Mexico"])
    found = found_in(INDEX, text)
    assert found == [(text.index(b" Mexico"), "mexico-city"), (text.index(b" New"), "new-mexico")]
    assert [word_before(text, start) for start, _ in found] == [b"in", b"and"]


def test_word_before_the_first_word_is_empty() -> None:
    text = text_of(["Mexico", "City"])
    assert found_in(INDEX, text) == [(0, "mexico-city")]
    assert word_before(text, 0) == b""


def test_len_counts_usable_phrases() -> None:
    assert len(INDEX) == 6


def test_an_empty_index_finds_nothing() -> None:
    assert PhraseIndex([]).find(text_of(["Mexico"])) == []


WORD = st.sampled_from(["New", "Mexico", "City", "Papua", "Guinea", "and"])


@given(st.lists(WORD, max_size=12))
def test_matches_a_word_by_word_scan(words: list[str]) -> None:
    """The automaton agrees with the plain definition: at each word, the longest phrase
    that starts there, then carry on after it."""
    phrases = {
        ("New",): "new", ("New", "Mexico"): "new-mexico", ("Mexico",): "mexico",
        ("Mexico", "City"): "mexico-city", ("Papua", "New", "Guinea"): "png",
        ("Guinea",): "guinea, given twice",
    }  # fmt: skip
    expected, index = [], 0
    while index < len(words):
        size = max(
            (n for n in range(1, len(words) - index + 1) if tuple(words[index : index + n])
             in phrases),
            default=0,
        )  # fmt: skip
        if size:
            expected.append(phrases[tuple(words[index : index + size])])
        index += size or 1
    assert [value for _, value in found_in(INDEX, text_of(words))] == expected
