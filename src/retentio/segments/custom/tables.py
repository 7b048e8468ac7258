"""Tables of custom segments: definitions, current members, every move, and sizes over time."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime, json_type

ID_LENGTH = 128

custom_segments = Table(
    "custom_segments",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("description", String(2000), nullable=False, default=""),
    # The rule in the language, as checked (``model.to_document``).
    Column("rule", json_type(), nullable=False),
    Column("size", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("refreshed_at", UtcDateTime),
)

custom_segment_members = Table(
    "custom_segment_members",
    METADATA,
    Column("segment_id", Integer, ForeignKey("custom_segments.id"), primary_key=True),
    Column("customer_id", String(ID_LENGTH), ForeignKey("customers.customer_id"), primary_key=True),
    Column("entered_at", UtcDateTime, nullable=False),
    Index("ix_custom_segment_members_customer_id", "customer_id"),
)

# Every entry and exit, for flows between segments and the customer's history.
custom_segment_changes = Table(
    "custom_segment_changes",
    METADATA,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("segment_id", Integer, ForeignKey("custom_segments.id"), nullable=False),
    Column("customer_id", String(ID_LENGTH), nullable=False),
    Column("entered", Boolean, nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    Column("source", String(16), nullable=False),  # "refresh" or "ingest"
    Index("ix_custom_segment_changes_segment_changed", "segment_id", "changed_at"),
    Index("ix_custom_segment_changes_customer_changed", "customer_id", "changed_at"),
)

# Size over time: one row per refresh (period_start = the refresh's "now"), and one row per UTC day
# for the moves made as events arrive (size as of the last batch of that day, moves summed).
custom_segment_sizes = Table(
    "custom_segment_sizes",
    METADATA,
    Column("segment_id", Integer, ForeignKey("custom_segments.id"), primary_key=True),
    Column("source", String(16), primary_key=True),
    Column("period_start", UtcDateTime, primary_key=True),
    Column("measured_at", UtcDateTime, nullable=False),
    Column("size", Integer, nullable=False),
    Column("entered", Integer, nullable=False),
    Column("exited", Integer, nullable=False),
)

# Scratch space of a refresh: the new membership, written and emptied inside its transaction.
custom_segment_staging = Table(
    "custom_segment_staging",
    METADATA,
    Column("segment_id", Integer, primary_key=True),
    Column("customer_id", String(ID_LENGTH), primary_key=True),
)
