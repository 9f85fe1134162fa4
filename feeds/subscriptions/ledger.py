"""When entries appeared, and which digests were claimed and sent: exactly once.

Every entry gets an appearance number (``seq``) the first time the service sees it;
a subscriber's ``last_seq`` says up to which number it has had everything. A send run
claims a digest (entries after ``last_seq`` up to the run's number) by moving
``last_seq`` forward and writing a ``sending`` row in one transaction, and only then
talks to the SMTP server:

* the claim is a compare-and-swap on ``last_seq``, so two runs never claim the same
  digest;
* accepted: the row becomes ``sent``; refused before ``DATA``: the claim is undone and
  the next run tries again; a crash or a failure after ``DATA`` began leaves
  ``sending``, and the next run sends that digest again, same entries, same
  Message-ID, before anything new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from itertools import islice

from sqlalchemy import Connection, Engine, and_, delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import Executable

from feeds.subscriptions.model import CONFIRMED, MAX_BOUNCES, SUSPENDED, Pending, Subscriber
from feeds.subscriptions.schema import appearances, send_log, subscribers
from feeds.subscriptions.store import inserted_id, selections_of, subscriber_from_row

SENDING, SENT = "sending", "sent"
#: Sent rows are kept this long (what was sent when), then pruned.
KEEP_LOG = dt.timedelta(days=90)
_CHUNK = 1000


def record_appearances(engine: Engine, entry_ids: Iterable[str], now: dt.datetime) -> int:
    """Number the entries not seen before; returns the highest number among ``entry_ids``.

    Not the highest number of all: another process (a web worker with a newer catalog)
    may have numbered entries that these ids lack, and a send run that moved subscribers
    past them would never send them (its catalog cannot compose them).
    """
    ids = list(entry_ids)
    with engine.begin() as connection:
        numbered = select(appearances.c.entry_id, appearances.c.seq)
        known: dict[str, int] = {row.entry_id: row.seq for row in connection.execute(numbered)}
        new = iter([entry_id for entry_id in ids if entry_id not in known])
        while chunk := list(islice(new, _CHUNK)):
            rows = [{"entry_id": entry_id, "first_seen": now} for entry_id in chunk]
            connection.execute(_insert_new(connection), rows)
            found = connection.execute(numbered.where(appearances.c.entry_id.in_(chunk)))
            known.update((row.entry_id, row.seq) for row in found)
        return max((known[entry_id] for entry_id in ids), default=0)


def _insert_new(connection: Connection) -> Executable:
    """INSERT … ON CONFLICT DO NOTHING: another process may number the same entry."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement: Executable = dialect.insert(appearances).on_conflict_do_nothing(
        index_elements=["entry_id"]
    )
    return statement


def max_seq(engine: Engine) -> int:
    with engine.connect() as connection:
        return _max_seq(connection)


def _max_seq(connection: Connection) -> int:
    found: int | None = connection.execute(select(func.max(appearances.c.seq))).scalar()
    return found or 0


def appeared(engine: Engine, after: int, upto: int) -> dict[str, int]:
    """Entry id → appearance number, for numbers after ``after`` up to ``upto``."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(appearances.c.entry_id, appearances.c.seq).where(
                and_(appearances.c.seq > after, appearances.c.seq <= upto)
            )
        )
        return {entry_id: seq for entry_id, seq in rows}


def waiting(engine: Engine, upto: int) -> list[Subscriber]:
    """Confirmed subscribers with entries after their ``last_seq``."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(subscribers)
            .where(and_(subscribers.c.status == CONFIRMED, subscribers.c.last_seq < upto))
            .order_by(subscribers.c.id)
        ).all()
        chosen = selections_of(connection, [row.id for row in rows])
    return [subscriber_from_row(row, chosen.get(row.id, ())) for row in rows]


def claim(
    engine: Engine, wanted: Sequence[tuple[Subscriber, str]], upto: int, now: dt.datetime
) -> list[Pending]:
    """Claim, in one transaction (one disk flush for many), the digests of entries after
    each subscriber's ``last_seq`` up to ``upto``, each with its Message-ID. A subscriber
    another run claimed (or that changed) meanwhile is left out. A claimed digest that a
    crash keeps from being sent is sent by the next run: claiming early costs no copy."""
    claimed = []
    with engine.begin() as connection:
        for subscriber, message_id in wanted:
            moved = connection.execute(
                update(subscribers)
                .where(
                    and_(
                        subscribers.c.id == subscriber.id,
                        subscribers.c.last_seq == subscriber.last_seq,
                        subscribers.c.status == CONFIRMED,
                    )
                )
                .values(last_seq=upto, last_sent_at=now)
            )
            if moved.rowcount != 1:
                continue
            log_id = inserted_id(
                connection.execute(
                    send_log.insert().values(
                        subscriber_id=subscriber.id,
                        from_seq=subscriber.last_seq,
                        to_seq=upto,
                        message_id=message_id,
                        state=SENDING,
                        at=now,
                        previous_sent_at=subscriber.last_sent_at,
                    )
                )
            )
            claimed.append(
                Pending(
                    log_id,
                    subscriber,
                    subscriber.last_seq,
                    upto,
                    message_id,
                    subscriber.last_sent_at,
                )
            )
    return claimed


def mark_sent(engine: Engine, pending: Pending) -> None:
    """The server took it: done, and a good address again.

    On PostgreSQL this commit does not wait for the disk: were the database server to
    crash before it is written, the digest would stay ``sending`` and go again with its
    Message-ID, as after a crash of the sender; every message would otherwise wait for
    a flush."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
        connection.execute(
            update(send_log).where(send_log.c.id == pending.log_id).values(state=SENT)
        )
        connection.execute(
            update(subscribers).where(subscribers.c.id == pending.subscriber.id).values(bounces=0)
        )


def release(engine: Engine, pending: Pending, *, bounced: bool = False) -> bool:
    """Undo a claim whose message nobody got; with ``bounced`` (a 5xx at RCPT) count the
    refusal and suspend the address at MAX_BOUNCES. Returns whether it is now suspended."""
    with engine.begin() as connection:
        connection.execute(delete(send_log).where(send_log.c.id == pending.log_id))
        values: dict[str, object] = {
            "last_seq": pending.from_seq,
            "last_sent_at": pending.previous_sent_at,
        }
        if bounced:
            values["bounces"] = subscribers.c.bounces + 1
        connection.execute(
            update(subscribers)
            .where(
                and_(
                    subscribers.c.id == pending.subscriber.id,
                    subscribers.c.last_seq == pending.to_seq,
                )
            )
            .values(**values)
        )
        if not bounced:
            return False
        suspended = connection.execute(
            update(subscribers)
            .where(
                and_(
                    subscribers.c.id == pending.subscriber.id,
                    subscribers.c.bounces >= MAX_BOUNCES,
                )
            )
            .values(status=SUSPENDED)
        )
        return suspended.rowcount > 0


def unsent(engine: Engine) -> list[Pending]:
    """Digests claimed by a run that did not learn whether they were delivered."""
    with engine.connect() as connection:
        logged = connection.execute(
            select(send_log).where(send_log.c.state == SENDING).order_by(send_log.c.id)
        ).all()
        ids = sorted({row.subscriber_id for row in logged})
        rows = {
            row.id: row
            for row in connection.execute(select(subscribers).where(subscribers.c.id.in_(ids)))
        }
        chosen = selections_of(connection, ids)
    return [
        Pending(
            log.id,
            subscriber_from_row(rows[log.subscriber_id], chosen.get(log.subscriber_id, ())),
            log.from_seq,
            log.to_seq,
            log.message_id,
            log.previous_sent_at,
        )
        for log in logged
        if log.subscriber_id in rows
    ]


def prune_log(engine: Engine, now: dt.datetime) -> int:
    with engine.begin() as connection:
        result = connection.execute(
            delete(send_log).where(and_(send_log.c.state == SENT, send_log.c.at < now - KEEP_LOG))
        )
        return result.rowcount


def sent_log(engine: Engine, subscriber_id: int) -> Sequence[tuple[dt.datetime, str]]:
    """(when, state) of a subscriber's logged digests, newest first: for the manage page."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(send_log.c.at, send_log.c.state)
            .where(send_log.c.subscriber_id == subscriber_id)
            .order_by(send_log.c.id.desc())
            .limit(20)
        )
        return [(at, state) for at, state in rows]
