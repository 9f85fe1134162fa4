"""Sort keys: ascending is newest first, ties in archive order; splicing equals sorting."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from feeds.catalog.ordering import (
    FILE_BITS,
    NUMBER_BITS,
    NUMBER_MASK,
    SpliceError,
    date_of,
    day_key,
    file_base,
    fits_in_a_file,
    key_array,
    next_day_key,
    place_of,
    ranks_with_new_files,
    since_bound,
    splice_keys,
    spread_ranks,
)

DATES = [dt.date(1, 1, 1), dt.date(2000, 2, 29), dt.date(2021, 3, 6), dt.date(9999, 12, 31)]
LAST_RANK, LAST_NUMBER = (1 << FILE_BITS) - 1, (1 << NUMBER_BITS) - 1


def key(date: dt.date, rank: int, number: int) -> int:
    return day_key(date) | file_base(rank) | number


def test_every_key_fits_an_unsigned_64_bit_array() -> None:
    assert key_array([key(dt.date.min, LAST_RANK, LAST_NUMBER), 0]).itemsize == 8
    assert since_bound(dt.date.min) < 2**64


def test_keys_sort_newest_first_then_by_file_then_by_place_in_the_file() -> None:
    entries = [(d, rank, number) for d in DATES for rank in (1, 2, LAST_RANK) for number in (0, 5)]
    random.Random(1).shuffle(entries)

    by_key = sorted(entries, key=lambda e: key(*e))

    assert by_key == sorted(entries, key=lambda e: (-e[0].toordinal(), e[1], e[2]))


@pytest.mark.parametrize("date", DATES)
def test_a_key_knows_its_date_and_where_its_day_ends(date: dt.date) -> None:
    first, last = key(date, 1, 0), key(date, LAST_RANK, LAST_NUMBER)

    assert date_of(first) == date_of(last) == date
    assert first < last < next_day_key(first) == next_day_key(last)
    if date > dt.date.min:
        assert next_day_key(first) == day_key(date - dt.timedelta(days=1))


@pytest.mark.parametrize("date", DATES[1:-1])
def test_since_bound_keeps_exactly_that_day_and_later(date: dt.date) -> None:
    day = dt.timedelta(days=1)

    assert key(date + day, 9, 0) < key(date, LAST_RANK, LAST_NUMBER) < since_bound(date)
    assert key(date - day, 0, 0) >= since_bound(date)


def test_spread_ranks_leave_room_before_between_and_after() -> None:
    ranks = spread_ranks(["a", "b", "c"])

    assert list(ranks) == ["a", "b", "c"]
    assert 0 < ranks["a"] < ranks["b"] < ranks["c"] <= LAST_RANK
    assert ranks["b"] - ranks["a"] > 2**19  # room for new files between


def test_new_files_rank_between_their_neighbours_and_known_ones_keep_theirs() -> None:
    ranks = spread_ranks(["b", "d"])

    new = ranks_with_new_files(ranks, ["a", "b", "c", "d", "e"])

    assert new is not None
    assert (new["b"], new["d"]) == (ranks["b"], ranks["d"])
    assert 0 < new["a"] < new["b"] < new["c"] < new["d"] < new["e"] <= LAST_RANK


def test_no_room_between_neighbours_is_none() -> None:
    assert ranks_with_new_files({"a": 7, "c": 8}, ["a", "b", "c"]) is None
    assert ranks_with_new_files({"b": 1}, ["a", "b"]) is None


@pytest.mark.parametrize("seed", range(20))
def test_splice_equals_sorting_the_changed_set(seed: int) -> None:
    rng = random.Random(seed)
    old = sorted(rng.sample(range(1000), rng.randrange(0, 60)))
    removed = rng.sample(old, rng.randrange(0, len(old) + 1))
    kept_in_place = rng.sample(removed, len(removed) // 2)  # taken out and put back: edited
    fresh = rng.sample(sorted(set(range(1000)) - set(old)), rng.randrange(0, 20))

    keys = splice_keys(key_array(old), removed, kept_in_place + fresh)

    assert keys.typecode == key_array().typecode
    assert list(keys) == sorted((set(old) - set(removed)) | set(kept_in_place) | set(fresh))


@pytest.mark.parametrize("date", DATES)
def test_a_key_tells_its_file_and_number(date: dt.date) -> None:
    assert place_of(key(date, 7, 3)) == (7, 3)
    assert place_of(key(date, LAST_RANK, LAST_NUMBER)) == (LAST_RANK, LAST_NUMBER)


def test_splicing_out_a_missing_key_is_an_error() -> None:
    with pytest.raises(SpliceError):
        splice_keys(key_array([1, 5, 9]), [4], [])


def test_a_file_may_hold_as_many_entries_as_numbers() -> None:
    assert fits_in_a_file(NUMBER_MASK + 1)
    assert not fits_in_a_file(NUMBER_MASK + 2)
