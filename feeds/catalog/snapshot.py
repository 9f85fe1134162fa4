"""The parsed and classified archive, kept on disk between runs (issue 19, target 1).

Parsing and classifying is nearly all of a first load (seconds at 200,000 entries); a
restart with an unchanged archive should not pay it again. A snapshot holds every archive
file's entries, search postings and diagnostics with the file's identity (mtime, size,
inode) and content digest, so :class:`~feeds.archive.files.ArchiveLoader` re-reads only the
files that changed since (by identity, then by digest), as it does on a reload.

The snapshot is keyed by everything else that changes those results: this format, the
Python that wrote it (marshal's format), the source of the ``feeds`` package and the
versions of the libraries that tag and stem, the packaged data files (taxonomy,
countries, gazetteer), the archive's own ``taxonomy.toml`` and the tag authority of the
guids. (``overrides.toml`` is applied after this stage, on every load.) A snapshot whose
key differs is stale; one that is short, longer than it says, or whose checksum fails is
partial or corrupt. Either way it is ignored and the archive is parsed: never served.

Layout: ``MAGIC``, the key (64 hex digits), the payload's length (8 bytes, big-endian),
its CRC-32, then the payload: :mod:`marshal` of plain tuples (several times quicker to
read than pickle, and it builds no object but the builtins it names). CRC-32 rather than
a cryptographic hash: it guards against torn writes and flipped bits, not against an
attacker who can write to the cache directory (who could as well edit the archive), and
it checks 240 MB in 0.04 s where SHA-256 took 0.13 s of a one-second restart.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import marshal
import mmap
import os
import sys
import tempfile
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

from feeds.archive.entry import Diagnostic, Entry, Source
from feeds.archive.files import ArchiveFile, ArchiveLoader
from feeds.archive.files import _FileResult as FileResult

log = logging.getLogger(__name__)

MAGIC = b"FEEDS-SNAPSHOT-2\n"
#: Libraries whose versions change what a file's entries are tagged or stemmed as.
LIBRARIES = ("pycountry", "ahocorasick-rs", "PyStemmer")
_PACKAGE = Path(__file__).resolve().parent.parent
_HEADER = len(MAGIC) + 64 + 8 + 4

#: What a snapshot holds: archive file name (relative path) → its parse result.
Results = Mapping[str, FileResult]


def default_directory(environ: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_CACHE_HOME/feeds``, else ``~/.cache/feeds``."""
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "feeds"


def snapshot_path(directory: Path, archive: Path) -> Path:
    """The snapshot of ``archive`` in ``directory``: one per archive directory."""
    name = hashlib.sha256(os.fsencode(archive.resolve())).hexdigest()[:16]
    return directory / f"archive-{name}.snapshot"


def snapshot_key(*, tag_authority: str, taxonomy: bytes | None) -> str:
    """What the stored results depend on beside the archive files themselves."""
    digest = hashlib.sha256(MAGIC)
    digest.update(f"{sys.version}\0{marshal.version}\0{tag_authority}\0".encode())
    digest.update(code_version())
    digest.update(b"packaged taxonomy" if taxonomy is None else b"taxonomy\0" + taxonomy)
    return digest.hexdigest()


@cache
def code_version() -> bytes:
    """A digest of the package's source and data files and of the libraries it tags with."""
    digest = hashlib.sha256()
    paths = sorted(_PACKAGE.rglob("*.py")) + sorted((_PACKAGE / "classify" / "data").iterdir())
    for path in paths:
        digest.update(f"{path.relative_to(_PACKAGE)}\0".encode() + path.read_bytes())
    for library in LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library} missing\0".encode())
    return digest.digest()


def restore(loader: ArchiveLoader, path: Path, key: str) -> Results:
    """Give a new ``loader`` the snapshot's results, if it has a good one, so that its
    next read parses only the files changed since; returns them (empty: none)."""
    results = load(path, key)
    if results is None or loader._files:
        return {}
    loader._files = results
    return results


def remember(
    loader: ArchiveLoader,
    path: Path,
    key: str,
    *,
    unless_same_as: Results | None = None,
    background: bool = False,
) -> None:
    """Save what ``loader`` read last, unless it is exactly ``unless_same_as`` (what it
    started from: nothing was parsed or touched since). A failure to write is logged.

    ``background``: in a forked process, when this one has a single thread (as in
    :mod:`feeds.archive.forking`), so that start-up does not wait for the write.
    """
    results = loader._files
    if unless_same_as is not None and _same(results, unless_same_as):
        return
    _reap()
    if background and threading.active_count() == 1 and hasattr(os, "fork"):
        child = os.fork()
        if child:
            _writers.append(child)
            return
        code = 1
        try:
            save(path, key, results)
            code = 0
        finally:
            os._exit(code)
    try:
        save(path, key, results)
    except OSError as exc:
        log.warning("snapshot %s not written: %s", path, exc)


#: Forked writers not yet waited for.
_writers: list[int] = []


def _reap() -> None:
    for child in list(_writers):
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(child, os.WNOHANG)[0] == 0:
                continue
        _writers.remove(child)


def _same(results: Results, other: Results) -> bool:
    return results.keys() == other.keys() and all(results[n] is other[n] for n in results)


def save(path: Path, key: str, results: Results) -> None:
    """Write the snapshot atomically (a reader sees the old one or the new one, whole)."""
    payload = marshal.dumps([_record(name, result) for name, result in results.items()])
    header = MAGIC + key.encode() + len(payload).to_bytes(8, "big")
    header += zlib.crc32(payload).to_bytes(4, "big")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".snapshot-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(header)
            file.write(payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(path: Path, key: str) -> dict[str, FileResult] | None:
    """The snapshot's results, or ``None`` (logged) when it is missing, stale, partial or
    corrupt: the caller then parses the archive."""
    try:
        with path.open("rb") as file, _mapped(file) as data:
            problem = _problem(data, key)
            if problem is None:
                with memoryview(data) as view, view[_HEADER:] as payload:
                    return _results(marshal.loads(payload))
    except OSError:
        return None
    except (ValueError, TypeError, EOFError, IndexError, KeyError, AttributeError) as exc:
        problem = f"unreadable ({exc.__class__.__name__}: {exc})"
    log.info("snapshot %s ignored: %s; parsing the archive", path, problem)
    return None


@contextlib.contextmanager
def _mapped(file: BinaryIO) -> Iterator[bytes | mmap.mmap]:
    """The file's bytes, mapped rather than copied (0.1 s of a restart at 240 MB)."""
    try:
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except ValueError:  # an empty file cannot be mapped
        yield b""
        return
    with mapped:
        yield mapped


def _problem(data: bytes | mmap.mmap, key: str) -> str | None:
    if len(data) < _HEADER or data[: len(MAGIC)] != MAGIC:
        return "not a snapshot of this format"
    start = len(MAGIC)
    if data[start : start + 64] != key.encode():
        return "stale (written by other code, data files, taxonomy or tag authority)"
    length = int.from_bytes(data[start + 64 : start + 72], "big")
    if length != len(data) - _HEADER:
        return f"partial ({len(data) - _HEADER:,} bytes of {length:,})"
    with memoryview(data) as view, view[_HEADER:] as payload:
        crc = zlib.crc32(payload)
    if crc.to_bytes(4, "big") != data[start + 72 : _HEADER]:
        return "corrupt (checksum)"
    return None


def _record(name: str, result: FileResult) -> tuple[Any, ...]:
    part = result.part
    entries = [
        (e.id, e.guid, e.date.toordinal(), e.title, e.summary, e.source.line, e.countries,
         e.topics)
        for e in part.entries
    ]  # fmt: skip
    index = part.index
    postings = dict(index) if isinstance(index, dict) else None
    diagnostics = [(d.source.path, d.source.line, d.severity, d.message) for d in part.diagnostics]
    return (name, result.signature, result.digest, entries, postings, diagnostics)


def _results(records: Iterable[tuple[Any, ...]]) -> dict[str, FileResult]:
    """Records back into parse results: the values a fresh parse makes, equal to them."""
    from feeds.catalog.search import FilePostings

    days: dict[int, dt.date] = {}
    results = {}
    for name, signature, digest, stored, postings, diagnostics in records:
        entries = []
        for entry_id, guid, ordinal, title, summary, line, countries, topics in stored:
            day = days.get(ordinal)
            if day is None:
                day = days[ordinal] = dt.date.fromordinal(ordinal)
            source = Source(name, line)
            entries.append(Entry(entry_id, guid, day, title, summary, source, countries, topics))
        kept = tuple(entries)
        index = None
        if postings is not None:
            index = FilePostings(postings)
            index.entries = kept
        problems = tuple(Diagnostic(Source(p, n), s, m) for p, n, s, m in diagnostics)
        part = ArchiveFile(name, kept, index, problems)
        results[name] = FileResult((signature[0], signature[1], signature[2]), digest, part)
    return results
