"""One send run at a time, with a lock the operating system or the database releases
when its holder dies: a crashed run never blocks the next one.

SQLite: ``flock`` on a file beside the database. PostgreSQL: a session advisory lock,
so runs on several machines sharing one list exclude each other too.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, text

#: PostgreSQL advisory lock key of the send run.
_SEND_LOCK = 0x6665656473 + 1


@contextlib.contextmanager
def send_lock(engine: Engine) -> Iterator[bool]:
    """Yields whether this run holds the lock (False: another run is sending)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": _SEND_LOCK}
            ).scalar()
            connection.commit()
            try:
                yield bool(got)
            finally:
                if got:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _SEND_LOCK})
                    connection.commit()
        return
    database = engine.url.database or ""
    path = Path(f"{database}.send-lock") if database and database != ":memory:" else None
    if path is None:
        yield True
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(descriptor)
