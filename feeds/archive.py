"""Reads an archive directory into entries. The only module of the library that touches files.

:class:`ArchiveLoader` remembers each file's parse result and re-reads only files whose
size, mtime or inode changed, so a reload costs in proportion to what changed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from feeds.decoding import decode_archive_bytes
from feeds.entry import Diagnostic, Entry, warning
from feeds.errors import ArchiveNotFoundError
from feeds.ids import DEFAULT_TAG_AUTHORITY
from feeds.parsing import parse_text

#: Files in the archive directory that are not press releases.
OVERRIDES_FILE = "overrides.toml"
TAXONOMY_FILE = "taxonomy.toml"

Classify = Callable[[Entry], Entry]


@dataclass(frozen=True, slots=True)
class Archive:
    """Every good entry, newest first (ties in archive order), and what was wrong."""

    entries: tuple[Entry, ...]
    diagnostics: tuple[Diagnostic, ...]
    #: Short hash of every file's content and the data files: changes iff the archive does.
    version: str
    #: Archive files read, relative to the directory, in reading order.
    files: tuple[str, ...] = ()
    #: Newest modification time (Unix seconds) of the files read and the data files.
    modified: int = 0

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
    entries: tuple[Entry, ...]
    diagnostics: tuple[Diagnostic, ...]


@dataclass
class ArchiveLoader:
    """Loads ``directory`` again and again, parsing only the files that changed."""

    directory: Path
    tag_authority: str = DEFAULT_TAG_AUTHORITY
    #: Called on every new entry (classification); identity when ``None``.
    classify: Classify | None = None
    _files: dict[str, _FileResult] = field(default_factory=dict, repr=False)

    def load(self) -> Archive:
        """Read the directory now; raises :class:`ArchiveNotFoundError` if there is none."""
        paths = archive_files(self.directory)
        results: dict[str, _FileResult] = {}
        for relative, path in paths:
            result = self._read(relative, path)
            if result is not None:
                results[relative] = result
        self._files = results
        entries, diagnostics = merge_files(
            (name, r.entries, r.diagnostics) for name, r in results.items()
        )
        version, data_modified = _version(results, self.directory)
        modified = max([r.signature[0] // 10**9 for r in results.values()] + [data_modified])
        return Archive(tuple(entries), tuple(diagnostics), version, tuple(results), modified)

    def forget(self) -> None:
        """Drop every cached parse, e.g. after the taxonomy changed."""
        self._files.clear()

    def _read(self, relative: str, path: Path) -> _FileResult | None:
        try:
            stat = path.stat()
            signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            cached = self._files.get(relative)
            if cached is not None and cached.signature == signature:
                return cached
            data = path.read_bytes()
        except FileNotFoundError:  # removed while we were reading: it is simply gone
            return None
        digest = hashlib.sha256(data).hexdigest()
        if cached is not None and cached.digest == digest:
            return _FileResult(signature, digest, cached.entries, cached.diagnostics)
        return self._parse(relative, data, signature, digest)

    def _parse(
        self, relative: str, data: bytes, signature: tuple[int, int, int], digest: str
    ) -> _FileResult:
        text, diagnostics = decode_archive_bytes(data, relative)
        parsed = parse_text(text, relative, tag_authority=self.tag_authority)
        entries = parsed.entries
        if self.classify is not None:
            entries = tuple(map(self.classify, entries))
        return _FileResult(signature, digest, entries, (*diagnostics, *parsed.diagnostics))


def archive_files(directory: Path) -> list[tuple[str, Path]]:
    """Every ``*.txt`` below ``directory`` (hidden ones excepted), sorted by relative path."""
    if not directory.is_dir():
        raise ArchiveNotFoundError(f"archive directory '{directory}' does not exist")
    found: list[tuple[str, Path]] = []
    for root, dirs, names in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.endswith(".txt") and not name.startswith("."):
                path = Path(root, name)
                found.append((_display_name(path.relative_to(directory).as_posix()), path))
    if not found:
        raise ArchiveNotFoundError(f"archive directory '{directory}' has no *.txt files")
    return sorted(found)


def _display_name(name: str) -> str:
    """A file name that is not UTF-8 arrives with surrogates; show it with U+FFFD instead."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def merge_files(
    files: Iterable[tuple[str, tuple[Entry, ...], tuple[Diagnostic, ...]]],
) -> tuple[list[Entry], list[Diagnostic]]:
    """Join per-file results: drop repeated entries (same id), sort newest first."""
    seen: dict[str, Entry] = {}
    kept: list[Entry] = []
    diagnostics: list[Diagnostic] = []
    for _name, entries, file_diagnostics in files:
        diagnostics.extend(file_diagnostics)
        for entry in entries:
            first = seen.get(entry.id)
            if first is None:
                seen[entry.id] = entry
                kept.append(entry)
            else:
                diagnostics.append(_duplicate_warning(entry, first))
    kept.sort(key=_by_date, reverse=True)  # stable even reversed: ties keep archive order
    return kept, diagnostics


def _by_date(entry: Entry) -> object:
    return entry.date


def _duplicate_warning(entry: Entry, first: Entry) -> Diagnostic:
    differs = "" if entry.summary == first.summary else "; the summaries differ, the first is kept"
    return warning(
        entry.source.path,
        entry.source.line,
        f"duplicate of the entry at {first.source} (same date and title){differs}",
    )


def _version(results: dict[str, _FileResult], directory: Path) -> tuple[str, int]:
    """Hash of every file's content and the data files, and the data files' newest mtime."""
    digest = hashlib.sha256()
    for name, result in results.items():
        digest.update(f"{name}\0{result.digest}\0".encode())
    modified = int(directory.stat().st_mtime)  # a deleted file changes only this
    for data_file in (OVERRIDES_FILE, TAXONOMY_FILE):
        path = directory / data_file
        try:
            digest.update(data_file.encode() + path.read_bytes())
            modified = max(modified, int(path.stat().st_mtime))
        except OSError:
            pass
    return digest.hexdigest()[:16], modified
