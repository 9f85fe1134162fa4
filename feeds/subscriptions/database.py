"""Opening the subscriber database and bringing its schema up to date.

``FEEDS_DATABASE_URL`` is any SQLAlchemy URL; ``postgresql://…`` uses psycopg 3. The
default is an SQLite file under ``$XDG_STATE_HOME/feeds/``, fine for one machine.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import ConnectionPoolEntry

from feeds.errors import SubscriptionConfigError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: How long SQLite waits for another process's write before it gives up.
SQLITE_BUSY_SECONDS = 30
#: PostgreSQL advisory lock key that serialises schema upgrades ("feeds" in ASCII).
_UPGRADE_LOCK = 0x6665656473


def default_database_url(environ: Mapping[str, str] | None = None) -> str:
    """``sqlite:///$XDG_STATE_HOME/feeds/subscribers.db`` (``~/.local/state`` by default)."""
    environ = os.environ if environ is None else environ
    state = environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return f"sqlite:///{Path(state) / 'feeds' / 'subscribers.db'}"


def open_engine(url: str) -> Engine:
    """An engine for ``url`` (empty: the default); makes the SQLite file's folder."""
    url = url or default_database_url()
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise SubscriptionConfigError(f"FEEDS_DATABASE_URL is not a database URL: {exc}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed.database or "")
    if parsed.get_backend_name() != "postgresql":
        raise SubscriptionConfigError(
            f"FEEDS_DATABASE_URL must be sqlite:///PATH or postgresql://…, not {parsed.drivername}"
        )
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_engine(database: str) -> Engine:
    if database and database != ":memory:":
        try:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SubscriptionConfigError(
                f"cannot make the folder of the database {database}: {exc.strerror}"
            ) from None
    engine = create_engine(f"sqlite:///{database}", connect_args={"timeout": SQLITE_BUSY_SECONDS})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not pysqlite, say when a transaction begins (BEGIN IMMEDIATE
        # below), so two writers queue up instead of failing at their first write.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def upgrade(engine: Engine) -> str:
    """Apply every migration not yet applied; returns the schema version now."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        return schema_version(connection) or ""


def schema_version(connection: Any) -> str | None:
    """The version the database is at, ``None`` for an empty database."""
    return MigrationContext.configure(connection).get_current_revision()


def head_version() -> str:
    """The version this code needs."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    return head or ""


def is_current(engine: Engine) -> bool:
    with engine.connect() as connection:
        return schema_version(connection) == head_version()
