"""The tables (SQLAlchemy Core). Changing one needs a migration in ``migrations/versions``;
``tests/test_subscriptions_store.py`` checks the migrations build exactly these tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
)

metadata = MetaData()


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in and out; SQLite would hand back naive ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError(f"an aware datetime is needed, not {value!r}")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        stamp: dt.datetime = value
        return stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)


subscribers = Table(
    "subscribers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("address", String(254), nullable=False, unique=True),
    Column("status", String(10), nullable=False),
    Column("period", String(6), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("confirmed_at", UtcDateTime()),
    Column("imported_on", Date),
    Column("bounces", Integer, nullable=False, default=0),
    # Appearance number up to which entries are sent (or predate the subscription).
    Column("last_seq", Integer, nullable=False, default=0),
    Column("last_sent_at", UtcDateTime()),
    Column("link_key", String(32), nullable=False),
    # Set while pending: a confirmation link is good once.
    Column("confirm_nonce", String(32)),
    Index("subscribers_status_created", "status", "created_at"),
)

selections = Table(
    "selections",
    metadata,
    Column(
        "subscriber_id",
        Integer,
        ForeignKey("subscribers.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("path", String(120), primary_key=True),
)

# When the service first saw each entry: "new" means new here, not newly dated.
appearances = Table(
    "appearances",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", String(400), nullable=False, unique=True),
    Column("first_seen", UtcDateTime(), nullable=False),
)

# Recent sign-ups and confirmation messages, keyed by a keyed hash of the client's IP
# address or of the e-mail address (never the value), kept one day.
rate_events = Table(
    "rate_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(12), nullable=False),
    Column("key", String(64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Index("rate_events_lookup", "kind", "key", "at"),
)

# One row per digest claimed: "sending" until the SMTP server took it, then "sent".
send_log = Table(
    "send_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "subscriber_id",
        Integer,
        ForeignKey("subscribers.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("from_seq", Integer, nullable=False),
    Column("to_seq", Integer, nullable=False),
    Column("message_id", String(200), nullable=False),
    Column("state", String(8), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("previous_sent_at", UtcDateTime()),
    UniqueConstraint("subscriber_id", "to_seq", name="send_log_once"),
    Index("send_log_state", "state"),
)
