"""Archive text → entries and diagnostics. Pure: no files, no clock, no globals that change.

The format, as the newsroom writes it: a date line, the title on the next non-blank line,
then summary paragraphs (separated by blank lines) up to the next date line. Bad input is
reported as a :class:`~feeds.entry.Diagnostic` and skipped; every good entry is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from feeds.dates import DateLine, parse_date_line
from feeds.entry import Diagnostic, Entry, Source, error, warning
from feeds.ids import DEFAULT_TAG_AUTHORITY, entry_guid, entry_slug

# Characters XML 1.0 forbids or that no editor shows: C0 and C1 controls (tab excepted),
# DEL, and the non-characters U+FFFE/U+FFFF. Dropped with a warning.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
# Invisible characters dropped silently: zero-width space/joiners, word joiner, stray BOMs.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


@dataclass(frozen=True, slots=True)
class ParsedText:
    """What one archive file yields: its entries in file order, and what was wrong."""

    entries: tuple[Entry, ...]
    diagnostics: tuple[Diagnostic, ...]


@dataclass(slots=True)
class _Block:
    """The lines from one date line up to the next: one entry, if all is well."""

    date_line: DateLine
    #: Index of the date line in the file's lines (its line number is one more).
    start: int
    #: Index of the line after the block's last one.
    end: int


#: No date line is longer, once its spaces are collapsed ("Wednesday, 30th September,
#: 2021." is 32 characters; ``parse_date_line`` stops at 40): longer lines skip the call.
_LONGEST_DATE_LINE = 40


def parse_text(text: str, path: str, *, tag_authority: str = DEFAULT_TAG_AUTHORITY) -> ParsedText:
    """Parse one archive file's text; ``path`` is only used in diagnostics and sources."""
    diagnostics: list[Diagnostic] = []
    lines = _clean_lines(text, path, diagnostics)
    entries: list[Entry] = []
    for block in _blocks(lines, path, diagnostics):
        entry = _block_to_entry(block, lines, path, tag_authority, diagnostics)
        if entry is not None:
            entries.append(entry)
    diagnostics.sort(key=lambda d: d.source.line)
    return ParsedText(tuple(entries), tuple(diagnostics))


def _clean_lines(text: str, path: str, diagnostics: list[Diagnostic]) -> list[str]:
    """Split into lines (LF, CRLF or CR) with white space normalised to single spaces."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    for index, line in enumerate(lines):
        # isprintable() is False for tabs, NBSP and other odd spaces, controls and
        # invisible format characters: only those lines need the slow path.
        if not line.isprintable():
            lines[index] = _clean_odd_line(line, path, index + 1, diagnostics)
        elif line.startswith(" ") or line.endswith(" ") or "  " in line:
            lines[index] = " ".join(line.split())
    return lines


def _clean_odd_line(line: str, path: str, number: int, diagnostics: list[Diagnostic]) -> str:
    found = _CONTROL.findall(line)
    if found:
        codes = ", ".join(sorted({f"U+{ord(c):04X}" for c in found}))
        diagnostics.append(
            warning(path, number, f"dropped {len(found)} control character(s) ({codes})")
        )
        line = _CONTROL.sub("", line)
    line = _INVISIBLE.sub("", line)
    # str.split() with no argument splits on every Unicode space: tab, NBSP, U+202F, U+2028…
    return " ".join(line.split())


def _blocks(lines: list[str], path: str, diagnostics: list[Diagnostic]) -> Iterator[_Block]:
    """Group lines into blocks that each start at a date line; report text before the first."""
    block: _Block | None = None
    preamble_reported = False
    for index, line in enumerate(lines):
        if not line:
            continue
        date_line = parse_date_line(line) if len(line) <= _LONGEST_DATE_LINE else None
        if date_line is not None:
            if block is not None:
                block.end = index
                yield block
            block = _Block(date_line, index, len(lines))
        elif block is None and not preamble_reported:
            diagnostics.append(
                error(path, index + 1, "text before the first date line (skipped up to it)")
            )
            preamble_reported = True
    if block is not None:
        yield block


def _block_to_entry(
    block: _Block,
    lines: list[str],
    path: str,
    tag_authority: str,
    diagnostics: list[Diagnostic],
) -> Entry | None:
    date = block.date_line.date
    line_number = block.start + 1
    if date is None:
        diagnostics.append(error(path, line_number, f"{block.date_line.problem}; entry skipped"))
        return None
    title_index = next((i for i in range(block.start + 1, block.end) if lines[i]), None)
    if title_index is None:
        diagnostics.append(
            error(path, line_number, f"date line '{block.date_line.text}' has no title")
        )
        return None
    title = lines[title_index]
    summary = _paragraphs(lines[title_index + 1 : block.end])
    if not summary:
        diagnostics.append(warning(path, title_index + 1, f"entry '{title}' has no summary"))
    slug = entry_slug(date, title)
    return Entry(
        id=slug,
        guid=entry_guid(tag_authority, date, slug),
        date=date,
        title=title,
        summary=summary,
        source=Source(path, line_number),
    )


def _paragraphs(lines: list[str]) -> tuple[str, ...]:
    """Non-blank lines joined into paragraphs at blank lines."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return tuple(paragraphs)
