"""Reads an archive directory into entries. The only module of the library that touches files.

:class:`ArchiveLoader` remembers each file's parse result and re-reads only files whose
size, mtime or inode changed, so a reload costs in proportion to what changed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from feeds.archive.decoding import decode_archive_bytes
from feeds.archive.entry import Diagnostic, Entry, Source, Tagger, error, warning
from feeds.archive.forking import collector_paused, dataclass_reducers, fork_each, usable_cores
from feeds.archive.ids import DEFAULT_TAG_AUTHORITY
from feeds.archive.opening import Unreadable, read_bytes, regular_file_stat
from feeds.archive.parsing import parse_text
from feeds.errors import ArchiveNotFoundError

#: Files in the archive directory that are not press releases.
OVERRIDES_FILE = "overrides.toml"
TAXONOMY_FILE = "taxonomy.toml"
#: In the order their bytes enter the archive's version.
DATA_FILES = (OVERRIDES_FILE, TAXONOMY_FILE)
#: Below this many bytes to parse, forking costs more than it saves.
PARALLEL_MIN_BYTES = 4 * 2**20
#: A file larger than this is reported and skipped unread (issue 14: a 200 MB file cost
#: every worker 650 MB). The largest real archive file is about 300 KB.
MAX_FILE_BYTES = 16 * 2**20


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """What the loader refuses to read, and when a changed file is read (issue 14)."""

    #: Files larger than this are reported and skipped without being read.
    max_file_bytes: int = MAX_FILE_BYTES
    #: On a reload, a file changed less than this many seconds ago is left for a later
    #: one (it may be half-written): its previous version stays published, a new file
    #: waits. The first reading takes every file as it is.
    settle_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    """One file's entries as parsed, before de-duplication, in file order."""

    name: str
    entries: tuple[Entry, ...]
    #: What :attr:`ArchiveLoader.index_file` made of them (search postings), if anything.
    index: object = None
    #: What was wrong in the file (duplicates of other files' entries are found later).
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True, slots=True)
class ArchiveFiles:
    """Every file's own entries as read, before they are merged into one list."""

    #: In reading order (sorted by relative path). An unchanged file's ``entries`` are the
    #: very tuple of the previous reading, so a caller can tell what changed by identity.
    parts: tuple[ArchiveFile, ...]
    #: Short hash of every file's content and the data files: changes iff the archive does.
    version: str
    #: Newest modification time (Unix seconds) of the files read and the data files.
    modified: int

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(part.name for part in self.parts)


@dataclass(frozen=True, slots=True)
class Archive:
    """Every good entry, newest first (ties in archive order), and what was wrong."""

    #: A tuple when merged here; a catalog's is a view of its keys (``ListedEntries``).
    entries: Sequence[Entry]
    diagnostics: tuple[Diagnostic, ...]
    #: Short hash of every file's content and the data files: changes iff the archive does.
    version: str
    #: Archive files read, relative to the directory, in reading order.
    files: tuple[str, ...] = ()
    #: Newest modification time (Unix seconds) of the files read and the data files.
    modified: int = 0
    #: Every file's own entries, in reading order.
    parts: tuple[ArchiveFile, ...] = ()

    @property
    def error_count(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    @property
    def warning_count(self) -> int:
        return len(self.diagnostics) - self.error_count


@dataclass(frozen=True, slots=True)
class _FileResult:
    signature: tuple[int, int, int]  # (mtime_ns, size, inode)
    digest: str
    part: ArchiveFile


@dataclass(frozen=True, slots=True)
class _Pending:
    """A file to parse: new, or changed since the last load."""

    relative: str
    path: str
    signature: tuple[int, int, int]
    #: Its bytes when already read (to compare with the cached digest), else ``None``.
    data: bytes | None


@dataclass
class ArchiveLoader:
    """Loads ``directory`` again and again, parsing only the files that changed.

    When there is much to parse (the first load of a large archive), the files are
    shared out among forked processes, one per core (:mod:`feeds.archive.forking`).
    """

    directory: Path
    tag_authority: str = DEFAULT_TAG_AUTHORITY
    #: Gives every new entry its countries and topics (``Classifier.tags``); if None,
    #: entries are left untagged.
    tag: Tagger | None = None
    #: Called on each newly parsed file's entries; kept with the file (search postings).
    index_file: Callable[[tuple[Entry, ...]], object] | None = None
    #: Processes to parse in; ``None``: one per usable core.
    workers: int | None = None
    #: Below this many bytes to parse, forking costs more than it saves.
    parallel_min_bytes: int = PARALLEL_MIN_BYTES
    limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    _files: dict[str, _FileResult] = field(default_factory=dict, repr=False)
    #: Whether this loader has read the directory (a snapshot's results are not a reading).
    _read_once: bool = field(default=False, repr=False)

    def read(self, data_files: Sequence[DataFile] = ()) -> ArchiveFiles:
        """Read the directory now, each file on its own (parsing only what changed).

        ``data_files`` (read by :func:`read_data_files`) count in the version and the
        modification time: they change what the archive publishes.
        """
        paths = archive_files(self.directory)
        found: dict[str, _FileResult | None] = {}
        pending: list[_Pending] = []
        root = os.path.realpath(self.directory)
        # Files settle on reloads only: a first reading has no earlier version to keep,
        # even when it starts from a snapshot's results.
        now = time.time() if self._read_once else float("inf")
        for relative, path in paths:
            result = self._check(relative, path, root, now)
            if isinstance(result, _Pending):
                pending.append(result)
                found[relative] = None  # keeps the reading order
            elif result is not None:
                found[relative] = result
        with collector_paused():
            for relative, parsed in self._parse_all(pending):
                found[relative] = parsed
        results = {name: r for name, r in found.items() if r is not None}
        self._files = results
        self._read_once = True
        version, data_modified = _version(results, self.directory, data_files)
        modified = max([r.signature[0] // 10**9 for r in results.values()] + [data_modified])
        return ArchiveFiles(tuple(r.part for r in results.values()), version, modified)

    def forget(self) -> None:
        """Drop every cached parse, e.g. after the taxonomy changed."""
        self._files.clear()

    def _check(self, relative: str, path: str, root: str, now: float) -> _Checked:
        """The cached result if the file is unchanged, a skipped one if it must not be
        read, ``None`` if it is gone (or new and not settled), else what is left to parse."""
        try:
            info = regular_file_stat(path, root, self.limits.max_file_bytes)
        except FileNotFoundError:  # removed while we were reading: it is simply gone
            return None
        except Unreadable as exc:
            return self._skipped(relative, exc.signature, str(exc))
        signature = (info.st_mtime_ns, info.st_size, info.st_ino)
        cached = self._files.get(relative)
        if cached is not None and cached.signature == signature:
            return cached
        if 0 <= now - info.st_mtime < self.limits.settle_seconds:  # (a future mtime: rsync)
            return cached  # still being written, perhaps: the last reading, or not yet
        if cached is None:
            return _Pending(relative, path, signature, None)  # read where it is parsed
        try:
            data = read_bytes(path, self.limits.max_file_bytes)
        except FileNotFoundError:
            return None
        except Unreadable as exc:  # a read that failed is tried again next time
            return self._skipped(relative, _READ_FAILED, str(exc))
        digest = hashlib.sha256(data).hexdigest()
        if cached.digest == digest:  # touched, not changed
            return replace(cached, signature=signature)
        return _Pending(relative, path, signature, data)

    def _skipped(self, relative: str, signature: tuple[int, int, int], problem: str) -> _FileResult:
        """A file that publishes nothing and says why, every other file's entries kept; its
        (empty) search postings keep the other files' usable (:attr:`index_file`)."""
        index = self.index_file(()) if self.index_file is not None else None
        part = ArchiveFile(relative, (), index, (error(relative, 0, problem),))
        return _FileResult(signature, f"skipped\0{problem}", part)

    def _parse_all(self, pending: list[_Pending]) -> list[tuple[str, _FileResult | None]]:
        workers = self.workers or usable_cores()
        size = sum(p.signature[1] for p in pending)
        if size < self.parallel_min_bytes:
            workers = 1
        parsed = fork_each(self._parse, pending, workers, _RESULT_REDUCERS)
        return [(p.relative, result) for p, result in zip(pending, parsed, strict=True)]

    def _parse(self, pending: _Pending) -> _FileResult | None:
        data = pending.data
        if data is None:
            try:
                data = read_bytes(pending.path, self.limits.max_file_bytes)
            except FileNotFoundError:
                return None
            except Unreadable as exc:  # a read that failed is tried again next time
                return self._skipped(pending.relative, _READ_FAILED, str(exc))
        relative = pending.relative
        text, diagnostics = decode_archive_bytes(data, relative)
        parsed = parse_text(text, relative, tag_authority=self.tag_authority, tag=self.tag)
        entries = parsed.entries
        digest = hashlib.sha256(data).hexdigest()
        index = self.index_file(entries) if self.index_file is not None else None
        part = ArchiveFile(relative, entries, index, (*diagnostics, *parsed.diagnostics))
        return _FileResult(pending.signature, digest, part)


#: How parse results cross the pipe from a forked parser (see :mod:`feeds.archive.forking`).
_RESULT_REDUCERS = dataclass_reducers(_FileResult, ArchiveFile, Entry, Source, Diagnostic)


def archive_files(directory: Path) -> list[tuple[str, str]]:
    """Every ``*.txt`` below ``directory`` (hidden ones excepted), as (relative path as
    shown in diagnostics, path to open), sorted by relative path.

    Symbolic links to folders are not followed (as ``os.walk`` does not); a link, a FIFO
    or anything else named ``*.txt`` is listed, for :meth:`ArchiveLoader._check` to report
    (it never opens one that is not a regular file inside the archive). Every reload
    lists the archive, so this uses ``os.scandir`` and plain strings (no ``Path``
    objects: a third of the time for 400 files).
    """
    if not directory.is_dir():
        raise ArchiveNotFoundError(f"archive directory '{directory}' does not exist")
    found: list[tuple[str, str]] = []
    folders = [(os.fspath(directory), "")]
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as listing:
            for item in listing:
                name = item.name
                if name.startswith("."):
                    continue
                if item.is_dir(follow_symlinks=False):  # (a link to a folder is a file here)
                    folders.append((item.path, f"{prefix}{name}/"))
                elif name.endswith(".txt"):
                    found.append((_display_name(prefix + name), item.path))
    if not found:
        raise ArchiveNotFoundError(f"archive directory '{directory}' has no *.txt files")
    return sorted(found)


_Checked = _FileResult | _Pending | None


#: The signature of a file whose read failed (permissions, an I/O error): it matches no
#: file's, so the next reading tries again, though the fix left mtime, size and inode.
_READ_FAILED = (-1, -1, -1)


def _display_name(name: str) -> str:
    """A file name that is not UTF-8 arrives with surrogates; show it with U+FFFD instead."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def repeated_entries(
    files: Iterable[tuple[str, Sequence[Entry]]],
) -> dict[str, tuple[tuple[int, ...], tuple[Diagnostic, ...]]]:
    """The entries whose id (same date and title) an earlier one already has, in reading
    order: for each file that has some, their numbers in the file and a warning for each.
    The first stays (:func:`feeds.catalog.build.list_file` drops the others)."""
    first: dict[str, Entry] = {}
    found = {}
    for name, entries in files:
        ids = [entry.id for entry in entries]
        if first.keys().isdisjoint(ids) and len(set(ids)) == len(ids):  # the usual case
            first.update(zip(ids, entries, strict=True))
            continue
        numbers: list[int] = []
        warnings: list[Diagnostic] = []
        for number, entry in enumerate(entries):
            kept = first.setdefault(entry.id, entry)
            if kept is not entry:
                numbers.append(number)
                warnings.append(_duplicate_warning(entry, kept))
        found[name] = (tuple(numbers), tuple(warnings))
    return found


def _duplicate_warning(entry: Entry, first: Entry) -> Diagnostic:
    differs = "" if entry.summary == first.summary else "; the summaries differ, the first is kept"
    return warning(
        entry.source.path,
        entry.source.line,
        f"duplicate of the entry at {first.source} (same date and title){differs}",
    )


@dataclass(frozen=True, slots=True)
class DataFile:
    """One of the editable data files beside the archive, as read for one load."""

    name: str
    #: Its bytes; ``None`` when it could not be read (``problem`` says why).
    data: bytes | None
    #: Modification time, Unix seconds.
    modified: int
    #: Its text (UTF-8); ``None`` when it could not be read or decoded.
    text: str | None = None
    #: Why there is no text.
    problem: str = ""


def read_data_files(directory: Path, max_bytes: int = MAX_FILE_BYTES) -> dict[str, DataFile]:
    """``overrides.toml`` and ``taxonomy.toml`` of the archive, those that exist, read once
    for a whole load: the catalog parses their text, the version hashes their bytes. As
    for archive files, only a regular file inside the archive, at most ``max_bytes``."""
    found = {}
    root = os.path.realpath(directory)
    for name in DATA_FILES:
        path = os.path.join(directory, name)
        try:
            modified = int(regular_file_stat(path, root, max_bytes).st_mtime)
            data = read_bytes(path, max_bytes)
            try:
                found[name] = DataFile(name, data, modified, data.decode("utf-8"))
            except UnicodeDecodeError as exc:  # hashed still: a change is a change
                found[name] = DataFile(name, data, modified, None, f"cannot read: {exc}")
        except (FileNotFoundError, NotADirectoryError):  # none, or no archive (said later)
            continue
        except OSError as exc:  # Unreadable says why itself
            problem = str(exc) if isinstance(exc, Unreadable) else f"cannot read: {exc}"
            found[name] = DataFile(name, None, 0, None, problem)
    return found


def _version(
    results: dict[str, _FileResult], directory: Path, data_files: Sequence[DataFile]
) -> tuple[str, int]:
    """Hash of every file's content and the data files, and the data files' newest mtime."""
    digest = hashlib.sha256()
    for name, result in results.items():
        digest.update(f"{name}\0{result.digest}\0".encode())
    modified = int(directory.stat().st_mtime)  # a deleted file changes only this
    for data_file in data_files:
        if data_file.data is not None:
            digest.update(data_file.name.encode() + data_file.data)
        modified = max(modified, data_file.modified)
    return digest.hexdigest()[:16], modified
