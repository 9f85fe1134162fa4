"""What each digest has sent: a JSON file, written atomically, only after a send succeeded.

The file maps digest names to ``{"sent": [guids, oldest first], "last_sent": iso time,
"seen": [guids shown but not sent]}``.
One file may hold many digests; a run changes only its own digest's record and keeps
the others as it found them.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feeds.errors import DigestStateError


@dataclass(frozen=True, slots=True)
class DigestRecord:
    #: Guids already sent, oldest first.
    sent: tuple[str, ...] = ()
    #: When the last message was accepted by the server (or written to a file).
    last_sent: dt.datetime | None = None
    #: Guids the feeds showed at a send without sending them (older than its window), so
    #: that any other item is new whatever its date (issue 14); ``None`` in files written
    #: before, whose next run goes by date once more.
    seen: tuple[str, ...] | None = None

    def known(self, by_date: bool) -> frozenset[str]:
        """The guids that are not new: sent, and unless going by date, seen too."""
        return frozenset(self.sent if by_date else self.sent + (self.seen or ()))


@dataclass(frozen=True, slots=True)
class State:
    #: Digest name → its record, as last saved.
    records: Mapping[str, DigestRecord] = field(default_factory=dict)

    def get(self, name: str) -> DigestRecord:
        return self.records.get(name, DigestRecord())

    def with_sent(
        self, name: str, guids: tuple[str, ...], when: dt.datetime, seen: tuple[str, ...] = ()
    ) -> State:
        """A new state in which digest ``name`` has also sent ``guids``, at ``when``, and
        has seen ``seen`` (every item its feeds showed: none of them is new later)."""
        old = self.get(name)
        already = set(old.sent)  # a set: the tuple holds every guid ever sent
        sent = old.sent + tuple(guid for guid in dict.fromkeys(guids) if guid not in already)
        known = set(sent)
        looked = (old.seen or ()) + seen
        unsent = tuple(guid for guid in dict.fromkeys(looked) if guid not in known)
        return State({**self.records, name: DigestRecord(sent, when, unsent)})


def load_state(path: Path) -> State:
    """The state in ``path``; a missing file is an empty state, a damaged one an error.

    Never reset silently: an empty state would send every item in the window again.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return State()
    except (OSError, UnicodeDecodeError) as exc:
        raise DigestStateError(f"{path}: cannot read the digest state: {exc}") from exc
    try:
        document = json.loads(text)
        return State({str(name): _record(value) for name, value in _mapping(document).items()})
    except (ValueError, TypeError) as exc:
        raise DigestStateError(
            f"{path}: not a digest state file ({exc}); repair it, or move it away to start "
            "afresh (which sends every item of the current period again)"
        ) from exc


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, found {type(value).__name__}")
    return value


def _record(value: Any) -> DigestRecord:
    record = _mapping(value)
    sent = record.get("sent", [])
    if not isinstance(sent, list) or not all(isinstance(guid, str) for guid in sent):
        raise TypeError("'sent' must be a list of strings")
    last = record.get("last_sent")
    if last is not None and not isinstance(last, str):
        raise TypeError("'last_sent' must be a date and time")
    when = dt.datetime.fromisoformat(last) if last else None
    if when is not None and when.tzinfo is None:
        raise ValueError(f"'last_sent' needs a time zone: {last}")
    seen = record.get("seen")
    if seen is not None and (
        not isinstance(seen, list) or not all(isinstance(guid, str) for guid in seen)
    ):
        raise TypeError("'seen' must be a list of strings")
    return DigestRecord(tuple(sent), when, None if seen is None else tuple(seen))


def save_state(path: Path, state: State) -> None:
    """Replace ``path`` in one step: a reader or a crash sees the old file or the new one."""
    document = {
        name: {
            "sent": list(record.sent),
            "last_sent": record.last_sent.isoformat() if record.last_sent else None,
            "seen": None if record.seen is None else list(record.seen),
        }
        for name, record in sorted(state.records.items())
    }
    data = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
    try:
        write_atomically(path, data)
    except OSError as exc:
        raise DigestStateError(f"{path}: cannot write the digest state: {exc}") from exc


def write_atomically(path: Path, data: bytes) -> None:
    """Temporary file in the same directory, fsync, rename over ``path``, fsync the directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold ``path``'s lock file while a digest runs: two overlapping runs (a slow server
    and the next cron tick) must not both send the same items."""
    lock_path = path.with_name(path.name + ".lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DigestStateError(f"{lock_path}: cannot create the lock file: {exc}") from exc
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DigestStateError(
                f"{path} is in use by another digest run; nothing sent this time"
            ) from None
        yield
    finally:
        os.close(descriptor)
