"""Subscribers, their selections, entry appearances, rate events and the send log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "subscribers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("address", sa.String(254), nullable=False, unique=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("period", sa.String(6), nullable=False),
        sa.Column("created_at", _STAMP, nullable=False),
        sa.Column("confirmed_at", _STAMP),
        sa.Column("imported_on", sa.Date),
        sa.Column("bounces", sa.Integer, nullable=False),
        sa.Column("last_seq", sa.Integer, nullable=False),
        sa.Column("last_sent_at", _STAMP),
        sa.Column("link_key", sa.String(32), nullable=False),
        sa.Column("confirm_nonce", sa.String(32)),
    )
    op.create_index("subscribers_status_created", "subscribers", ["status", "created_at"])
    op.create_table(
        "selections",
        sa.Column(
            "subscriber_id",
            sa.Integer,
            sa.ForeignKey("subscribers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("path", sa.String(120), primary_key=True),
    )
    op.create_table(
        "appearances",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.String(400), nullable=False, unique=True),
        sa.Column("first_seen", _STAMP, nullable=False),
    )
    op.create_table(
        "rate_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("at", _STAMP, nullable=False),
    )
    op.create_index("rate_events_lookup", "rate_events", ["kind", "key", "at"])
    op.create_table(
        "send_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "subscriber_id",
            sa.Integer,
            sa.ForeignKey("subscribers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("from_seq", sa.Integer, nullable=False),
        sa.Column("to_seq", sa.Integer, nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("at", _STAMP, nullable=False),
        sa.Column("previous_sent_at", _STAMP),
        sa.UniqueConstraint("subscriber_id", "to_seq", name="send_log_once"),
    )
    op.create_index("send_log_state", "send_log", ["state"])


def downgrade() -> None:
    for table in ("send_log", "rate_events", "appearances", "selections", "subscribers"):
        op.drop_table(table)
