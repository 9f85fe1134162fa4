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


def fork_map(
    function: Callable[[T], R], groups: Sequence[T], reducers: Reducers | None = None
) -> list[R]:
    """``[function(group) for group in groups]``, the first group in this process and each
    other one in a forked child, all at once; sequential when forking is not safe."""
    if len(groups) < 2 or not can_fork():
        return [function(group) for group in groups]
    children = [_start_child(function, group, reducers or {}) for group in groups[1:]]
    try:
        first = function(groups[0])
    finally:
        others = [_collect(pid, reader) for pid, reader in children]
    return [first, *others]


def _start_child(function: Callable[[T], R], group: T, reducers: Reducers) -> tuple[int, int]:
    reader, writer = os.pipe()
    if fcntl is not None:  # Linux: fewer, larger transfers
        with contextlib.suppress(AttributeError, OSError):
            fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running any clean-up
        os.close(reader)
        status = 0
        try:
            answer: tuple[bool, object] = (True, function(group))
        except BaseException:  # every failure must reach the parent
            answer, status = (False, traceback.format_exc()), 1
        try:
            # Pickled straight into the pipe: the parent unpickles while this pickles.
            with os.fdopen(writer, "wb", buffering=_PIPE_BYTES) as out:
                pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
                pickler.dispatch_table = {**copyreg.dispatch_table, **reducers}
                pickler.dump(answer)
        finally:
            os._exit(status)
    os.close(writer)
    return pid, reader


def _collect(pid: int, reader: int) -> Any:
    """The child's answer, unpickled as it arrives (no second copy of it in memory)."""
    try:
        with os.fdopen(reader, "rb", buffering=_PIPE_BYTES) as pipe:
            ok, result = pickle.load(pipe)
    except (EOFError, pickle.UnpicklingError):
        raise ForkedJobError(f"child process {pid} ended without a whole answer") from None
    finally:
        os.waitpid(pid, 0)
    if not ok:
        raise ForkedJobError(f"child process {pid} failed:\n{result}")
    return result


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


def split_evenly(items: Sequence[T], parts: int, weight: Callable[[T], int]) -> list[list[T]]:
    """``items`` cut into at most ``parts`` runs, in order, of about equal total weight."""
    total = sum(map(weight, items))
    groups: list[list[T]] = [[]]
    done = 0
    for item in items:
        share = total * len(groups) / parts
        if groups[-1] and done >= share and len(groups) < parts:
            groups.append([])
        groups[-1].append(item)
        done += weight(item)
    return groups
