"""Archive text → entries and diagnostics. Pure: no files, no clock, no globals that change.

The format, as the newsroom writes it: a date line, the title on the next non-blank line,
then summary paragraphs (separated by blank lines) up to the next date line. Bad input is
reported as a :class:`~feeds.archive.entry.Diagnostic` and skipped; every good entry is kept.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from feeds.archive.dates import DateLine, parse_date_line
from feeds.archive.entry import Diagnostic, Entry, Source, Tagger, error, warning
from feeds.archive.ids import DEFAULT_TAG_AUTHORITY, entry_guid, entry_slug

# Characters XML 1.0 forbids or that no editor shows: C0 and C1 controls (tab excepted),
# DEL, and the non-characters U+FFFE/U+FFFF. Dropped with a warning.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
# Invisible characters dropped silently: zero-width space, word joiner, stray BOMs. Not the
# zero-width joiner and non-joiner (U+200D, U+200C): they are spelling, as in 👩‍👩‍👧 or
# Persian's می‌خواهم (issue 14).
_INVISIBLE = re.compile("[\u200b\u2060\ufeff]")
# ... except where they join nothing: at the start or end of a word.
_LOOSE_JOINERS = re.compile("(?<!\\S)[\u200c\u200d]+|[\u200c\u200d]+(?!\\S)")


@dataclass(frozen=True, slots=True)
class ParsedText:
    """What one archive file yields: its entries in file order, and what was wrong."""

    entries: tuple[Entry, ...]
    diagnostics: tuple[Diagnostic, ...]


#: An entry's fields but its tags: id, guid, date, title, summary, source.
_Fields = tuple[str, str, dt.date, str, tuple[str, ...], Source]

#: No date line is longer, once its spaces are collapsed ("Wednesday, 30th September,
#: 2021." is 32 characters; ``parse_date_line`` stops at 40): longer lines skip the call.
_LONGEST_DATE_LINE = 40


# Kept long: the parser's single loop over lines; a call per line or per entry would cost
# a measurable share of the parse (issue 2's budget), so its steps are written inline.
def parse_text(
    text: str,
    path: str,
    *,
    tag_authority: str = DEFAULT_TAG_AUTHORITY,
    tag: Tagger | None = None,
) -> ParsedText:
    """Parse one archive file's text; ``path`` is only used in diagnostics and sources.

    ``tag`` gives each entry its countries and topics (``Classifier.tags``) before it is
    made, rather than copying every entry to add them; the file's entries are tagged
    together once all are read.

    One pass over the lines (a first load reads every line of the archive, so the loop
    keeps its state in local variables): a date line starts an entry, the next non-blank
    line is its title, and the lines after it, up to the next date line, its summary, in
    paragraphs that blank lines end.
    """
    diagnostics: list[Diagnostic] = []
    read: list[_Fields] = []
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    # The entry being read: its date line (None before the first), title, paragraphs.
    date_line: DateLine | None = None
    date_number = title_number = 0
    title: str | None = None
    paragraphs: list[str] = []
    paragraph: list[str] = []
    preamble_reported = False
    for number, line in enumerate(text.split("\n"), 1):
        if line:
            # isprintable() is False for tabs, NBSP and other odd spaces, controls and
            # invisible format characters: only those lines need the slow path.
            if not line.isprintable():
                line = _clean_odd_line(line, path, number, diagnostics)
            elif line[0] == " " or line[-1] == " " or "  " in line:  # faster than startswith
                line = " ".join(line.split())
        if not line:
            if paragraph:
                paragraphs.append(" ".join(paragraph))
                paragraph = []
            continue
        found = parse_date_line(line) if len(line) <= _LONGEST_DATE_LINE else None
        if found is not None:
            if date_line is not None:
                _finish_entry(
                    read, diagnostics, path, tag_authority, date_line, date_number,
                    title, title_number, paragraphs, paragraph,
                )  # fmt: skip
            date_line, date_number, title = found, number, None
            paragraphs, paragraph = [], []
        elif title is not None:
            paragraph.append(line)
        elif date_line is not None:
            title, title_number = line, number
        elif not preamble_reported:
            diagnostics.append(
                error(path, number, "text before the first date line (skipped up to it)")
            )
            preamble_reported = True
    if date_line is not None:
        _finish_entry(
            read, diagnostics, path, tag_authority, date_line, date_number,
            title, title_number, paragraphs, paragraph,
        )  # fmt: skip
    if tag is None:
        entries = tuple(Entry(*fields) for fields in read)
    else:  # fields 3 and 4 are the title and the summary
        entries = tuple(Entry(*fields, *tag(*fields[3:5])) for fields in read)
    diagnostics.sort(key=lambda d: d.source.line)
    return ParsedText(entries, tuple(diagnostics))


def _clean_odd_line(line: str, path: str, number: int, diagnostics: list[Diagnostic]) -> str:
    found = _CONTROL.findall(line)
    if found:
        codes = ", ".join(sorted({f"U+{ord(c):04X}" for c in found}))
        diagnostics.append(
            warning(path, number, f"dropped {len(found)} control character(s) ({codes})")
        )
        line = _CONTROL.sub("", line)
    line = _INVISIBLE.sub("", line)
    if "\u200c" in line or "\u200d" in line:  # rare: no regex for every line
        line = _LOOSE_JOINERS.sub("", line)
    # str.split() with no argument splits on every Unicode space: tab, NBSP, U+202F, U+2028…
    return " ".join(line.split())


def _finish_entry(
    read: list[_Fields],
    diagnostics: list[Diagnostic],
    path: str,
    tag_authority: str,
    date_line: DateLine,
    date_number: int,
    title: str | None,
    title_number: int,
    paragraphs: list[str],
    paragraph: list[str],
) -> None:
    """Append the fields of the entry that ends here to ``read``, or report why there is
    no entry."""
    date = date_line.date
    if date is None:
        diagnostics.append(error(path, date_number, f"{date_line.problem}; entry skipped"))
        return
    if title is None:
        diagnostics.append(error(path, date_number, f"date line '{date_line.text}' has no title"))
        return
    if paragraph:
        paragraphs.append(" ".join(paragraph))
    if not paragraphs:
        diagnostics.append(warning(path, title_number, f"entry '{title}' has no summary"))
    slug = entry_slug(date, title)
    read.append((
        slug, entry_guid(tag_authority, date, slug), date, title, tuple(paragraphs),
        Source(path, date_number),
    ))  # fmt: skip
