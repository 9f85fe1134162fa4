"""E-mail subscriptions that readers manage themselves (issue 16).

Sign-up with double opt-in, signed links, the subscriber store (SQLAlchemy Core over
SQLite or PostgreSQL, schema by Alembic) and the sender of one digest per subscriber.
Pure where it can be; the store, the SMTP session and the run lock are the I/O.
"""
