"""The values a digest is made of: items, the feeds they came from, the period it covers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

#: Period names → how far back a digest looks when it has never been sent.
PERIODS = {"daily": dt.timedelta(days=1), "weekly": dt.timedelta(days=7)}


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One item of a feed, as a digest shows it. Text only: never the feed's HTML."""

    #: The feed's id for the item (Atom ``id``, RSS ``guid``, JSON Feed ``id``), else its link.
    guid: str
    #: Plain text.
    title: str
    #: Absolute http(s) permalink; empty when the feed gives none that is safe to link.
    url: str
    #: Aware datetime, a bare date, or ``None`` when the feed gives no date.
    date: dt.datetime | dt.date | None
    #: Plain text, paragraphs separated by a blank line; may be empty.
    summary_text: str
    #: Title of the feed the item was read from.
    feed_title: str

    @property
    def day(self) -> dt.date | None:
        """The calendar day of ``date`` in its own time zone: what the publisher meant."""
        if isinstance(self.date, dt.datetime):
            return self.date.date()
        return self.date

    @property
    def instant(self) -> dt.datetime:
        """A UTC time to sort by: midnight UTC for a bare date, the epoch when undated."""
        if isinstance(self.date, dt.datetime):
            return self.date.astimezone(dt.UTC)
        day = self.date or dt.date(1970, 1, 1)
        return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class FeedSection:
    """A feed as read once, or the part of it a digest sends."""

    #: The feed's title, plain text.
    title: str
    #: The feed's web page, else the feed's own URL.
    url: str
    #: In the feed's order when read; newest first once selected for a digest.
    items: tuple[DigestItem, ...] = ()
    #: New items left out of the message by the cap on its size; the section links to them.
    more: int = 0


@dataclass(frozen=True, slots=True)
class Window:
    """The calendar days a digest covers, in the time zone of the clock that ran it.

    Days rather than instants because most feeds (ours among them) date items by day:
    an entry dated yesterday must not fall out of a daily digest sent at 07:00 today.
    """

    #: First day included.
    start: dt.date
    #: The day the digest is made (items dated later are included too).
    end: dt.date
    #: ``"daily"``, ``"weekly"``, or ``None`` for a window given by ``--since``.
    period: str | None = None

    def contains(self, item: DigestItem) -> bool:
        """Undated items are in every window: only the state can say they were sent."""
        day = item.day
        return day is None or day >= self.start


@dataclass(frozen=True, slots=True)
class Digest:
    """One message: what it is called and what it holds."""

    #: The digest's name (its key in the state file).
    name: str
    subject: str
    window: Window
    #: Only sections with at least one item, in the order the feeds were given.
    sections: tuple[FeedSection, ...] = ()
    #: ``mailto:`` and http(s) URIs for the List-Unsubscribe header (RFC 2369).
    list_unsubscribe: tuple[str, ...] = ()

    @property
    def items(self) -> tuple[DigestItem, ...]:
        return tuple(item for section in self.sections for item in section.items)


@dataclass(frozen=True, slots=True)
class DigestSpec:
    """What one digest sends, to whom, and where it remembers what it sent."""

    #: Key in the state file (never shown in the message).
    name: str
    #: Absolute feed URLs, in the order their sections appear.
    feeds: tuple[str, ...]
    #: Recipients, as ``addr`` or ``Name <addr>``.
    to: tuple[str, ...]
    #: The ``From`` address, as ``addr`` or ``Name <addr>``.
    sender: str
    state: Path
    #: ``"daily"`` or ``"weekly"``; ignored when ``since`` is given.
    period: str = "weekly"
    since: dt.date | None = None
    #: ``None`` for the default subject, which names the feeds and the period.
    subject: str | None = None
    list_unsubscribe: tuple[str, ...] = ()
