"""Spread a CPU-bound job over the machine's cores with ``fork`` (issue 7: load 200,000
entries in seconds).

The children inherit everything (the classifier, the entries) by forking, so nothing but
the results crosses a pipe. Forking is only safe while the process has one thread, so a
process with threads (a web worker reloading in the background) runs the job itself.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import gc
import itertools
import operator
import os
import pickle
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

try:
    import fcntl
except ImportError:  # not Unix
    fcntl = None  # type: ignore[assignment]

_PIPE_BYTES = 2**20
#: Pickle rules for the results (``type → reducer``), e.g. a cheaper form of a dataclass.
Reducers = dict[type, Callable[[Any], Any]]


class ForkedJobError(RuntimeError):
    """A child process failed; the message holds its traceback."""


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def fork_each(
    function: Callable[[T], R],
    items: Sequence[T],
    processes: int,
    reducers: Reducers | None = None,
) -> list[R]:
    """``[function(item) for item in items]``, shared among ``processes`` processes (this
    one and forked children); sequential when forking is not safe.

    Each process takes the next item as soon as it is free, so they all finish together
    even when one core runs slower than the other (on a shared VM they do, and by up to
    half): a fixed split would leave one process waiting for the other's last files.
    """
    if processes < 2 or len(items) < 2 or not can_fork():
        return [function(item) for item in items]
    with _Claims(len(items)) as claims:

        def work() -> list[tuple[int, R]]:
            return [(index, function(items[index])) for index in claims]

        children = [_start_child(work, reducers or {}) for _ in range(processes - 1)]
        try:
            mine = work()
        finally:
            theirs = [_collect(pid, reader) for pid, reader in children]
    results: list[R] = [None] * len(items)  # type: ignore[list-item]
    for index, result in itertools.chain(mine, *theirs):
        results[index] = result
    return results


class _Claims:
    """The numbers ``0 … count-1``, each handed to exactly one of the processes that
    iterate over it (forked after it was made).

    The numbers wait in a pipe as 4-byte tokens, written before any process reads; a read
    of 4 bytes takes one whole token (the kernel serialises reads of a pipe). Consecutive
    numbers travel as one batch when there are more than fit in the pipe.
    """

    #: 4 KiB of tokens: the least a pipe holds (one page, when the user has used up the
    #: pipe buffers the kernel allows), so writing them all never blocks.
    _MAX_TOKENS = 1024

    def __init__(self, count: int) -> None:
        self._batch = -(-count // self._MAX_TOKENS)  # ceiling division
        self._count = count
        self._reader, writer = os.pipe()
        tokens = range(0, count, self._batch)
        os.write(writer, b"".join(start.to_bytes(4, "little") for start in tokens))
        os.close(writer)  # at the end of the tokens, reads return b"": nothing left

    def __iter__(self) -> Iterator[int]:
        while token := os.read(self._reader, 4):
            start = int.from_bytes(token, "little")
            yield from range(start, min(start + self._batch, self._count))

    def __enter__(self) -> _Claims:
        return self

    def __exit__(self, *exc_info: object) -> None:
        os.close(self._reader)


def _start_child(work: Callable[[], list[R]], reducers: Reducers) -> tuple[int, int]:
    """Fork a child that runs ``work`` and sends back its results (see :func:`_collect`)."""
    reader, writer = os.pipe()
    if fcntl is not None:  # Linux: fewer, larger transfers
        with contextlib.suppress(AttributeError, OSError):
            fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running any clean-up
        os.close(reader)
        status = 0
        try:
            results = work()
            header: tuple[bool, object] = (True, len(results))
        except BaseException:  # every failure must reach the parent
            results, header, status = [], (False, traceback.format_exc()), 1
        try:
            # Pickled straight into the pipe: the parent unpickles while this pickles.
            with os.fdopen(writer, "wb", buffering=_PIPE_BYTES) as out:
                pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
                pickler.dispatch_table = {**copyreg.dispatch_table, **reducers}
                # One pickle per result, each with a fresh memo (as the parent reads each
                # with a new unpickler): a memo of every object sent so far (a million at
                # 100,000 entries) made pickling two and a half times slower.
                for message in (header, *results):
                    pickler.dump(message)
                    pickler.clear_memo()
        finally:
            os._exit(status)
    os.close(writer)
    return pid, reader


def _collect(pid: int, reader: int) -> list[Any]:
    """The child's results, unpickled as they arrive (no second copy of them in memory)."""
    try:
        with os.fdopen(reader, "rb", buffering=_PIPE_BYTES) as pipe:
            ok, payload = pickle.load(pipe)
            results = [pickle.load(pipe) for _ in range(payload)] if ok else []
    except (EOFError, pickle.UnpicklingError):
        raise ForkedJobError(f"child process {pid} ended without a whole answer") from None
    finally:
        os.waitpid(pid, 0)
    if not ok:
        raise ForkedJobError(f"child process {pid} failed:\n{payload}")
    return results


def dataclass_reducers(*classes: type) -> Reducers:
    """Pickle frozen dataclasses as ``cls(*fields)``: several times cheaper than the
    default for slotted frozen ones (``__getstate__`` and a ``setattr`` per field)."""
    return {cls: _field_reducer(cls) for cls in classes}


def _field_reducer(cls: type) -> Callable[[Any], Any]:
    names = [f.name for f in dataclasses.fields(cls) if f.init]
    # attrgetter of several names returns their tuple, built in C.
    fields = operator.attrgetter(*names) if len(names) > 1 else lambda v: (getattr(v, names[0]),)

    def reduce(value: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, fields(value)

    return reduce


@contextmanager
def collector_paused() -> Iterator[None]:
    """Loading makes millions of objects and no reference cycles: meanwhile the cyclic
    garbage collector would only scan them again and again (10-20% of a first load)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
