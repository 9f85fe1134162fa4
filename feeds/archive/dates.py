"""Date lines: the lines that start an archive entry.

A date line is a line that is, by itself, a calendar date. Anything else on the line
(``On 25 February, 2021, …``, ``2030 Agenda progress …``) makes it ordinary text.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import NamedTuple

#: Dates before this year are refused as typos.
EARLIEST_YEAR = 1970
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str) -> dt.date | None:
    """A day given as ``YYYY-MM-DD`` (``since=``, ``--since``), else ``None``: not the
    other forms ``fromisoformat`` takes, nor a date line's."""
    if not _ISO_DAY.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"

# Each shape is matched against the whole stripped line, case-insensitively; ISO 8601
# (the third) is tried first when the line looks like it.
_COMMA = r"(?:\s*,\s*|\s+)"
# re.ASCII: case-insensitive matching must not let "ſ" match "s" or "ı" match "i".
_FLAGS = re.IGNORECASE | re.ASCII
_SHAPES = [
    re.compile(rf"{_WEEKDAY}{_DAY}\s+{_MONTH}{_COMMA}{_YEAR}\.?", _FLAGS),  # 12 March, 2021
    re.compile(rf"{_WEEKDAY}{_MONTH}\s+{_DAY}{_COMMA}{_YEAR}\.?", _FLAGS),  # March 12, 2021
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})", re.ASCII),  # ISO 8601
]
_ISO_FIRST = [_SHAPES[2], *_SHAPES[:2]]


class DateLine(NamedTuple):
    """A line shaped like a date: ``date`` is set when it is a real one, else ``problem``.

    A named tuple rather than a frozen dataclass: a first load makes one for most of its
    entries (the cache below only helps within a day's releases), and a tuple is made in
    less than half the time."""

    text: str
    date: dt.date | None
    problem: str | None = None


@lru_cache(maxsize=1 << 15)
def parse_date_line(line: str) -> DateLine | None:
    """Return the date line ``line`` is, or ``None`` when it is ordinary text.

    Cached: an archive repeats its date lines (several releases a day, and the same
    shape each time), and a :class:`DateLine` is immutable. 32,768 lines (about 6 MB)
    cover every day of 40 years written two ways.
    """
    text = line.strip()
    if not text or len(text) > 40 or not text[0].isalnum():
        return None
    for shape in _ISO_FIRST if text[4:5] == "-" else _SHAPES:
        match = shape.fullmatch(text)
        if match:
            return _to_date_line(text, match)
    return None


def _to_date_line(text: str, match: re.Match[str]) -> DateLine:
    year_text, month_text, day_text = match.group("year", "month", "day")
    month_text = month_text.lower()
    month = _MONTHS[month_text] if month_text in _MONTHS else int(month_text)
    year, day = int(year_text), int(day_text)
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return DateLine(text, None, f"impossible date '{text}'")
    if year < EARLIEST_YEAR:
        # A typo (0201 for 2021) far more often than a press release from before 1970;
        # feed validators flag such dates as implausible too.
        return DateLine(text, None, f"implausible date '{text}' (before {EARLIEST_YEAR})")
    return DateLine(text, date)
