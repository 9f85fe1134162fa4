"""Alembic's entry point: always given a connection by ``database.upgrade`` (no alembic.ini)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from feeds.subscriptions.schema import metadata

connection: Connection = context.config.attributes["connection"]
# Batch mode: SQLite cannot ALTER most things, so Alembic copies the table instead.
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
