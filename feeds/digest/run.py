"""One digest run, in the only safe order: read, compose, deliver, then record.

The state changes only after delivery succeeded, so a failure anywhere before (a feed,
the SMTP server, a crash) leaves it as it was and the next run sends the same items.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from email import policy
from email.message import EmailMessage
from pathlib import Path

from feeds.digest.compose import (
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
from feeds.digest.send import SmtpSettings, send_message
from feeds.digest.state import load_state, locked, save_state, write_atomically
from feeds.errors import DigestError, DigestStateError

Fetch = Callable[[str], ParsedFeed]
#: Delivers a message, or raises a DigestError; returns where it went, for the report.
Deliver = Callable[[EmailMessage], str]
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
        due = next_due(now, spec.period, record.last_sent) if scheduled else None
        if due is not None:
            return Outcome(spec.name, due=due)
        sent = frozenset(record.sent)
        window = window_for(now, spec.period, spec.since, record.last_sent)
        read = [read_feed(url, sent, window, fetch, warn) for url in spec.feeds]
        sections = select_new(read, sent, window)
        if not sections:
            return Outcome(spec.name)
        subject = spec.subject or default_subject([section.title for section in read], window)
        digest = Digest(spec.name, subject, window, sections, spec.list_unsubscribe)
        where = deliver(build_message(digest, sender=spec.sender, to=spec.to, now=now))
        guids = tuple(item.guid for item in digest.items)
        try:
            save_state(spec.state, state.with_sent(spec.name, guids, now))
        except DigestStateError as exc:
            raise DigestStateError(
                f"digest '{spec.name}' was delivered {where}, but recording it failed, so "
                f"the next run will send its {len(guids)} items again: {exc}"
            ) from exc
        return Outcome(spec.name, len(guids), len(sections), where)


def read_feed(
    url: str, sent: Collection[str], window: Window, fetch: Fetch, warn: Warn
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
        and all(is_wanted(item, sent, window) for item in page.section.items)
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
    def deliver(message: EmailMessage) -> str:
        send_message(message, settings)
        count_sent("digest")
        return f"via SMTP server {settings.address}"

    return deliver


def file_delivery(path: Path) -> Deliver:
    """Writes the message as an ``.eml`` file (RFC 5322, CRLF line ends) instead of sending.

    The state is updated once the file is written: ``--out`` is how a digest is handed
    to another mailer, so the file counts as sent.
    """

    def deliver(message: EmailMessage) -> str:
        try:
            write_atomically(path, message.as_bytes(policy=policy.SMTP))
        except OSError as exc:
            raise DigestError(f"cannot write {path}: {exc}") from exc
        return f"to {path}"

    return deliver
