"""One digest run, in the only safe order: read, compose, deliver, then record.

The state changes only after delivery succeeded, so a failure anywhere before (a feed,
the SMTP server, a crash) leaves it as it was and the next run sends the same items.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from email import policy
from email.message import EmailMessage
from pathlib import Path

from feeds.digest.compose import (
    MAX_ITEMS,
    capped,
    default_subject,
    is_wanted,
    next_due,
    select_new,
    window_for,
)
from feeds.digest.counted import count_sent
from feeds.digest.message import build_message
from feeds.digest.model import Digest, DigestSpec, FeedSection, Window
from feeds.digest.parse import ParsedFeed
from feeds.digest.send import MessageTooLarge, SmtpSettings, send_messages
from feeds.digest.state import load_state, locked, save_state, write_atomically
from feeds.errors import DigestError, DigestStateError

Fetch = Callable[[str], ParsedFeed]
#: Delivers the messages (one per recipient), or raises a DigestError; returns where they
#: went, for the report.
Deliver = Callable[[Sequence[EmailMessage]], str]
Warn = Callable[[str], None]

#: Pages of one feed a run follows (RFC 5005 ``next``) while every item on them is new.
MAX_PAGES = 50


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    #: Items sent; 0 when there was nothing new and nothing was sent.
    items: int = 0
    feeds: int = 0
    #: Where the message went: ``"via SMTP server host:port"`` or ``"to file.eml"``.
    where: str = ""
    #: For a scheduled digest that was not due: the day it is due.
    due: dt.date | None = None

    def __str__(self) -> str:
        if self.due:
            return f"digest '{self.name}' is not due until {self.due}; nothing sent"
        if not self.items:
            return f"nothing new for digest '{self.name}'; nothing sent"
        return (
            f"digest '{self.name}': sent {self.items} new item{'s' * (self.items != 1)} "
            f"from {self.feeds} feed{'s' * (self.feeds != 1)} {self.where}"
        )


def run_digest(
    spec: DigestSpec,
    deliver: Deliver,
    *,
    now: dt.datetime,
    fetch: Fetch,
    warn: Warn,
    scheduled: bool = False,
) -> Outcome:
    """Send what is new since the last run; ``now`` must be timezone-aware.

    A ``scheduled`` digest (``--config``) also waits for its period to pass since its
    last send, so one daily timer serves daily and weekly digests alike.
    """
    with locked(spec.state):
        state = load_state(spec.state)
        record = state.get(spec.name)
        _check_last_sent(spec, record.last_sent, now)
        due = next_due(now, spec.period, record.last_sent) if scheduled else None
        if due is not None:
            return Outcome(spec.name, due=due)
        window = window_for(now, spec.period, spec.since, record.last_sent)
        by_date = spec.since is not None or record.seen is None
        sent = record.known(by_date)
        read = [read_feed(url, sent, window, fetch, warn, by_date) for url in spec.feeds]
        sections = select_new(read, sent, window, by_date=by_date)
        if not sections:
            return Outcome(spec.name)
        subject = spec.subject or default_subject([section.title for section in read], window)
        digest = Digest(spec.name, subject, window, sections, spec.list_unsubscribe)
        where, shown = deliver_capped(digest, spec, deliver, now)
        guids = tuple(item.guid for item in digest.items)  # the linked ones too
        seen = tuple(item.guid for section in read for item in section.items)
        try:
            save_state(spec.state, state.with_sent(spec.name, guids, now, seen))
        except DigestStateError as exc:
            raise DigestStateError(
                f"digest '{spec.name}' was delivered {where}, but recording it failed, so "
                f"the next run will send its {len(guids)} items again: {exc}"
            ) from exc
        return Outcome(spec.name, len(shown.items), len(sections), where)


def _check_last_sent(spec: DigestSpec, last_sent: dt.datetime | None, now: dt.datetime) -> None:
    """A last send after tomorrow is a damaged file or a wrong clock, and in year 9999 it
    would overflow every date reckoned from it (issue 14): a clear error instead."""
    if last_sent is None:
        return
    try:
        plausible = last_sent <= now + dt.timedelta(days=1)
    except OverflowError:
        plausible = False
    if not plausible:
        raise DigestStateError(
            f"{spec.state}: digest '{spec.name}' was last sent at {last_sent.isoformat()}, "
            f"which is after now ({now.isoformat(timespec='seconds')}); correct the clock, "
            "or that date in the state file"
        )


def deliver_capped(
    digest: Digest, spec: DigestSpec, deliver: Deliver, now: dt.datetime
) -> tuple[str, Digest]:
    """One message per recipient, of at most MAX_ITEMS items (the rest linked), and
    smaller still while the SMTP server says it is too large (RFC 1870 ``SIZE``).
    Returns where it went and the digest as sent."""
    limit = MAX_ITEMS
    while True:
        shown = replace(digest, sections=capped(digest.sections, limit))
        messages = [build_message(shown, sender=spec.sender, to=to, now=now) for to in spec.to]
        try:
            return deliver(messages), shown
        except MessageTooLarge:
            if limit == 1 or len(shown.items) == 1:
                raise
            limit = max(1, min(limit, len(shown.items)) // 2)


def read_feed(
    url: str,
    sent: Collection[str],
    window: Window,
    fetch: Fetch,
    warn: Warn,
    by_date: bool = True,
) -> FeedSection:
    """The feed at ``url``, following its next pages while every item on a page is new:
    more new items than one page holds must not be lost."""
    first = page = fetch(url)
    items = list(page.section.items)
    visited = {url}
    while (
        page.next_url
        and page.next_url not in visited
        and page.section.items
        and all(is_wanted(item, sent, window, by_date=by_date) for item in page.section.items)
    ):
        if len(visited) >= MAX_PAGES:
            warn(
                f"{url}: stopped after {MAX_PAGES} pages of new items; "
                "the rest follow in the next digests"
            )
            break
        visited.add(page.next_url)
        for message in page.warnings:
            warn(message)
        page = fetch(page.next_url)
        items += page.section.items
    for message in page.warnings:
        warn(message)
    return replace(first.section, items=tuple(items))


def smtp_delivery(settings: SmtpSettings) -> Deliver:
    def deliver(messages: Sequence[EmailMessage]) -> str:
        send_messages(messages, settings)
        for _ in messages:
            count_sent("digest")
        return f"via SMTP server {settings.address}"

    return deliver


def file_delivery(path: Path) -> Deliver:
    """Writes each message as an ``.eml`` file (RFC 5322, CRLF line ends) instead of
    sending: ``FILE.eml``, then ``FILE.2.eml`` … for further recipients.

    The state is updated once the files are written: ``--out`` is how a digest is handed
    to another mailer, so the files count as sent.
    """

    def deliver(messages: Sequence[EmailMessage]) -> str:
        paths = [path] + [
            path.with_suffix(f".{n}{path.suffix}") for n in range(2, 1 + len(messages))
        ]
        for target, message in zip(paths, messages, strict=True):
            try:
                write_atomically(target, message.as_bytes(policy=policy.SMTP))
            except OSError as exc:
                raise DigestError(f"cannot write {target}: {exc}") from exc
        return f"to {', '.join(map(str, paths))}"

    return deliver
