"""The one value everything else is built from: a press release, parsed and tagged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Source:
    """Where an entry (or a diagnostic) came from, relative to the archive directory."""

    #: Path of the archive file, relative to the archive directory, with ``/`` separators.
    path: str
    #: 1-based line number; 0 for the whole file (one that could not be read).
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, slots=True)
class Entry:
    """A press release. Immutable: classification returns a new value via ``replace``."""

    #: URL-safe slug from the date and the title's words; unique within the archive.
    id: str
    #: RFC 4151 tag URI; stable across restarts, hosts, file renames and summary edits.
    guid: str
    #: Publication date (the archive has no times).
    date: dt.date
    #: Title, white space normalised.
    title: str
    #: Summary paragraphs, each white space normalised; may be empty.
    summary: tuple[str, ...]
    #: File and line of the entry's date line.
    source: Source
    #: ISO 3166-1 alpha-2 codes, sorted.
    countries: tuple[str, ...] = ()
    #: Topic slugs from the taxonomy, sorted.
    topics: tuple[str, ...] = ()

    def tagged(self, countries: tuple[str, ...], topics: tuple[str, ...]) -> Entry:
        """This entry with these tags: ``dataclasses.replace`` without its per-call
        introspection."""
        return Entry(
            self.id, self.guid, self.date, self.title, self.summary, self.source,
            countries, topics,
        )  # fmt: skip

    @property
    def summary_text(self) -> str:
        """The summary as one string, paragraphs separated by a blank line."""
        return "\n\n".join(self.summary)


#: Countries and topics for an entry's title and summary (see :mod:`feeds.classify.classifier`).
Tagger = Callable[[str, tuple[str, ...]], tuple[tuple[str, ...], tuple[str, ...]]]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem found in the archive, printed the way compilers do: ``path:line: error: …``."""

    source: Source
    #: ``"error"`` (the entry is skipped) or ``"warning"`` (the entry is kept).
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def error(path: str, line: int, message: str) -> Diagnostic:
    return Diagnostic(Source(path, line), "error", message)


def warning(path: str, line: int, message: str) -> Diagnostic:
    return Diagnostic(Source(path, line), "warning", message)
