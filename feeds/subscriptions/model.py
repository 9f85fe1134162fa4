"""The values the subscription store hands out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: A sign-up waits this long for its confirmation, then it is deleted.
CONFIRMATION_DAYS = 7
PENDING, CONFIRMED, PAUSED, SUSPENDED = "pending", "confirmed", "paused", "suspended"
STATUSES = (PENDING, CONFIRMED, PAUSED, SUSPENDED)
#: Permanent refusals (5xx at RCPT) after which an address is suspended.
MAX_BOUNCES = 3


@dataclass(frozen=True, slots=True)
class Subscriber:
    """One address and what it asked for; all that is stored about it."""

    id: int
    #: Lower-cased, as validated by :func:`feeds.subscriptions.addresses.normalise`.
    address: str
    status: str
    #: ``"daily"`` or ``"weekly"``.
    period: str
    #: Selection paths (``all``, ``country/mexico``), sorted.
    selections: tuple[str, ...]
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    #: The day the address came in by ``feeds subscribers import``, else ``None``.
    imported_on: dt.date | None
    #: Permanent refusals since the last delivered digest.
    bounces: int
    #: Entries that appeared up to this number are sent or predate the subscription.
    last_seq: int
    last_sent_at: dt.datetime | None
    #: Random, in every signed link: a deleted and re-created address gets new links.
    link_key: str

    @property
    def receives(self) -> bool:
        return self.status == CONFIRMED


@dataclass(frozen=True, slots=True)
class SignUp:
    """What a sign-up form asked for."""

    address: str
    period: str
    selections: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Pending:
    """A digest claimed by a send run and not yet known delivered: entries after
    ``from_seq`` up to ``to_seq``, with a Message-ID kept for a resend after a crash."""

    log_id: int
    subscriber: Subscriber
    from_seq: int
    to_seq: int
    message_id: str
    previous_sent_at: dt.datetime | None
