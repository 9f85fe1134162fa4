"""Abuse limits on sign-up: per client address and per e-mail address (issue 16).

Events are stored under a keyed hash (never the address itself) and kept a day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, and_, delete, func, insert, select, text

from feeds.subscriptions.addresses import keyed_hash
from feeds.subscriptions.schema import rate_events

KEEP = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Limits:
    #: Sign-up attempts one client address may make per hour.
    client_per_hour: int = 10
    #: At most one confirmation message per e-mail address in this time.
    address_interval: dt.timedelta = dt.timedelta(minutes=15)
    #: And at most this many per day.
    address_per_day: int = 4


class RateLimiter:
    def __init__(self, engine: Engine, secret: str, limits: Limits | None = None) -> None:
        self.engine = engine
        self.secret = secret
        self.limits = limits or Limits()

    def allow_client(self, client: str, now: dt.datetime) -> bool:
        """Count this sign-up attempt; whether the client is within its hourly limit."""
        key = keyed_hash(self.secret, "client", client)
        since = now - dt.timedelta(hours=1)
        with self.engine.begin() as connection:
            _one_at_a_time(connection, key)
            count = connection.execute(
                select(func.count()).where(
                    and_(
                        rate_events.c.kind == "client",
                        rate_events.c.key == key,
                        rate_events.c.at > since,
                    )
                )
            ).scalar_one()
            if count >= self.limits.client_per_hour:
                return False
            connection.execute(insert(rate_events).values(kind="client", key=key, at=now))
            return True

    def allow_message(self, address: str, now: dt.datetime) -> bool:
        """Whether a confirmation message may go to ``address`` now; if so, it is counted."""
        key = keyed_hash(self.secret, "address", address)
        with self.engine.begin() as connection:
            _one_at_a_time(connection, key)
            times = (
                connection.execute(
                    select(rate_events.c.at).where(
                        and_(
                            rate_events.c.kind == "address",
                            rate_events.c.key == key,
                            rate_events.c.at > now - KEEP,
                        )
                    )
                )
                .scalars()
                .all()
            )
            recent = [at for at in times if at > now - self.limits.address_interval]
            if recent or len(times) >= self.limits.address_per_day:
                return False
            connection.execute(insert(rate_events).values(kind="address", key=key, at=now))
            return True

    def prune(self, now: dt.datetime) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(delete(rate_events).where(rate_events.c.at < now - KEEP))
            return result.rowcount


def _one_at_a_time(connection: Connection, key: str) -> None:
    """Count-then-insert for ``key`` in one transaction at a time: SQLite's transactions
    already are (BEGIN IMMEDIATE); PostgreSQL's READ COMMITTED would let parallel
    requests all count the same and all pass, so they queue on an advisory lock."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
