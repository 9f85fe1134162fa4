"""Forked jobs: results in order, failures reported, and a forked archive load that equals
the sequential one."""

from __future__ import annotations

import dataclasses
import os
import pickle
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from feeds.archive.entry import Diagnostic, Entry, Source
from feeds.archive.forking import ForkedJobError, _Claims, dataclass_reducers, fork_each
from feeds.catalog import CatalogLoader
from feeds.classify.classifier import Classifier

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def pid_and_square(number: int) -> tuple[int, int]:
    return os.getpid(), number * number


def pid_and_square_taking(here: float, elsewhere: float) -> Callable[[int], tuple[int, int]]:
    """:func:`pid_and_square` that takes ``here`` seconds in this process and ``elsewhere``
    in a forked one (a slower and a faster core)."""
    parent = os.getpid()

    def work(number: int) -> tuple[int, int]:
        time.sleep(here if os.getpid() == parent else elsewhere)
        return pid_and_square(number)

    return work


@needs_fork
def test_items_are_shared_between_processes_and_come_back_in_order() -> None:
    work = pid_and_square_taking(here=0.02, elsewhere=0.02)

    results = fork_each(work, range(40), processes=3)

    assert [square for _pid, square in results] == [n * n for n in range(40)]
    pids = Counter(pid for pid, _square in results)
    assert len(pids) == 3 and os.getpid() in pids


@needs_fork
def test_a_slower_process_takes_fewer_items() -> None:
    work = pid_and_square_taking(here=0.05, elsewhere=0.02)

    results = fork_each(work, range(40), processes=2)

    pids = Counter(pid for pid, _square in results)
    # A fixed split would give each 20; sharing as they go, this process (2.5 times
    # slower) takes about 11, and the child the rest.
    assert 1 <= pids[os.getpid()] < 20
    assert sum(pids.values()) == 40


@pytest.mark.parametrize("count", [1, 2, _Claims._MAX_TOKENS, _Claims._MAX_TOKENS + 1, 10_000])
def test_every_number_is_claimed_once_in_order(count: int) -> None:
    with _Claims(count) as claims:  # would block for good if the tokens did not fit
        claimed = list(claims)

    assert claimed == list(range(count))


@needs_fork
def test_no_item_is_done_by_two_processes(tmp_path: Path) -> None:
    def mark(number: int) -> int:
        with (tmp_path / str(number)).open("x"):  # "x" fails if the file exists already
            time.sleep(0.005)
        return number

    assert fork_each(mark, range(60), processes=3) == list(range(60))
    assert len(list(tmp_path.iterdir())) == 60


@needs_fork
def test_a_failing_child_is_reported_with_its_traceback() -> None:
    parent = os.getpid()

    def fail_in_a_child(number: int) -> int:
        if os.getpid() != parent:
            raise ValueError("not in a child")
        time.sleep(0.01)  # leaves items for the child to take
        return number

    with pytest.raises(ForkedJobError, match="not in a child"):
        fork_each(fail_in_a_child, range(20), processes=2)


def test_with_threads_running_the_job_stays_in_this_process() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        results = fork_each(pid_and_square, [1, 2], processes=2)
    finally:
        stop.set()
        thread.join()

    assert results == [(os.getpid(), 1), (os.getpid(), 4)]


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
        loader = CatalogLoader(archive_dir, tagger=tag, workers=workers, parallel_min_bytes=0)
        return loader.load().archive

    sequential, forked = load(1), load(2)

    assert forked == sequential
    assert len(forked.parts) == 6 and all(part.index for part in forked.parts)
    assert forked.entries and forked.diagnostics  # the copies are reported as duplicates
