"""The subscriber store: every read and write of subscribers and their selections.

One small interface over SQLAlchemy Core, the same on SQLite and PostgreSQL. Each
method is one transaction. Rate limits live in :mod:`.limits`, appearances and the
send log in :mod:`.ledger`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, Row, and_, delete, insert, select, update

from feeds.errors import BadLinkError
from feeds.subscriptions.links import LinkClaim
from feeds.subscriptions.model import (
    CONFIRMATION_DAYS,
    CONFIRMED,
    PAUSED,
    PENDING,
    SUSPENDED,
    SignUp,
    Subscriber,
)
from feeds.subscriptions.schema import selections, subscribers


class SubscriberStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- sign-up and confirmation ------------------------------------------------------

    def sign_up(self, request: SignUp, now: dt.datetime) -> tuple[Subscriber, bool]:
        """The subscriber the address names, created pending if unknown; and whether it
        is (still) pending. A confirmed or paused address keeps its subscription as it
        is: anybody can type an address, so only its owner's confirmation may change it."""
        with self.engine.begin() as connection:
            row = _row_by_address(connection, request.address)
            if row is None:
                subscriber_id = _added(connection, request, now, status=PENDING, last_seq=0,
                                       confirm_nonce=secrets.token_urlsafe(12))  # fmt: skip
            elif row.status in (PENDING, SUSPENDED):
                # A suspended address (its server refused it) starts over: confirming
                # again shows it works now.
                subscriber_id = row.id
                values: dict[str, Any] = {"period": request.period}
                if row.status == SUSPENDED:
                    values.update(status=PENDING, created_at=now, bounces=0,
                                  confirm_nonce=secrets.token_urlsafe(12))  # fmt: skip
                connection.execute(
                    update(subscribers).where(subscribers.c.id == row.id).values(**values)
                )
                _set_selections(connection, subscriber_id, request.selections)
            else:
                subscriber_id = row.id
            subscriber = _load(connection, subscriber_id)
        return subscriber, subscriber.status == PENDING

    def confirm_nonce(self, subscriber_id: int) -> str | None:
        with self.engine.connect() as connection:
            nonce: str | None = connection.execute(
                select(subscribers.c.confirm_nonce).where(subscribers.c.id == subscriber_id)
            ).scalar()
            return nonce

    def confirm(self, claim: LinkClaim, last_seq: int, now: dt.datetime) -> Subscriber:
        """Confirm a pending sign-up; from then on entries after ``last_seq`` are sent."""
        with self.engine.begin() as connection:
            row = connection.execute(
                select(subscribers).where(subscribers.c.id == claim.subscriber_id)
            ).first()
            if row is None or row.link_key != claim.link_key:
                raise BadLinkError(
                    "this confirmation link is no longer valid: the sign-up expired or was "
                    "withdrawn; please sign up again"
                )
            if row.status != PENDING or row.confirm_nonce != claim.nonce:
                raise BadLinkError(
                    "this confirmation link was already used; your subscription is active, "
                    "and every digest has a link to manage it"
                )
            connection.execute(
                update(subscribers)
                .where(subscribers.c.id == row.id)
                .values(status=CONFIRMED, confirmed_at=now, confirm_nonce=None, last_seq=last_seq)
            )
            return _load(connection, row.id)

    def expire_pending(self, now: dt.datetime) -> int:
        """Delete sign-ups left unconfirmed for CONFIRMATION_DAYS; how many."""
        cutoff = now - dt.timedelta(days=CONFIRMATION_DAYS)
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(subscribers).where(
                    and_(subscribers.c.status == PENDING, subscribers.c.created_at < cutoff)
                )
            )
            return result.rowcount

    # --- the manage page ---------------------------------------------------------------

    def get(self, claim: LinkClaim) -> Subscriber | None:
        """The subscriber a link names, if it still exists and the link is its own."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(subscribers.c.id, subscribers.c.link_key).where(
                    subscribers.c.id == claim.subscriber_id
                )
            ).first()
            if row is None or not secrets.compare_digest(row.link_key, claim.link_key):
                return None
            return _load(connection, row.id)

    def by_address(self, address: str) -> Subscriber | None:
        with self.engine.connect() as connection:
            row = _row_by_address(connection, address)
            return None if row is None else _load(connection, row.id)

    def change(self, subscriber_id: int, period: str, chosen: Sequence[str]) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(subscribers).where(subscribers.c.id == subscriber_id).values(period=period)
            )
            _set_selections(connection, subscriber_id, chosen)

    def set_paused(self, subscriber_id: int, paused: bool) -> None:
        """Pause a confirmed subscription or resume a paused one (nothing else changes)."""
        old, new = (CONFIRMED, PAUSED) if paused else (PAUSED, CONFIRMED)
        with self.engine.begin() as connection:
            connection.execute(
                update(subscribers)
                .where(and_(subscribers.c.id == subscriber_id, subscribers.c.status == old))
                .values(status=new)
            )

    def delete(self, subscriber_id: int) -> bool:
        """Delete the subscriber and all that is stored with it; whether it existed."""
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(subscribers).where(subscribers.c.id == subscriber_id)
            )
            return result.rowcount > 0

    def remove(self, address: str) -> bool:
        with self.engine.begin() as connection:
            result = connection.execute(delete(subscribers).where(subscribers.c.address == address))
            return result.rowcount > 0

    # --- the operator's commands -------------------------------------------------------

    def all(self, status: str | None = None) -> Iterator[Subscriber]:
        """Every subscriber by address (with ``status``, if given)."""
        with self.engine.connect() as connection:
            query = select(subscribers).order_by(subscribers.c.address)
            if status is not None:
                query = query.where(subscribers.c.status == status)
            rows = connection.execute(query).all()
            chosen = selections_of(connection, [row.id for row in rows])
        for row in rows:
            yield subscriber_from_row(row, chosen.get(row.id, ()))

    def import_confirmed(
        self, requests: Iterable[SignUp], last_seq: int, now: dt.datetime
    ) -> tuple[int, int]:
        """Add addresses moved from another service as confirmed and imported today;
        addresses already here are left alone. Returns (added, skipped)."""
        added = skipped = 0
        with self.engine.begin() as connection:
            for request in requests:
                if _row_by_address(connection, request.address) is not None:
                    skipped += 1
                    continue
                _added(connection, request, now, status=CONFIRMED, confirmed_at=now,
                       imported_on=now.date(), last_seq=last_seq)  # fmt: skip
                added += 1
        return added, skipped


def _added(connection: Connection, request: SignUp, now: dt.datetime, **values: Any) -> int:
    """A new subscriber for ``request``, with its selections, and these ``values``."""
    subscriber_id = inserted_id(
        connection.execute(
            insert(subscribers).values(
                address=request.address,
                period=request.period,
                created_at=now,
                bounces=0,
                link_key=secrets.token_urlsafe(12),
                **values,
            )
        )
    )
    _set_selections(connection, subscriber_id, request.selections)
    return subscriber_id


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key an INSERT made."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the database did not report the new row's key")
    value: int = key[0]
    return value


def _row_by_address(connection: Connection, address: str) -> Row[Any] | None:
    return connection.execute(select(subscribers).where(subscribers.c.address == address)).first()


def _set_selections(connection: Connection, subscriber_id: int, chosen: Iterable[str]) -> None:
    connection.execute(delete(selections).where(selections.c.subscriber_id == subscriber_id))
    paths = sorted(set(chosen))
    if paths:
        connection.execute(
            insert(selections), [{"subscriber_id": subscriber_id, "path": p} for p in paths]
        )


def _load(connection: Connection, subscriber_id: int) -> Subscriber:
    row = connection.execute(select(subscribers).where(subscribers.c.id == subscriber_id)).one()
    return subscriber_from_row(
        row, selections_of(connection, [subscriber_id]).get(subscriber_id, ())
    )


def selections_of(connection: Connection, ids: Sequence[int] | None) -> dict[int, tuple[str, ...]]:
    """Selection paths by subscriber id (``None``: every subscriber's)."""
    query = select(selections.c.subscriber_id, selections.c.path).order_by(
        selections.c.subscriber_id, selections.c.path
    )
    if ids is not None and len(ids) <= 500:
        query = query.where(selections.c.subscriber_id.in_(ids))
    found: dict[int, list[str]] = defaultdict(list)
    for subscriber_id, path in connection.execute(query):
        found[subscriber_id].append(path)
    return {key: tuple(paths) for key, paths in found.items()}


def subscriber_from_row(row: Row[Any], chosen: tuple[str, ...]) -> Subscriber:
    return Subscriber(
        id=row.id,
        address=row.address,
        status=row.status,
        period=row.period,
        selections=chosen,
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        imported_on=row.imported_on,
        bounces=row.bounces,
        last_seq=row.last_seq,
        last_sent_at=row.last_sent_at,
        link_key=row.link_key,
    )
