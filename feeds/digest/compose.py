"""Which items a digest sends, in what order, and what its subject says. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace

from feeds.digest.model import PERIODS, DigestItem, FeedSection, Window

#: English month abbreviations: a subject must not depend on the server's locale.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: Feed titles a default subject names before it says "and N more".
SUBJECT_FEEDS = 3
#: A summary longer than this is cut at a word and ends with "…": a digest is a list.
SUMMARY_CHARS = 600
_TITLE_SEPARATOR = " — "


def window_for(
    now: dt.datetime, period: str, since: dt.date | None, last_sent: dt.datetime | None
) -> Window:
    """The days a digest made at ``now`` covers.

    ``since`` wins when given. Otherwise the window reaches back one period, or to the
    last successful send when that is earlier: after a failed or skipped run the next
    one covers the gap, so nothing that appeared meanwhile is lost. Items sent before
    are excluded by the state, not by the window, so overlapping windows are harmless.
    """
    if since is not None:
        return Window(since, now.date(), None)
    start = now - PERIODS[period]
    if last_sent is not None and last_sent < start:
        start = last_sent
    return Window(start.astimezone(now.tzinfo).date(), now.date(), period)


def next_due(now: dt.datetime, period: str, last_sent: dt.datetime | None) -> dt.date | None:
    """The day a scheduled digest is due again, or ``None`` when it is due now.

    Counted in calendar days, so a timer that fires at 07:00 daily sends a weekly digest
    every seventh day, though each send finishes a few seconds after 07:00.
    """
    if last_sent is None:
        return None
    due = last_sent.astimezone(now.tzinfo).date() + PERIODS[period]
    return due if now.date() < due else None


def is_wanted(
    item: DigestItem, sent: Collection[str], window: Window, *, by_date: bool = True
) -> bool:
    """Never sent (nor seen at an earlier send), and, ``by_date``, in the window. A
    re-dated or reordered item keeps its guid.

    Once a digest has sent, "new" means appeared since (issue 14): an item dated two days
    ago that a feed published after the last send is new to a daily digest. Only a first
    send, or ``--since``, goes by date."""
    return item.guid not in sent and (not by_date or window.contains(item))


def select_new(
    sections: Iterable[FeedSection],
    sent: Collection[str],
    window: Window,
    *,
    by_date: bool = True,
) -> tuple[FeedSection, ...]:
    """The sections that have new items, each newest first; an item in two feeds is shown
    once, in the first feed given. Undated items go last, in their feed's order."""
    seen: set[str] = set()
    chosen: list[FeedSection] = []
    for section in sections:
        items = []
        for item in section.items:
            if item.guid in seen or not is_wanted(item, sent, window, by_date=by_date):
                continue
            seen.add(item.guid)
            items.append(item)
        if items:
            items.sort(key=lambda item: (item.date is not None, item.instant), reverse=True)
            chosen.append(replace(section, items=tuple(items)))
    return tuple(chosen)


#: Items in one message at most, for digests and subscribers alike; the rest are linked
#: (issue 14: a feed of 25,000 items made a 25 MB message that servers refused every run).
MAX_ITEMS = 200


def capped(sections: Sequence[FeedSection], limit: int) -> tuple[FeedSection, ...]:
    """At most ``limit`` items in all, the first sections first; a section cut short says
    how many it left out (its link leads to them)."""
    kept: list[FeedSection] = []
    room = limit
    for section in sections:
        shown = section.items[: max(room, 0)]
        room -= len(shown)
        if shown or section.items:
            kept.append(replace(section, items=shown, more=len(section.items) - len(shown)))
    return tuple(section for section in kept if section.items or section.more)


def default_subject(feed_titles: Sequence[str], window: Window) -> str:
    """``Newsroom — Mexico, Guatemala: weekly digest, 18–25 Nov 2026``."""
    return f"{feeds_label(feed_titles)}: {period_label(window)}"


def feeds_label(titles: Sequence[str]) -> str:
    """The feeds' titles, with a publisher prefix they share said once."""
    unique = list(dict.fromkeys(title for title in titles if title)) or ["Feeds"]
    prefix = ""
    parts = [title.partition(_TITLE_SEPARATOR) for title in unique]
    if len(unique) > 1 and all(sep and head == parts[0][0] for head, sep, _ in parts):
        prefix = parts[0][0] + _TITLE_SEPARATOR
        unique = [rest for _, _, rest in parts]
    shown = unique[:SUBJECT_FEEDS]
    more = len(unique) - len(shown)
    names = ", ".join(shown) + (f" and {more} more" if more else "")
    return prefix + names


def period_label(window: Window) -> str:
    """``weekly digest, 18–25 Nov 2026``; a daily digest names one day unless it caught up."""
    kind = f"{window.period} digest" if window.period else "digest"
    start = window.start
    if window.period == "daily" and (window.end - start).days <= 1:
        start = window.end
    return f"{kind}, {day_range(start, window.end)}"


def day_range(start: dt.date, end: dt.date) -> str:
    """``25 Nov 2026``, ``18–25 Nov 2026``, ``28 Oct – 4 Nov 2026``,
    ``28 Dec 2025 – 4 Jan 2026``."""
    if start >= end:
        return day_text(end)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{day_text(end)}"
    if start.year == end.year:
        return f"{start.day} {MONTHS[start.month - 1]} – {day_text(end)}"
    return f"{day_text(start)} – {day_text(end)}"


def day_text(day: dt.date | None) -> str:
    """``26 Apr 2021``, or empty for no date."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day else ""


def excerpt(text: str, limit: int = SUMMARY_CHARS) -> str:
    """``text`` if short enough, else cut at the last space before ``limit`` with "…"."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = head.rsplit(None, 1)[0] if len(head.split()) > 1 else head
    return cut.rstrip(" \n,;:.-–—") + "…"


def paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs of a plain-text summary."""
    return [part.strip() for part in text.split("\n\n") if part.strip()]
