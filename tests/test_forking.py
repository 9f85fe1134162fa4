"""Forked jobs: results in order, failures reported, and a forked archive load that equals
the sequential one."""

from __future__ import annotations

import dataclasses
import os
import pickle
import threading
from pathlib import Path

import pytest

from feeds.archive import ArchiveLoader
from feeds.classify import Classifier
from feeds.entry import Diagnostic, Entry, Source
from feeds.forking import ForkedJobError, dataclass_reducers, fork_map, split_evenly
from feeds.search import file_postings

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def pid_and_square(numbers: list[int]) -> tuple[int, list[int]]:
    return os.getpid(), [n * n for n in numbers]


@needs_fork
def test_groups_run_in_children_and_come_back_in_order() -> None:
    results = fork_map(pid_and_square, [[1, 2], [3], [4, 5]])

    assert [squares for _pid, squares in results] == [[1, 4], [9], [16, 25]]
    pids = [pid for pid, _squares in results]
    assert pids[0] == os.getpid()  # the first group runs here
    assert len(set(pids)) == 3


@needs_fork
def test_a_failing_child_is_reported_with_its_traceback() -> None:
    def fail_on_three(numbers: list[int]) -> list[int]:
        if 3 in numbers:
            raise ValueError("three is not allowed")
        return numbers

    with pytest.raises(ForkedJobError, match="three is not allowed"):
        fork_map(fail_on_three, [[1], [3]])


def test_with_threads_running_the_job_stays_in_this_process() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        results = fork_map(pid_and_square, [[1], [2]])
    finally:
        stop.set()
        thread.join()

    assert [pid for pid, _squares in results] == [os.getpid(), os.getpid()]


@pytest.mark.parametrize(
    ("sizes", "parts", "expected"),
    [
        ([5, 5, 5, 5], 2, [[5, 5], [5, 5]]),
        ([10, 1, 1, 1, 1], 2, [[10], [1, 1, 1, 1]]),
        ([1, 1, 1], 5, [[1], [1], [1]]),
        ([7], 3, [[7]]),
    ],
)
def test_split_evenly_keeps_order_and_balances(sizes, parts, expected) -> None:
    assert split_evenly(sizes, parts, weight=lambda n: n) == expected


def test_dataclass_reducers_round_trip_every_field(make_entry) -> None:
    entry = make_entry(countries=("MX",), topics=("health",), summary=("One.", "Two."))
    values = [entry, Source("a.txt", 3), Diagnostic(Source("b.txt", 1), "warning", "odd")]
    reducers = dataclass_reducers(Entry, Source, Diagnostic)

    for value in values:
        function, arguments = reducers[type(value)](value)
        assert function(*arguments) == value
    # A field added to Entry one day must be carried too: every field is a constructor one.
    assert all(f.init for f in dataclasses.fields(Entry))
    assert pickle.loads(pickle.dumps(values)) == values


@needs_fork
def test_a_forked_load_equals_a_sequential_one(real_archive_dir: Path, tmp_path: Path) -> None:
    archive_dir = tmp_path / "archive"
    archive_dir.mkdir()
    for number, path in enumerate(sorted(real_archive_dir.glob("*.txt")) * 3):
        (archive_dir / f"{number}-{path.name}").write_bytes(path.read_bytes())
    tag = Classifier().tags

    def load(workers: int) -> object:
        loader = ArchiveLoader(archive_dir, tag=tag, index_file=file_postings,
                               workers=workers, parallel_min_bytes=0)  # fmt: skip
        return loader.load()

    sequential, forked = load(1), load(2)

    assert forked == sequential
    assert len(forked.parts) == 6 and all(part.index for part in forked.parts)
    assert forked.entries and forked.diagnostics  # the copies are reported as duplicates
