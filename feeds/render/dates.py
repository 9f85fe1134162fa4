"""Date formats for feeds: RFC 3339 (Atom, JSON Feed) and RFC 822 (RSS, OPML)."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime


def feed_time(value: dt.datetime) -> dt.datetime:
    """``value`` as feeds can write it: aware, whole seconds, a whole-minute UTC offset.

    Neither RFC 3339 nor RFC 822 can express sub-minute offsets (``zoneinfo`` gives
    them for dates before a zone's standard time), so those are converted to UTC.
    """
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(f"feed dates need a time zone, got naive {value.isoformat()}")
    value = value.replace(microsecond=0)
    if offset % dt.timedelta(minutes=1):
        return value.astimezone(dt.UTC)
    return value


def rfc3339(value: dt.datetime) -> str:
    """``2024-06-01T00:00:00-06:00``; ``Z`` is not used, so the offset says the zone."""
    return feed_time(value).isoformat(timespec="seconds")


def rfc822(value: dt.datetime) -> str:
    """``Sat, 01 Jun 2024 00:00:00 -0600``: English names, 4-digit year, whatever the locale."""
    return format_datetime(feed_time(value))


def distinct_rfc3339(value: dt.datetime, repeat: int) -> str:
    """:func:`rfc3339` with ``repeat`` zero decimals of a second: the same instant, written
    differently for the ``repeat``-th time (``2024-06-01T12:00:00.00-06:00`` for 2)."""
    text = rfc3339(value)
    if repeat <= 0:
        return text
    return f"{text[:19]}.{'0' * repeat}{text[19:]}"
