"""Alembic migrations of the subscriber store, run by ``database.upgrade``."""
