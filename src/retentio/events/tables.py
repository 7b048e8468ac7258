"""The append-only event log: every fact about a customer arrives here first."""

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, text

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime, json_type

events = Table(
    "events",
    METADATA,
    # INTEGER on SQLite so the id is the rowid; BIGINT elsewhere for a long-lived log.
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    # The client's id: the unique index is what makes a resent event land once.
    Column("event_id", String(128), nullable=False, unique=True),
    Column("type", String(128), nullable=False),
    Column("customer_id", String(128)),
    Column("anonymous_id", String(128)),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("properties", json_type(), nullable=False),
    Index("ix_events_customer_occurred", "customer_id", "occurred_at"),
    # Only visitors' events carry an anonymous id: the others need no entry in its index.
    Index(
        "ix_events_anonymous_id",
        "anonymous_id",
        sqlite_where=text("anonymous_id IS NOT NULL"),
        postgresql_where=text("anonymous_id IS NOT NULL"),
    ),
    Index("ix_events_type_occurred", "type", "occurred_at"),
)
